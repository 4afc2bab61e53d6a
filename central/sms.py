"""The SMS channel's inbound webhook (短信渠道): ``POST /api/v1/sms/inbound``.

An SMS gateway posts each text it receives as ``{"message_id", "from", "text",
"received_at"}`` with the shared secret in ``X-SMS-Secret`` (``[sms] inbound_secret``,
compared in constant time; 401 otherwise, and always while no secret is configured). The
text becomes a web request through the same Open311 intake path as the web page
(``validate_request`` + ``store_request``, channel ``sms``), so agents triage it with the
others; the citizen is texted its number. A ``message_id`` is applied once: a retry answers
the same number (``duplicate: true``). The text carries the request's lookup code (查询码),
so the citizen can follow it on the web page (``/citizen/follow``). Posts per sender are limited like Open311 posts per
address (429 with ``Retry-After``). The interface for a real provider: docs/sms.md.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from central.errors import AuthError, BadBody
from central.open311_intake import Open311Error, store_request, validate_request
from central.sms_gateway import gateway_from, received_text, send_quietly
from central.store import Store

router = APIRouter(prefix="/api/v1/sms", tags=["sms"])

SERVICE_CODE = "QD-099"
"""The category of a text (其他): the agent who triages it picks the type and unit."""
MAX_TEXT = 1000
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


class InboundSms(BaseModel):
    """One text as the gateway received it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    message_id: str = Field(min_length=1, max_length=128)
    sender: str = Field(alias="from", min_length=3, max_length=32)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    received_at: datetime | None = None


class InboundAnswer(BaseModel):
    message_id: str
    service_request_id: str
    duplicate: bool


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _check_secret(store: Store, given: str | None) -> None:
    secret = store.settings.sms.inbound_secret
    if not secret or given is None or not hmac.compare_digest(given.encode(), secret.encode()):
        raise AuthError("短信网关未通过验证", "the SMS gateway is not authenticated")


def _claimed(store: Store, sms: InboundSms) -> str | None:
    """Claim the message id; the contact it already made when it was seen before."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from central import schema

    m = schema.sms_messages
    try:
        with store.transaction() as tx:
            tx.conn.execute(
                m.insert().values(
                    message_id=sms.message_id, sender=sms.sender, contact_id=None,
                    received_at=tx.now,
                )
            )  # fmt: skip
        return None
    except IntegrityError:
        with store.transaction() as tx:
            found = tx.conn.execute(
                select(m.c.contact_id).where(m.c.message_id == sms.message_id)
            ).scalar()
        return str(found) if found else None  # None: the first try died half-way; redo it


def _intake(store: Store, sms: InboundSms) -> tuple[str, bool]:
    """The contact the text made (and whether it was made before). A retry of a known
    message never counts against its sender's rate; a throttled one may be retried."""
    from sqlalchemy import update

    from central import schema

    known = _claimed(store, sms)
    if known is not None:
        return known, True
    from central import rate_limit

    refused = rate_limit.check(
        store, "sms:" + sms.sender.strip(), limit=store.settings.open311.rate_per_minute,
        window_s=60,
    )  # fmt: skip
    if refused is not None:
        raise rate_limit.RateLimited(refused)
    from central.web.lookup import server_secret, store_code

    fields = {"service_code": SERVICE_CODE, "description": sms.text, "phone": sms.sender}
    req = validate_request(fields)
    secret = server_secret(store.db, store.settings.web.secret, store.now())
    codes: list[str] = []

    def lookup_code(tx: Any, contact_id: str) -> None:
        codes.append(store_code(tx.conn, secret, contact_id, "sms", tx.now))

    contact_id = store_request(store, req, channel="sms", also=lookup_code)
    m = schema.sms_messages
    with store.transaction() as tx:
        tx.conn.execute(
            update(m).where(m.c.message_id == sms.message_id).values(contact_id=contact_id)
        )
    text = received_text(contact_id, codes[0] if codes else None)
    send_quietly(gateway_from(store.settings), sms.sender, text)
    return contact_id, False


@router.post(
    "/inbound",
    response_model=InboundAnswer,
    summary="A text received by the SMS gateway",
)
async def inbound(
    request: Request,
    sms: InboundSms,
    x_sms_secret: Annotated[str | None, Header()] = None,
) -> Any:
    """Log the text as a web request (channel ``sms``) and text the citizen its number."""
    store = _store(request)
    _check_secret(store, x_sms_secret)
    if not _MESSAGE_ID.match(sms.message_id):
        raise BadBody("短信编号格式不正确", "message_id has characters outside [A-Za-z0-9._:@-]")
    try:
        contact_id, duplicate = await run_in_threadpool(_intake, store, sms)
    except Open311Error as exc:
        body = {"error": "rate_limited" if exc.status == 429 else "invalid"}
        body |= {"zh": exc.description, "en": exc.description}
        return JSONResponse(body, status_code=exc.status if exc.status == 429 else 422,
                            headers=exc.headers)  # fmt: skip
    return InboundAnswer(
        message_id=sms.message_id, service_request_id=contact_id, duplicate=duplicate
    )
