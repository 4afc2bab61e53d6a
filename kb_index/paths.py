"""Where the seat's local database lives (shared with the offline cache)."""

from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """``$WORKSTATION_DATA_DIR/seat.sqlite3``, else the platform's user data directory.

    Resolved on each call (never at import) so tests and the offline cache can point the
    whole workstation at another directory through the environment.
    """
    override = os.environ.get("WORKSTATION_DATA_DIR")
    if override:
        base = Path(override)
    else:
        import platformdirs

        base = Path(platformdirs.user_data_dir("hotline-workstation"))
    return base / "seat.sqlite3"
