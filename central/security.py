"""Secrets: passwords hashed with argon2, tokens stored as SHA-256 digests.

Passwords are low-entropy and chosen by people, so they get a slow, salted hash (argon2id)
against offline guessing. Seat and session tokens are 32 random bytes: guessing one is
hopeless whatever the hash, so a fast unsalted SHA-256 is enough and lets every request
find its token with an indexed lookup. A stolen database yields no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """32 random bytes, URL-safe text."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
