"""Run the `workstation` command with a crash hook installed: at the named crash point it
reports ``PAUSED <point>`` on stderr and waits to be killed (kill -9 by the test).

Used by test_crash: ``python -m tests.offline_cache.crash_driver POINT ARGS...``.
"""

from __future__ import annotations

import sys
import threading

from hotline.cli import main
from offline_cache import crash_points


def pause_at(point: str) -> None:
    def hook(name: str) -> None:
        if name == point:
            print(f"PAUSED {name}", file=sys.stderr, flush=True)
            threading.Event().wait()  # never set: the test kills this process

    crash_points.hook = hook


if __name__ == "__main__":
    pause_at(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
