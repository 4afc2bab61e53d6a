"""Urging notices (催办通知书) and criticism notices (通报批评): numbered, stored, printable.

Numbers come from a counter per kind and year (``催办〔2026〕0001号`` with the default
prefixes of ``[notices]`` in the settings). The number is taken inside the transaction of
the ``urge``/``criticise`` command, so a refused command gives its number back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central import schema
from central.accounts import get_unit
from central.changes import Change, Tx, author_scopes
from central.order_tables import next_counter
from workstation.models import Actor, NoticeKind
from workstation.orders import WorkOrder

KIND_OF_COMMAND = {"urge": NoticeKind.URGING, "criticise": NoticeKind.CRITICISM}


def allocate_number(tx: Tx, kind: NoticeKind, settings: Any) -> tuple[str, int, int]:
    """(number, year, serial) for the next notice of ``kind`` this year (city time)."""
    from workstation.deadlines import local_date

    year = local_date(tx.now, settings.timezone).year
    serial = next_counter(tx, f"notice:{kind.value}:{year}")
    return settings.notices.number(kind.value, year, serial), year, serial


def _text(
    kind: NoticeKind,
    number: str,
    order: WorkOrder,
    unit_name: str,
    leader: str,
    city: str,
    now: datetime,
    tz: str,
) -> str:
    from workstation.deadlines import zone

    local = now.astimezone(zone(tz))
    deadline = order.deadline.astimezone(zone(tz))
    title = "催办通知书" if kind is NoticeKind.URGING else "通报批评"
    body = (
        f"{unit_name}：\n"
        f"　　工单 {order.order_id}（{order.type.zh}）于 {order.dispatched_at.astimezone(zone(tz)):%Y年%m月%d日} "
        f"派至你单位，办理期限为 {deadline:%Y年%m月%d日 %H:%M}，至今未办结答复，已超过办理期限。"
    )
    if kind is NoticeKind.URGING:
        body += "请接此通知后立即办理，并将办理结果答复热线督查中心。"
    else:
        body += "经催办后仍未办理答复，现予通报批评。请立即整改，限期办结并书面说明原因。"
    lines = [f"{city}12345政务服务热线", title, number, "", body, ""]
    if leader:
        lines.append(f"抄送：{leader}")
    lines.append(f"{city}12345政务服务热线督查中心　{local:%Y年%m月%d日}")
    return "\n".join(lines)


def store_notice(
    tx: Tx,
    command: str,
    number: str,
    year: int,
    serial: int,
    order: WorkOrder,
    actor: Actor,
    settings: Any,
) -> dict[str, Any]:
    """Record the notice for ``order`` and emit it to the unit (and staff)."""
    kind = KIND_OF_COMMAND[command]
    unit = get_unit(tx.conn, order.unit)
    leader = unit.leader if unit else ""
    text = _text(
        kind,
        number,
        order,
        unit.name if unit else order.unit,
        leader,
        settings.city,
        tx.now,
        settings.timezone,
    )
    row = {
        "number": number,
        "kind": kind.value,
        "year": year,
        "serial": serial,
        "order_id": order.order_id,
        "unit": order.unit,
        "copied_to": leader,
        "issued_at": tx.now,
        "issued_by": actor.user,
        "text": text,
    }
    tx.conn.execute(schema.notices.insert().values(**row))
    data = {**row, "issued_at": tx.now.isoformat()}
    scopes = author_scopes(order.seat, order.created_by)
    tx.emit(Change("notice", number, data, units=(order.unit,), scopes=scopes))
    return data
