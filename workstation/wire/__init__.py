"""The wire shapes, one definition each, imported by the seat and the server alike.

- :mod:`workstation.wire.text`: the bounds (``Limits``) and the strict text type;
- :mod:`workstation.wire.commands`: the command envelope and typed args per command;
- :mod:`workstation.wire.sync`: the push request and result (full, slim), the pull page;
- :mod:`workstation.wire.order`: the order snapshot and the order row;
- the open states: ``workstation.orders.OPEN_STATES``.
"""
