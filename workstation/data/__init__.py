"""Files the product ships: the demo routing directory and a calendar overrides example."""

from __future__ import annotations

from pathlib import Path

#: The folder holding the shipped data files.
DATA_DIR = Path(__file__).resolve().parent

#: The DEMO routing directory (74 invented-but-plausible units of a county-level city).
DEMO_UNITS = DATA_DIR / "units.jsonl"

#: An example calendar overrides file (format documented in ``workstation.calendar``).
OVERRIDES_EXAMPLE = DATA_DIR / "calendar_overrides.example.json"
