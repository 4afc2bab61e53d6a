"""The demo's citizen requests: submitted on the real web page, then taken through every
state the follow page and the public list show.

Each request is posted to ``/citizen/submit`` of the running demo server (so it has a
number and a lookup code like any citizen's), then triaged and handled through the
server's own command path (``execute_command``, the rules every seat's push meets):
received (waiting in the agents' web-request queue), refused, dispatched, extended,
replied, called back (closed, published by default), a complaint a supervisor published,
and a confidential one that never appears. The numbers and codes are written to
``citizen-demo.txt`` in the demo directory (a code is shown only once).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

RECEIPTS = "citizen-demo.txt"
UNIT = "U001"
REQUESTS = [  # (state, kind, content, place, name, phone, channel, confidential)
    ("received", "consultation", "请问新生儿医保怎么办理？需要带哪些材料？", "", "", "", "web", False),
    ("refused", "complaint", "海门区某小区物业乱收费，希望处理。", "海门区", "王先生", "13900001111", "web", False),
    ("dispatched", "help", "和平路公交站的雨棚被风吹坏了，有掉下来的危险。", "和平路公交站", "赵女士", "13900002222", "mailbox", False),
    ("extended", "complaint", "紫薇路两边的下水道堵塞，下雨就积水。", "紫薇路", "孙先生", "13900003333", "web", False),
    ("replied", "suggestion", "建议在江海路口增设非机动车等候区。", "江海路口", "", "", "mailbox", False),
    ("called back", "consultation", "想咨询一下灵活就业人员怎么缴纳社保。", "", "", "", "web", False),
    ("published", "complaint", "市场路菜场门口占道经营严重，早高峰堵车。", "市场路菜场", "钱先生", "13900005555", "web", False),
    ("confidential", "consultation", "想咨询单位拖欠工资怎么维权。", "", "李女士", "13900006666", "web", True),
]  # fmt: skip


def submit(base_url: str, fields: dict[str, str]) -> tuple[str, str]:
    """Post the form as a browser does: (order number, lookup code)."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=10) as client:
        form = client.get("/citizen/submit").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        if token is None:
            raise RuntimeError("no CSRF token on /citizen/submit")
        r = client.post("/citizen/submit", data={"csrf_token": token.group(1), **fields})
        number = re.search(r'id="order-number">([^<]+)<', r.text)
        code = re.search(r'id="lookup-code">([^<]+)<', r.text)
        if r.status_code != 200 or number is None or code is None:
            raise RuntimeError(f"submit answered {r.status_code}")
        return number.group(1), code.group(1)


def seed_citizen_requests(base_url: str, db_url: str, root: Path, log: Any = print) -> None:
    """Submit the demo requests and move each to its state; write the receipts file."""
    from central.store import Store

    store = Store.open(db_url)
    lines = []
    try:
        for n, (state, kind, content, place, name, phone, channel, secret) in enumerate(
            REQUESTS, 1
        ):
            fields = {"kind": kind, "content": content, "place": place, "name": name}
            fields |= {"phone": phone, "channel": channel}
            if secret:
                fields["confidential"] = "1"
            number, code = submit(base_url, fields)
            order_id = _advance(store, state, n, number, kind, content, name, phone, channel)
            lines.append(f"{state}\t{number}\t{code}\t{order_id or ''}")
    finally:
        store.db.dispose()
    (root / RECEIPTS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"citizen demo requests (state, number, lookup code): {root / RECEIPTS}")


def print_receipts(base_url: str, root: Path, log: Any = print) -> None:
    """A follow link per demo request (number and code in the address)."""
    path = root / RECEIPTS
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            state, number, code, *_ = line.split("\t")
            log(f"  {state:<13} {base_url}/citizen/follow?number={number}&code={code}")


def _advance(
    store: Any,
    state: str,
    n: int,
    number: str,
    kind: str,
    content: str,
    name: str,
    phone: str,
    channel: str,
) -> str | None:
    from central.commands import execute_command
    from workstation.models import Actor, Role

    agent = Actor("demo-agent", Role.AGENT, None, "S01")
    unit = Actor("demo-unit", Role.UNIT, UNIT, "S01")
    supervisor = Actor("demo-super", Role.SUPERVISOR, None, "S01")
    callback = Actor("demo-callback", Role.CALLBACK, None, "S01")
    system = Actor("system", Role.SYSTEM)

    def run(actor: Actor, command: str, order_id: str | None, args: dict[str, Any]) -> Any:
        with store.transaction() as tx:
            order, _ = execute_command(store, tx, command, order_id, args, actor)
        return order

    if state == "received":
        return None
    if state == "refused":
        run(agent, "reject_contact", None, {
            "contact_id": number, "reason": "out_of_area", "content": content, "channel": channel,
            "explanation": "属海门区管辖，请拨打当地 12345。",
        })  # fmt: skip
        return None
    order_id = f"QD-W01-{store.now():%y%m}-{n:04d}"
    order = run(agent, "dispatch", order_id, {
        "contact_id": number, "type": kind, "channel": channel, "content": content,
        "caller_name": name, "caller_phone": phone, "phone_declined": not phone, "unit": UNIT,
    })  # fmt: skip
    if state == "dispatched":
        return order_id
    run(unit, "sign", order_id, {})
    if state == "extended":
        new = (order.deadline + timedelta(days=10)).date().isoformat()
        run(unit, "request_extension", order_id, {"new_deadline": new, "reason": "需协调施工"})
        run(supervisor, "decide_extension", order_id, {"approved": True, "comment": "同意"})
        return order_id
    run(unit, "reply", order_id, {"result": "已现场核实并处理，感谢您的反映。"})
    if state == "replied":
        return order_id
    run(system, "create_callback", order_id, {})
    run(callback, "record_callback", order_id, {
        "reached": True, "resolved": True, "satisfaction": "satisfied", "comment": "满意",
    })  # fmt: skip
    if state == "published":
        run(supervisor, "set_publication", None, {"order_id": order_id, "published": True})
    return order_id
