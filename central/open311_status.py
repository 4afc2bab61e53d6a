"""Public status of Open311 requests (GET ``requests`` and ``requests/{id}``).

Only requests made through the Open311 endpoint are published (ids ``311-YYYY-NNNNNN``);
a phone caller never consented to publication. The public view is built from the logged
contact and, once an agent has turned it into a work order (the contact row's
``order_id``), from that order: status ``closed`` when the order is closed or recalled,
or the contact was answered or not accepted; ``agency_responsible`` is the handling
unit's name. Never personal data: no name, phone, e-mail, address, address id or media;
the description goes through ``mask_text`` and has the submitter's own details starred.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy import Connection, select

from central import schema
from central.open311_http import FMT, PREFIX, answer, app_store
from central.open311_intake import ID_PREFIX, Open311Error, catalogue, check_text

router = APIRouter(prefix=PREFIX, tags=["open311"])

MAX_IDS = 100
MAX_RESULTS = 1000
DEFAULT_DAYS = 90

_CONTACT_NOTES = {
    "logged": ("open", "已登记，等待受理", "logged; awaiting review"),
    "answered": ("closed", "已直接答复", "answered"),
    "rejected": ("closed", "不予受理", "not accepted"),
    "dispatched": ("open", "已派单办理", "dispatched to a handling unit"),
    "linked": ("open", "已并入同一事项的工单", "joined an open order about the same matter"),
}
_CLOSED_STATES = ("closed", "recalled")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Dates a status query may name: outside them nothing was filed, and near year 1 or
9999 the date arithmetic itself overflows."""
PARAM_LIMITS = {
    "service_request_id": MAX_IDS * 65,
    "service_code": 64,
    "start_date": 64,
    "end_date": 64,
    "status": 20,
    "lang": 8,
}


def _private_values(extra: dict[str, Any]) -> list[tuple[str, str]]:
    """The submitter's own details, each with its masked form, longest first."""
    from workstation.masking import mask_name, mask_phone

    first, last = extra.get("first_name") or "", extra.get("last_name") or ""
    pairs = [(n, mask_name(n)) for n in (last + first, f"{first} {last}".strip(), first, last)]
    pairs.append((extra.get("phone") or "", mask_phone(extra.get("phone") or "")))
    for key in ("email", "address", "address_id"):
        value = extra.get(key) or ""
        pairs.append((value, "*" * len(value)))
    found = {value: masked for value, masked in pairs if len(value) >= 2}
    return sorted(found.items(), key=lambda p: len(p[0]), reverse=True)


def public_description(extra: dict[str, Any]) -> str | None:
    """The description with phone/ID numbers and the submitter's own details masked."""
    from workstation.masking import mask_text

    text = extra.get("description") or ""
    for value, masked in _private_values(extra):
        text = text.replace(value, masked)
    return mask_text(text)[:4000] or None


def iso(moment: datetime | None, tz: str) -> str | None:
    from workstation.deadlines import zone

    return None if moment is None else moment.astimezone(zone(tz)).isoformat()


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def public_request(
    row: Any, order: dict[str, Any] | None, unit_name: str | None, tz: str
) -> dict[str, Any]:
    data = json.loads(row.data)
    extra = data.get("open311") or {}
    status, zh, en = _CONTACT_NOTES.get(row.outcome, ("open", "处理中", "in progress"))
    updated = row.received_at
    expected = None
    agency = None
    if order is not None:
        from workstation.models import OrderState
        from workstation.permissions import STATE_LABELS

        state = OrderState(order["state"])
        zh, en = STATE_LABELS[state]
        status = "closed" if state.value in _CLOSED_STATES else "open"
        events = order.get("events") or []
        if events:
            updated = datetime.fromisoformat(events[-1]["at"])
        if status == "open":
            expected = datetime.fromisoformat(order["deadline"])
        agency = unit_name or order.get("unit")
    service = catalogue()["by_code"].get(extra.get("service_code"))
    return {
        "service_request_id": row.contact_id,
        "status": status,
        "status_notes": f"{zh} ({en})",
        "service_name": service["name_zh"] if service else None,
        "service_code": extra.get("service_code") or "",
        "description": public_description(extra),
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": iso(row.received_at, tz),
        "updated_datetime": iso(updated, tz),
        "expected_datetime": iso(expected, tz),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": _round(extra.get("lat")),
        "long": _round(extra.get("long")),
        "media_url": None,
    }


