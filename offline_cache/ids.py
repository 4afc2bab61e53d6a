"""Identifiers made on the seat without the server: op ids (UUIDv7) and order numbers."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def uuid7() -> str:
    """A UUIDv7 (RFC 9562): time-ordered, so op ids sort roughly like the commands.

    Python 3.11 has no ``uuid.uuid7``; a 12-bit counter keeps ids monotonic within a
    millisecond on this process.
    """
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _seq += 1
            if _seq > 0xFFF:
                ms += 1
                _seq = 0
        else:
            _seq = 0
        _last_ms = ms
        seq = _seq
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62 | rand
    return str(uuid.UUID(int=value))


def order_number(prefix: str, moment: datetime, counter: int) -> str:
    """``QD-S07-2611-0042``: seat prefix, year and month of intake, seat-local counter."""
    return f"{prefix}-{moment:%y%m}-{counter:04d}"
