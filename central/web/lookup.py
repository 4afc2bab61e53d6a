"""Lookup codes (查询码): what makes an order number useless to a stranger.

A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 49
bits; only its keyed digest is stored (``web_lookups``), compared in constant time.
The secret comes from ``[web] secret`` or, when unset, one made once and kept in the
database (``server_secrets``) so every server process agrees.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import Connection, select

from central import schema
from central.db import Database

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
SECRET_NAME = "web"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """What the citizen typed, as stored: upper case, spaces and dashes dropped."""
    return code.strip().upper().replace(" ", "").replace("-", "")[:64]


def digest(secret: bytes, contact_id: str, code: str) -> str:
    message = f"lookup:{contact_id}:{normalise(code)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def store_code(
    conn: Connection, secret: bytes, contact_id: str, channel: str, now: datetime
) -> str:
    """Make a code for ``contact_id``, store its digest, return the code (shown once)."""
    code = new_code()
    conn.execute(
        schema.web_lookups.insert().values(
            contact_id=contact_id,
            code_hash=digest(secret, contact_id, code),
            channel=channel,
            created_at=now,
        )
    )
    return code


def code_matches(conn: Connection, secret: bytes, contact_id: str, code: str) -> bool:
    """Whether ``code`` is this request's code; an unknown id costs the same compare."""
    w = schema.web_lookups
    stored = conn.execute(select(w.c.code_hash).where(w.c.contact_id == contact_id)).scalar()
    wanted = digest(secret, contact_id, code)
    return hmac.compare_digest(stored or "0" * 64, wanted) and stored is not None


def server_secret(db: Database, configured: str, now: datetime) -> bytes:
    """``[web] secret``, else the one kept in the database (made on first use)."""
    if configured:
        return configured.encode()
    from sqlalchemy.exc import IntegrityError

    s = schema.server_secrets
    read = select(s.c.value).where(s.c.name == SECRET_NAME)
    with db.read() as conn:
        value = conn.execute(read).scalar()
    if value is None:
        try:
            with db.write() as conn:
                conn.execute(
                    s.insert().values(name=SECRET_NAME, value=secrets.token_hex(32), created_at=now)
                )
        except IntegrityError:
            pass  # another process made it first
        with db.read() as conn:
            value = conn.execute(read).scalar_one()
    return str(value).encode()
