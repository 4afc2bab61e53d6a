"""Incoming calls from a telephony system: one JSON line on a Unix socket in the data dir.

``{"event": "incoming_call", "phone": "13800000000", "name": "张先生"}`` (name optional),
sent to ``<data_dir>/call-events.sock``; the running app answers ``{"ok": true}`` and pops
the caller panel. ``workstation call-event --phone NUMBER`` sends exactly that line. The
format is documented in docs/call-events.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workstation.errors import UserFacingError, ValidationError

SOCKET_NAME = "call-events.sock"
_MAX_LINE = 4096
_UNIX_PATH_MAX = 100  # sun_path is 104-108 bytes depending on the system


@dataclass(frozen=True)
class IncomingCall:
    phone: str
    name: str = ""


class CallEventError(UserFacingError):
    code = "call_event"


def socket_path(data_dir: Path) -> Path:
    """``<data_dir>/call-events.sock``, or a short path in the temp dir if that is too long."""
    path = Path(data_dir).resolve() / SOCKET_NAME
    if len(str(path).encode()) <= _UNIX_PATH_MAX:
        return path
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"hotline-{digest}.sock"


def parse_event(line: bytes | str) -> IncomingCall:
    """Validate one event line; the phone keeps only digits, ``+``, ``-`` and spaces."""
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            "event", f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}"
        ) from None
    if not isinstance(data, dict) or data.get("event") != "incoming_call":
        raise ValidationError(
            "event", "只支持 incoming_call 事件", "only incoming_call events are supported"
        )
    from screens.safe_text import clean

    raw_phone = clean(data.get("phone") or "", multiline=False)
    phone = "".join(ch for ch in raw_phone if ch.isdigit() or ch in "+- ")
    phone = phone.strip()[:32]
    if not phone:
        raise ValidationError("phone", "缺少来电号码", "the phone number is missing")
    name = clean(data.get("name") or "", multiline=False).strip()[:40]
    return IncomingCall(phone=phone, name=name)


def send_call_event(data_dir: Path, phone: str, name: str = "", timeout: float = 3.0) -> None:
    """Send one incoming-call event to the app running on this data directory."""
    path = socket_path(data_dir)
    payload = {"event": "incoming_call", "phone": phone}
    if name:
        payload["name"] = name
    line = json.dumps(payload, ensure_ascii=False).encode() + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            sock.sendall(line)
            answer = sock.makefile("rb").readline(_MAX_LINE)
    except OSError as exc:
        raise CallEventError(
            f"坐席工作台未运行（{path}）：{exc}",
            f"the workstation app is not running on {path}: {exc}",
        ) from None
    reply = json.loads(answer or b"{}")
    if not reply.get("ok"):
        raise CallEventError(
            f"工作台拒绝了来电事件：{reply.get('error')}",
            f"the app refused the event: {reply.get('error')}",
        )


async def serve_call_events(
    data_dir: Path, on_call: Callable[[IncomingCall], None]
) -> asyncio.AbstractServer:
    """Listen on the socket; ``on_call`` runs on the event loop for each valid event."""
    path = socket_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not _socket_alive(path):
        path.unlink()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    call = parse_event(line[:_MAX_LINE])
                except UserFacingError as exc:
                    reply = {"ok": False, "error": exc.en}
                else:
                    on_call(call)
                    reply = {"ok": True}
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_unix_server(handle, path=str(path), limit=_MAX_LINE)
    path.chmod(0o600)
    return server


def _socket_alive(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True
