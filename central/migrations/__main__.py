"""``python -m central.migrations new "what changes"``: start the next revision file.

It numbers the file after the current head (0003, 0004, ...) from the template; write its
DDL by hand, then ``pytest tests/central/test_migrations.py`` shows what still differs
from ``central.schema``. See docs/migrations.md.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "new":
        print('usage: python -m central.migrations new "what the step changes"', file=sys.stderr)
        return 2
    from alembic import command

    from central.migrations import _config, head

    command.revision(_config(), message=argv[1], rev_id=f"{int(head()) + 1:04d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
