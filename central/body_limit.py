"""Bounded request bodies, gzip included (ASGI middleware in front of every route).

The wire size is checked while reading, and a gzip body is inflated with an output cap
(``max_length``), so a small "zip bomb" never expands past the limit in memory. Routes
then see a plain JSON body and FastAPI validates it against the documented models.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

WIRE_LIMIT = 1024 * 1024  # 1 MiB on the wire
DECODED_LIMIT = 8 * 1024 * 1024  # 8 MiB after gzip


class BodyLimitMiddleware:
    def __init__(
        self, app: Any, wire_limit: int = WIRE_LIMIT, decoded_limit: int = DECODED_LIMIT
    ) -> None:
        self.app = app
        self.wire_limit = wire_limit
        self.decoded_limit = decoded_limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.wire_limit:
            await _error(
                send, 413, "too_large", "请求体过大", f"body larger than {self.wire_limit} bytes"
            )
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.wire_limit:
                await _error(
                    send,
                    413,
                    "too_large",
                    "请求体过大",
                    f"body larger than {self.wire_limit} bytes",
                )
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if encoding == b"gzip":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                body = inflater.decompress(body, self.decoded_limit + 1)
            except zlib.error:
                await _error(send, 422, "invalid", "gzip 数据损坏", "the gzip body is corrupt")
                return
            if len(body) > self.decoded_limit or inflater.unconsumed_tail:
                await _error(
                    send,
                    413,
                    "too_large",
                    "解压后请求体过大",
                    f"body larger than {self.decoded_limit} bytes after gzip",
                )
                return
            if not inflater.eof:
                await _error(send, 422, "invalid", "gzip 数据不完整", "the gzip body is truncated")
                return
        elif encoding not in (b"identity", b""):
            await _error(
                send,
                415,
                "unsupported_encoding",
                "不支持的内容编码",
                "unsupported Content-Encoding (use gzip or none)",
            )
            return
        new_headers = [
            (k, v)
            for k, v in scope.get("headers", [])
            if k.lower() not in (b"content-encoding", b"content-length")
        ]
        new_headers.append((b"content-length", str(len(body)).encode()))
        scope = {**scope, "headers": new_headers}
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return dict(await receive())

        await self.app(scope, replay, send)


async def _error(send: Any, status: int, code: str, zh: str, en: str) -> None:
    payload = json.dumps({"error": code, "zh": zh, "en": en}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
