"""Security headers on every citizen page and its static files (ASGI middleware).

CSP allows only this origin's styles and images, no script at all, no framing and forms
posting only here; the rest stop MIME sniffing, referrer leaks and clickjacking.
"""

from __future__ import annotations

from typing import Any

PREFIX = "/citizen"
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none';"
        " frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "geolocation=(), camera=(), microphone=()",
}
_RAW = [(k.encode(), v.encode()) for k, v in HEADERS.items()]


class CitizenHeadersMiddleware:
    """Adds :data:`HEADERS` to every response under ``/citizen`` (errors included)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in _RAW}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": [*kept, *_RAW]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
