"""CSRF protection of the citizen forms: a double-submit token bound to a cookie by HMAC.

The ``citizen_csrf`` cookie holds a random nonce; each form carries
``nonce.HMAC(secret, nonce)``. A POST is accepted only when the form's nonce equals the
cookie's and its MAC is the server's (constant-time compare). A foreign site can neither
read the cookie nor forge the MAC, and the cookie is ``SameSite=Strict`` besides.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "citizen_csrf"
FIELD = "csrf_token"
_MAX = 200


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def token_for(secret: bytes, nonce: str) -> str:
    mac = hmac.new(secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()
    return f"{nonce}.{mac}"


def valid_nonce(nonce: str | None) -> bool:
    return (
        bool(nonce)
        and len(nonce or "") <= 64
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in nonce or "")
    )


def token_ok(secret: bytes, cookie: str | None, token: str | None) -> bool:
    """Whether the form's token matches the cookie's nonce and the server's MAC."""
    if not cookie or not token or len(token) > _MAX or not valid_nonce(cookie):
        return False
    expected = token_for(secret, cookie)
    return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))
