"""The follow page's timeline (办理进度) of one request, for whoever holds its code.

Built from the logged contact and, once an agent dispatched or linked it, from its work
order's events: received, accepted (or refused with the reason), dispatched to which unit
with the time limit in working days, extension, reply, callback result. Never personal
data and never staff names: the unit is named, its people are not; the reply has phone
and ID numbers and the citizen's own name, phone and address masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from central import schema
from central.store import Store
from central.web.strings import text

STEPS = ("received", "accepted", "refused", "dispatched", "extended", "replied", "callback")


@dataclass
class Step:
    step: str
    label: str
    at: datetime
    date: str
    iso: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Timeline:
    steps: list[Step]
    waiting: bool
    work_order: str | None = None
    """The work order's number once dispatched or linked (as on the public list)."""


def find_timeline(
    store: Store, secret: bytes, number: str, code: str, lang: str, names: dict[str, str]
) -> Timeline | None:
    """The timeline when ``code`` is ``number``'s lookup code, else None (same for both)."""
    from central.web.lookup import code_matches

    c = schema.contacts
    with store.db.read() as conn:
        ok = code_matches(conn, secret, number, code)
        if not ok:
            return None
        row = conn.execute(
            select(c.c.outcome, c.c.order_id, c.c.received_at, c.c.data).where(
                c.c.contact_id == number
            )
        ).first()
        if row is None:
            return None
        order = None
        if row.order_id:
            o = schema.orders
            snap = conn.execute(select(o.c.snapshot).where(o.c.order_id == row.order_id)).scalar()
            order = json.loads(snap) if snap else None
    return build(store, json.loads(row.data), row.outcome, row.received_at, order, names, lang)


def build(
    store: Store,
    contact: dict[str, Any],
    outcome: str,
    received_at: datetime,
    order: dict[str, Any] | None,
    names: dict[str, str],
    lang: str,
) -> Timeline:
    from central.web.public_list import scrub

    tz = store.settings.timezone
    steps = [_step("received", received_at, tz, lang)]
    triaged = _when(contact.get("triaged_at")) or received_at
    private = _private(contact, order)
    if outcome == "rejected":
        reason = contact.get("reject_reason")
        lines = (
            [f"{text('follow.reason', lang)}：{text('reason.' + reason, lang)}"]
            if reason in ("out_of_area", "emergency", "litigation", "secret", "vague")
            else []
        )
        steps.append(_step("refused", triaged, tz, lang, lines))
        return Timeline(steps, waiting=False)
    if outcome == "logged":
        return Timeline(steps, waiting=True)
    accepted = _step("accepted", triaged, tz, lang)
    if outcome == "answered":
        accepted.lines.append(text("step.answered", lang))
    steps.append(accepted)
    if order is None:
        return Timeline(steps, waiting=False)
    calendar = store.settings.calendar()
    timeline = Timeline(steps, waiting=False, work_order=str(order.get("order_id") or "") or None)
    for event in order.get("events") or []:
        kind, at, data = event.get("kind"), _when(event.get("at")), event.get("data") or {}
        if at is None:
            continue
        if kind in ("dispatched", "reassigned", "rehandled"):
            unit = data.get("unit") or order.get("unit") or ""
            deadline = _when(data.get("deadline"))
            lines = [f"{text('follow.unit', lang)}：{names.get(unit, unit)}"]
            if deadline is not None:
                days = _working_days(calendar, at, deadline, tz)
                lines.append(text("follow.deadline", lang, days=days, date=_date(deadline, tz)))
            steps.append(_step("dispatched", at, tz, lang, lines))
        elif kind == "extension_decided" and data.get("approved"):
            ext = order.get("extension") or {}
            new = _when(data.get("new_deadline") or ext.get("new_deadline"))
            lines = [text("follow.new_deadline", lang, date=_date(new, tz))] if new else []
            steps.append(_step("extended", at, tz, lang, lines))
        elif kind == "replied":
            reply = scrub(str(data.get("result") or ""), private)
            lines = [f"{text('follow.reply', lang)}：{reply}"] if reply else []
            steps.append(_step("replied", at, tz, lang, lines))
        elif kind == "callback_recorded":
            if data.get("reached"):
                sat = data.get("satisfaction")
                lines = (
                    [text("sat." + sat, lang)]
                    if sat in ("satisfied", "basically_satisfied", "dissatisfied")
                    else []
                )
            else:
                lines = [text("callback.unreached", lang)]
            steps.append(_step("callback", at, tz, lang, lines))
    return timeline


def _private(contact: dict[str, Any], order: dict[str, Any] | None) -> list[str]:
    values = [str(contact.get("caller_name") or ""), str(contact.get("caller_phone") or "")]
    extra = contact.get("open311") or {}
    values += [str(extra.get(k) or "") for k in ("address", "phone", "first_name", "last_name")]
    if order:
        values += [str(order.get(k) or "") for k in ("caller_name", "caller_phone", "address")]
    return values


def _working_days(calendar: Any, start: datetime, end: datetime, tz: str) -> int:
    from workstation.deadlines import local_date

    return int(calendar.working_days_between(local_date(start, tz), local_date(end, tz)))


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return value if isinstance(value, datetime) else None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _date(moment: datetime, tz: str) -> str:
    from workstation.deadlines import zone

    return moment.astimezone(zone(tz)).strftime("%Y-%m-%d")


def _step(step: str, at: datetime, tz: str, lang: str, lines: list[str] | None = None) -> Step:
    from workstation.deadlines import zone

    local = at.astimezone(zone(tz))
    return Step(
        step=step,
        label=text("step." + step, lang),
        at=at,
        date=local.strftime("%Y-%m-%d %H:%M"),
        iso=local.isoformat(),
        lines=lines or [],
    )