def _orders_and_units(
    conn: Connection, order_ids: set[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    o, u = schema.orders, schema.units
    orders: dict[str, dict[str, Any]] = {}
    if order_ids:
        rows = conn.execute(select(o.c.order_id, o.c.snapshot).where(o.c.order_id.in_(order_ids)))
        orders = {r.order_id: json.loads(r.snapshot) for r in rows}
    names = dict(conn.execute(select(u.c.code, u.c.name)).all()) if orders else {}
    return orders, names


def find_requests(
    store: Any,
    ids: list[str] | None,
    service_code: str | None,
    start: datetime | None,
    end: datetime | None,
    status: set[str] | None,
) -> list[dict[str, Any]]:
    """Public views of the matching Open311 requests, newest first (at most 1,000)."""
    c = schema.contacts
    cols = (c.c.contact_id, c.c.order_id, c.c.outcome, c.c.received_at, c.c.data)
    # Logged by this endpoint: the id prefix here, the stored request (``open311``) below;
    # an agent's triage keeps both and fills in seat, agent, outcome and order.
    stmt = select(*cols).where(c.c.contact_id.like(ID_PREFIX + "%"))
    if ids is not None:
        stmt = stmt.where(c.c.contact_id.in_(ids))
    if start is not None:
        stmt = stmt.where(c.c.received_at >= start)
    if end is not None:
        stmt = stmt.where(c.c.received_at <= end)
    stmt = stmt.order_by(c.c.received_at.desc(), c.c.contact_id.desc()).limit(MAX_RESULTS * 5)
    tz = store.settings.timezone
    out: list[dict[str, Any]] = []
    with store.db.read() as conn:
        rows = conn.execute(stmt).all()
        orders, names = _orders_and_units(conn, {r.order_id for r in rows if r.order_id})
    for row in rows:
        if '"open311":' not in row.data:  # a key only this endpoint writes (values are escaped)
            continue
        order = orders.get(row.order_id) if row.order_id else None
        view = public_request(row, order, names.get(order["unit"]) if order else None, tz)
        if service_code is not None and view["service_code"] != service_code:
            continue
        if status is not None and view["status"] not in status:
            continue
        out.append(view)
        if len(out) >= MAX_RESULTS:
            break
    return out


def _when(value: str | None, name: str, tz: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        from workstation.deadlines import zone

        moment = moment.replace(tzinfo=zone(tz))
    try:  # year 1 at -14:00 or 9999 at +14:00 overflows on the way to UTC
        in_range = EARLIEST <= moment.astimezone(UTC) <= LATEST
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise Open311Error(
            400, f"{name} must lie between {EARLIEST.year} and {LATEST.year - 1} (日期超出范围)"
        )
    return moment


def _statuses(value: str | None) -> set[str] | None:
    if not value:
        return None
    wanted = {s.strip() for s in value.split(",")}
    if not wanted <= {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or open,closed")
    return wanted


@router.get("/requests.{fmt}", summary="Public status of requests")
def list_requests(
    request: Request,
    fmt: Annotated[str, FMT],
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> Any:
    """Requests made through this endpoint (default: the last 90 days, at most 1,000)."""

    def build() -> list[dict[str, Any]]:
        check_text(dict(request.query_params), PARAM_LIMITS)
        store = app_store(request)
        tz = store.settings.timezone
        ids = None
        if service_request_id:
            ids = [i.strip() for i in service_request_id.split(",") if i.strip()]
            if len(ids) > MAX_IDS:
                raise Open311Error(400, f"at most {MAX_IDS} service_request_id values")
        start, end = _when(start_date, "start_date", tz), _when(end_date, "end_date", tz)
        if ids is None:
            if end is None:
                end = store.now()
            if start is None:
                start = end - timedelta(days=DEFAULT_DAYS)
            if end < start:
                raise Open311Error(400, "end_date is before start_date")
            if end - start > timedelta(days=DEFAULT_DAYS):
                raise Open311Error(400, f"the date range may span at most {DEFAULT_DAYS} days")
        return find_requests(store, ids, service_code or None, start, end, _statuses(status))

    return answer(fmt, "requests", build)


def _one(request: Request, fmt: str, service_request_id: str) -> Any:
    def build() -> list[dict[str, Any]]:
        check_text({"service_request_id": service_request_id}, {"service_request_id": 64})
        found = []
        if service_request_id.startswith(ID_PREFIX) and len(service_request_id) <= 64:
            found = find_requests(app_store(request), [service_request_id], None, None, None, None)
        if not found:
            raise Open311Error(404, f"service_request_id {service_request_id[:64]!r} not found")
        return found

    return answer(fmt, "requests", build)


@router.get("/requests/{service_request_id}.{fmt}", summary="Public status of one request")
def get_request(request: Request, service_request_id: str, fmt: Annotated[str, FMT]) -> Any:
    """One request as a one-item list (the specification's form)."""
    return _one(request, fmt, service_request_id)


@router.get("/request/{service_request_id}.{fmt}", include_in_schema=False)
def get_request_swagger_path(
    request: Request, service_request_id: str, fmt: Annotated[str, FMT]
) -> Any:
    """The path as the Swagger description writes it (``request`` in the singular)."""
    return _one(request, fmt, service_request_id)
