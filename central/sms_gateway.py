"""Texts to citizens (短信通知): the gateway interface, the demo's log-file gateway, and the
two notices a citizen gets: the number of a request received, and that a reply is ready.

A real provider implements :class:`SmsGateway` (docs/sms.md); ``[sms] outbound_log`` names
the file the demo gateway appends to. A gateway that fails is logged and forgotten: a text
never stops the request or the reply it tells about.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from workstation.config import Settings
    from workstation.orders import WorkOrder

log = logging.getLogger(__name__)

MAX_TEXT = 500
"""A notice longer than this is cut (a few SMS segments at most)."""


class SmsGateway(Protocol):
    """Sends one text; raises ``OSError`` (or the provider's error) when it could not."""

    def send(self, phone: str, text: str) -> None: ...


class LogFileGateway:
    """The demo's gateway: one JSON line per text, ``{"at", "phone", "text"}``."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(), "phone": phone, "text": text[:MAX_TEXT]},
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")


def gateway_from(settings: Settings) -> SmsGateway | None:
    """The configured gateway, or None when no texts are to be sent."""
    path = settings.sms.outbound_log
    return LogFileGateway(path) if path else None


def received_text(number: str, code: str | None = None) -> str:
    """编号 (and 查询码, when the request has one): what the citizen needs to follow it."""
    code_part = f"，查询码 {code}" if code else ""
    code_en = f", lookup code {code}" if code else ""
    return (
        f"【12345】您的诉求已收到，编号 {number}{code_part}。 Received: number {number}{code_en}."
    )


def reply_text(number: str) -> str:
    return (
        f"【12345】您的诉求 {number} 已有办理答复，请登录网站查询。"
        f" A reply to request {number} is ready; see the website."
    )


def send_quietly(gateway: SmsGateway | None, phone: str, text: str) -> bool:
    """Send when there is a gateway and a phone; a failure is logged, never raised."""
    if gateway is None or not phone.strip():
        return False
    try:
        gateway.send(phone.strip(), text[:MAX_TEXT])
    except Exception:  # a provider's error must not undo what the text tells about
        log.warning("SMS to a citizen could not be sent", exc_info=True)
        return False
    return True


def notify_reply_ready(settings: Settings, conn: Connection, order: WorkOrder) -> bool:
    """The unit replied (办结): tell the citizen who wrote by SMS that the reply is ready,
    under the number they were texted (the contact's), else the order's.

    Only orders from the SMS channel: the citizen chose texts as the way to reach us."""
    if order.channel.value != "sms":
        return False
    gateway = gateway_from(settings)
    if gateway is None:
        return False
    from sqlalchemy import select

    from central import schema

    m, c = schema.sms_messages, schema.contacts
    number = conn.execute(
        select(m.c.contact_id)
        .join(c, c.c.contact_id == m.c.contact_id)
        .where(c.c.order_id == order.order_id)
        .limit(1)
    ).scalar()
    return send_quietly(gateway, order.caller_phone, reply_text(number or order.order_id))
