"""The public answers (公开): closed orders only, published by the supervisor's decision or
by the type's default, never a confidential one, masked, filtered, searched and paged."""

from __future__ import annotations

from typing import Any

import pytest

from central.web.publication import ConfidentialNotPublishable
from tests.central_reports.support import Server
from tests.web.conftest import Page, at, with_settings
from workstation.errors import NotPermitted, UnknownOrder, ValidationError

PHONE = "13912346025"
NAME = "李四光"


def closed(
    server: Server,
    n: int,
    *,
    type: str = "consultation",
    unit: str = "U001",
    day: int = 2,
    month: int = 11,
    content: str = "小区路灯不亮",
    confidential: bool = False,
    close: bool = True,
) -> str:
    order_id = f"QD-S01-2611-{n:04d}"
    args = {
        "type": type,
        "content": f"{content}，我是{NAME}，电话 {PHONE}",
        "unit": unit,
        "caller_phone": PHONE,
        "caller_name": NAME,
        "contact_id": f"C-{n}",
        "confidential": confidential,
    }
    user = {"U001": "u1", "U002": "u2"}[unit]
    server.run("dispatch", order_id, args, "agent1", at(day, 9, month))
    if not close:
        return order_id
    server.run("sign", order_id, {}, user, at(day, 10, month))
    server.run("reply", order_id, {"result": f"已处理，已告知{NAME}"}, user, at(day, 11, month))
    server.run("create_callback", order_id, {}, "system", at(day, 12, month))
    callback = {"reached": True, "resolved": True, "satisfaction": "basically_satisfied"}
    server.run("record_callback", order_id, callback, "cb1", at(day, 13, month))
    return order_id


def listed(server: Server, query: str = "") -> list[str]:
    r = server.client.get("/citizen/public" + query)
    assert r.status_code == 200, r.text
    shown = r.text[r.text.index('<ul id="public-list"') :]  # the search box echoes the query
    assert NAME not in shown and PHONE not in shown
    return [a["data-number"] for a in Page(r.text).find("li") if "data-number" in a]


def publish(server: Server, order_id: str, published: Any, user: str = "sup") -> Any:
    args = {"order_id": order_id, "published": published}
    return server.run("set_publication", None, args, user, at(20))  # type: ignore[arg-type]


def test_defaults_per_type_and_the_supervisors_decision(server: Server) -> None:
    consultation = closed(server, 1, type="consultation")
    complaint = closed(server, 2, type="complaint", day=3)
    suggestion = closed(server, 3, type="suggestion", day=4)
    still_open = closed(server, 4, type="consultation", close=False)
    assert listed(server) == [suggestion, consultation]
    publish(server, complaint, True)
    publish(server, consultation, False)
    assert listed(server) == [suggestion, complaint]
    publish(server, still_open, True)  # decided ahead; shown only once closed
    assert still_open not in listed(server)
    with_settings(server, "web", publish_by_default=("complaint",))
    assert listed(server) == [complaint]


def test_a_confidential_order_is_never_public(server: Server) -> None:
    secret = closed(server, 1, type="consultation", confidential=True)
    assert listed(server) == []
    with pytest.raises(ConfidentialNotPublishable) as info:
        publish(server, secret, True)
    assert "保密" in info.value.zh and "confidential" in info.value.en
    publish(server, secret, False)  # withholding it is fine
    assert listed(server) == []


def test_only_supervisors_decide_and_args_are_checked(server: Server) -> None:
    order_id = closed(server, 1)
    with pytest.raises(NotPermitted):
        publish(server, order_id, True, user="agent1")
    with pytest.raises(UnknownOrder):
        publish(server, "QD-S01-2611-9999", True)
    with pytest.raises(ValidationError):
        publish(server, order_id, "yes")
    other = closed(server, 2, type="complaint", day=3)
    with pytest.raises(ValidationError):  # the envelope and the args name different orders
        server.run(
            "set_publication", order_id, {"order_id": other, "published": True}, "sup", at(20)
        )
    server.run("set_publication", other, {"published": True}, "sup", at(20))  # envelope only
    assert other in listed(server)


def test_content_and_reply_are_masked(server: Server) -> None:
    order_id = closed(server, 1)
    r = server.client.get("/citizen/public")
    item = Page(r.text)
    assert item.find("li", data_number=order_id)
    assert "139****6025" in r.text and "李**" in r.text and "已处理" in r.text
    assert "基本满意" in r.text and "启东市汇龙镇人民政府" in r.text


def test_filters_by_kind_unit_and_month(server: Server) -> None:
    a = closed(server, 1, type="consultation", unit="U001", day=2)
    b = closed(server, 2, type="suggestion", unit="U002", day=3)
    c = closed(server, 3, type="consultation", unit="U002", day=1, month=12)
    assert listed(server) == [c, b, a]
    assert listed(server, "?kind=suggestion") == [b]
    assert listed(server, "?unit=U002") == [c, b]
    assert listed(server, "?month=2026-11") == [b, a]
    assert listed(server, "?month=2026-12&unit=U002&kind=consultation") == [c]
    assert listed(server, "?month=2025-01") == []


def test_search_matches_the_masked_text_only(server: Server) -> None:
    lamp = closed(server, 1, content="人民路路灯不亮")
    closed(server, 2, content="噪声扰民", day=3)
    assert listed(server, "?q=路灯") == [lamp]
    assert listed(server, f"?q={PHONE}") == []
    assert listed(server, f"?q={NAME}") == []
    assert listed(server, "?q=%25") == []  # LIKE wildcards are literal


def test_pages_link_to_each_other(server: Server) -> None:
    with_settings(server, "web", page_size=2)
    ids = [closed(server, n, day=n + 1) for n in range(1, 6)]
    newest_first = list(reversed(ids))
    seen = []
    for page in (1, 2, 3):
        r = server.client.get(f"/citizen/public?page={page}")
        html = Page(r.text)
        seen += [a["data-number"] for a in html.find("li") if "data-number" in a]
        assert bool(html.find("a", rel="prev")) == (page > 1)
        assert bool(html.find("a", rel="next")) == (page < 3)
    assert seen == newest_first
    nxt = Page(server.client.get("/citizen/public?kind=consultation").text).find("a", rel="next")
    assert nxt[0]["href"] == "/citizen/public?kind=consultation&page=2"
    r = server.client.get("/citizen/public?q=路灯&page=2")
    assert [a["data-number"] for a in Page(r.text).find("li") if "data-number" in a] == (
        newest_first[2:4]
    )
