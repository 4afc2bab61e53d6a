"""The public answers (公开): closed orders the city publishes, personal data masked.

Shown: closed orders (``state = closed``), never a confidential one, that a supervisor
published (``order_publication``) or, without a decision, whose type is in
``[web] publish_by_default``. Each shows its content and reply with phone and ID numbers
masked (``workstation.masking.mask_text``) and the caller's own name, phone and address
starred; the unit's name; dates; the callback's satisfaction. Newest closed first,
filtered by kind, unit and month, searched in the *masked* text only (a phone number
typed into the search box finds nothing: ``public_search``, the closed orders' content and
reply, narrows; the masked text decides), one page at a time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_, select, true

from central import schema
from central.open311_intake import ID_PREFIX
from central.store import Store

KINDS = ("consultation", "help", "complaint", "suggestion")
MAX_PAGE = 500
MAX_Q = 100
BATCH = 200
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def scrub(text_: str, private: list[str]) -> str:
    """``text_`` with the caller's own details starred and phone/ID numbers masked."""
    from workstation.masking import mask_name, mask_text

    text_ = mask_text(text_)
    for value in sorted({v.strip() for v in private if len(v.strip()) >= 2}, key=len, reverse=True):
        text_ = text_.replace(value, mask_name(value) if len(value) <= 4 else "*" * len(value))
    return text_


@dataclass
class PublicFilter:
    q: str = ""
    kind: str = ""
    unit: str = ""
    month: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: dict[str, str]) -> tuple[PublicFilter, bool]:
        """The filter and whether any value was refused (shown as typed, bounded)."""
        f = cls(
            q=params.get("q", "")[:MAX_Q].strip(),
            kind=params.get("kind", "")[:16],
            unit=params.get("unit", "")[:32],
            month=params.get("month", "")[:7].strip(),
        )
        bad = len(params.get("q", "")) > MAX_Q or any(
            ch < " " for ch in params.get("q", "") + f.unit
        )
        if f.kind and f.kind not in KINDS:
            bad = True
        if f.month and not _MONTH.match(f.month):
            bad = True
        raw_page = params.get("page", "1")[:6]
        if raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
            f.page = int(raw_page)
        elif raw_page:
            bad = True
        return f, bad

    def query(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("q", self.q),
                ("kind", self.kind),
                ("unit", self.unit),
                ("month", self.month),
            )
            if v
        }


@dataclass
class PublicItem:
    number: str
    requests: str
    """The web requests (``311-…``) the order answers, space-separated: what the citizen
    was given on the submit page (public anyway through Open311's status)."""
    kind: str
    unit: str
    unit_name: str
    content: str
    reply: str
    received: str
    received_iso: str
    closed: str
    closed_iso: str
    satisfaction: str | None


@dataclass
class PublicPage:
    items: list[PublicItem] = field(default_factory=list)
    more: bool = False


def _month_range(month: str, tz: str) -> tuple[datetime, datetime]:
    from workstation.deadlines import zone

    year, mon = int(month[:4]), int(month[5:])
    start = datetime(year, mon, 1, tzinfo=zone(tz))
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=zone(tz))
    return start, end


def _statement(store: Store, f: PublicFilter) -> Any:
    o, p = schema.orders, schema.order_publication
    defaults = list(store.settings.web.publish_by_default)
    published = or_(
        p.c.published == true(),
        and_(p.c.order_id.is_(None), o.c.type.in_(defaults) if defaults else false()),
    )
    stmt = (
        select(o.c.order_id, o.c.snapshot, o.c.closed_at)
        .select_from(o.outerjoin(p, p.c.order_id == o.c.order_id))
        .where(o.c.state == "closed", o.c.confidential == false(), published)
    )
    if f.kind:
        stmt = stmt.where(o.c.type == f.kind)
    if f.unit:
        stmt = stmt.where(o.c.unit == f.unit)
    if f.month:
        start, end = _month_range(f.month, store.settings.timezone)
        stmt = stmt.where(o.c.closed_at >= start, o.c.closed_at < end)
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        s = schema.public_search
        found = select(s.c.order_id).where(s.c.text.like(like, escape="\\"))
        stmt = stmt.where(o.c.order_id.in_(found))
    return stmt.order_by(o.c.closed_at.desc(), o.c.order_id.desc())


