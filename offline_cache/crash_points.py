"""Named moments where the kill -9 tests stop the seat: ``after_local_commit`` (a local
action is durable) and ``after_push_response`` (the server answered, nothing applied yet).

``hook`` is None in the product; ``tests/offline_cache/crash_driver.py`` installs one that
reports the point and waits to be killed.
"""

from __future__ import annotations

from collections.abc import Callable

hook: Callable[[str], None] | None = None


def crash_point(name: str) -> None:
    """Call the installed hook with ``name``; nothing when no test installed one."""
    if hook is not None:
        hook(name)