def find_public(store: Store, f: PublicFilter, names: dict[str, str]) -> PublicPage:
    """One page of the public list; ``more`` when a next page has items."""
    size = store.settings.web.page_size
    skip = (f.page - 1) * size
    stmt = _statement(store, f)
    out: list[PublicItem] = []
    with store.db.read() as conn:
        if not f.q:  # every row qualifies: let the database skip
            rows = conn.execute(stmt.offset(skip).limit(size + 1)).all()
            out = [item for r in rows if (item := public_item(store, r, names)) is not None]
            return PublicPage(out[:size], more=len(out) > size)
        offset, seen = 0, 0
        while True:  # the search matched the stored text; keep what matches once masked
            rows = conn.execute(stmt.offset(offset).limit(BATCH)).all()
            for r in rows:
                item = public_item(store, r, names)
                if item is None or f.q not in item.content + "\n" + item.reply:
                    continue
                seen += 1
                if seen > skip:
                    out.append(item)
                    if len(out) > size:
                        return PublicPage(out[:size], more=True)
            if len(rows) < BATCH:
                return PublicPage(out, more=False)
            offset += BATCH


def index_closed_order(tx: Any, order: Any) -> None:
    """Keep a closing order's content and reply for the search (in its transaction)."""
    s = schema.public_search
    text_ = f"{order.content}\n{order.reply}"
    tx.conn.execute(s.delete().where(s.c.order_id == order.order_id))
    tx.conn.execute(s.insert().values(order_id=order.order_id, text=text_))


def public_item(store: Store, row: Any, names: dict[str, str]) -> PublicItem | None:
    from workstation.deadlines import zone

    snap = json.loads(row.snapshot)
    if snap.get("confidential") or snap.get("state") != "closed":
        return None
    private = [str(snap.get(k) or "") for k in ("caller_name", "caller_phone", "address")]
    tz = zone(store.settings.timezone)
    created = datetime.fromisoformat(snap["created_at"]).astimezone(tz)
    closed = (row.closed_at or created).astimezone(tz)
    unit = str(snap.get("unit") or "")
    callback = snap.get("callback") or {}
    sat = callback.get("satisfaction")
    return PublicItem(
        number=str(snap["order_id"]),
        requests=" ".join(c for c in snap.get("contact_ids") or [] if str(c).startswith(ID_PREFIX)),
        kind=str(snap.get("type") or ""),
        unit=unit,
        unit_name=names.get(unit, unit),
        content=scrub(str(snap.get("content") or ""), private),
        reply=scrub(str(snap.get("reply") or ""), private),
        received=created.strftime("%Y-%m-%d"),
        received_iso=created.isoformat(),
        closed=closed.strftime("%Y-%m-%d"),
        closed_iso=closed.isoformat(),
        satisfaction=sat if sat in ("satisfied", "basically_satisfied", "dissatisfied") else None,
    )


class UnitNames:
    """The routing directory's names by code, re-read at most every few seconds (as
    ``Store.context`` does with the codes): every page names units, few change them."""

    TTL_S = 5.0

    def __init__(self) -> None:
        self._cached: tuple[float, dict[str, str]] | None = None

    def get(self, store: Store) -> dict[str, str]:
        import time

        cached = self._cached
        if cached is None or time.monotonic() - cached[0] > self.TTL_S:
            u = schema.units
            with store.db.read() as conn:
                rows = conn.execute(select(u.c.code, u.c.name).order_by(u.c.code)).all()
            cached = (time.monotonic(), {r.code: r.name for r in rows})
            self._cached = cached
        return cached[1]
