"""The citizen pages' defences: escaping, CSRF, throttles, headers, bounded input.

Citizen text is data, never markup: script, markup, template syntax, ANSI and control
characters in every field come back escaped (or refused beside their field), on the form,
the follow page and the public list. Every POST needs the cookie-bound token; failed
lookups and submissions are throttled per address; no input makes a 5xx.
"""

from __future__ import annotations

import pytest

from tests.central_reports.support import Server
from tests.web.conftest import Page, at, csrf_token, follow, steps, submit, with_settings
from tests.web.test_lifecycle import FreshSeat

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}{% raw %}"
ANSI = "\x1b[31mred\x1b[0m"
BELL = "ding\x07"
FIELDS = ("kind", "content", "place", "lat", "lon", "name", "phone", "channel", "confidential")


@pytest.mark.parametrize("payload", [SCRIPT, IMG, TEMPLATE, ANSI, BELL])
def test_every_field_echoes_escaped_or_refused(server: Server, payload: str) -> None:
    data = {name: payload for name in FIELDS}
    data["csrf_token"] = csrf_token(server)
    r = server.client.post("/citizen/submit", data=data)
    assert r.status_code == 422
    page = Page(r.text)
    flagged = {a["data-field"] for a in page.find("p") if "data-field" in a}
    assert {"kind", "channel", "lat", "lon", "phone"} <= flagged
    assert "<script>" not in r.text and "<img " not in r.text
    assert "\x1b" not in r.text and "\x07" not in r.text
    if payload in (SCRIPT, IMG):
        assert "&lt;script&gt;" in r.text or "&#34;&gt;&lt;img" in r.text


def test_markup_in_a_request_stays_text_on_every_page(server: Server) -> None:
    markup = f"{SCRIPT}{IMG}{TEMPLATE}"
    number, code = submit(
        server, kind="consultation", content=markup, place="<b>人民路</b>", name="<i>某</i>"
    )
    seat = FreshSeat(server)
    order_id = "QD-S01-2611-0001"
    server.clock.now = at(2, 10)
    done = seat.push(
        "agent1",
        "dispatch",
        order_id,
        contact_id=number,
        type="consultation",
        channel="web",
        content=markup,
        phone_declined=True,
        unit="U001",
    )
    assert done["status"] == "applied", done
    server.clock.now = at(3)
    assert seat.push("u1", "sign", order_id)["status"] == "applied"
    assert seat.push("u1", "reply", order_id, result=markup)["status"] == "applied"
    server.run("create_callback", order_id, {}, "system", at(3, 12))
    server.clock.now = at(4)
    cb = seat.push(
        "cb1", "record_callback", order_id, reached=True, resolved=True, satisfaction="satisfied"
    )
    assert cb["status"] == "applied", cb
    r = follow(server, number, code)
    assert steps(r.text)[-1] == "callback"
    public = server.client.get("/citizen/public")  # a consultation: published by default
    assert Page(public.text).find("li", data_number=order_id)
    for html in (r.text, public.text):
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "{{ 7*7 }}" in html  # shown literally, never evaluated


def test_post_without_a_valid_token_is_refused_with_a_page(server: Server) -> None:
    fields = {"kind": "consultation", "content": "你好", "channel": "web"}
    token = csrf_token(server)  # the client now holds the cookie
    cases = [
        {},  # no token
        {"csrf_token": ""},
        {"csrf_token": token[:-1] + ("0" if token[-1] != "0" else "1")},  # MAC altered
        {"csrf_token": "x" * 5000},
    ]
    for extra in cases:
        r = server.client.post("/citizen/submit", data={**fields, **extra})
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
        assert len(Page(r.text).find("h1")) == 1 and "error-message" in Page(r.text).texts
    # a valid token with another browser's cookie
    server.client.cookies.set("citizen_csrf", "someone-else", path="/citizen")
    r = server.client.post("/citizen/submit", data={**fields, "csrf_token": token})
    assert r.status_code == 403


def test_wrong_code_and_unknown_number_answer_alike_then_throttle(server: Server) -> None:
    with_settings(server, "web", follow_failures_per_minute=3)
    number, code = submit(server)
    wrong = follow(server, number, "WRONGCODE2")
    unknown = follow(server, "311-2026-999999", code)
    assert wrong.status_code == unknown.status_code == 404
    assert Page(wrong.text).texts["follow-error"] == Page(unknown.text).texts["follow-error"]
    assert wrong.text.replace(number, "N") == unknown.text.replace("311-2026-999999", "N")
    assert follow(server, number, "ABCDEFGH23").status_code == 404  # the third failure
    blocked = follow(server, number, "ABCDEFGH24")
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert follow(server, number, code).status_code == 429  # even the right code, for now


def test_the_right_code_works_in_any_case_and_spacing(server: Server) -> None:
    number, code = submit(server)
    assert follow(server, number, f" {code.lower()[:5]}-{code.lower()[5:]} ").status_code == 200


def test_lookup_code_is_stored_hashed(server: Server) -> None:
    from sqlalchemy import select

    from central import schema

    number, code = submit(server)
    with server.store.db.read() as conn:
        stored = conn.execute(select(schema.web_lookups)).one()
    assert stored.contact_id == number and code not in stored.code_hash
    assert len(stored.code_hash) == 64 and set(code) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def test_submissions_are_rate_limited_per_address(server: Server) -> None:
    with_settings(server, "open311", rate_per_minute=2)
    submit(server)
    submit(server)
    data = {"csrf_token": csrf_token(server), "kind": "consultation", "content": "第三次"}
    r = server.client.post("/citizen/submit", data=data)
    assert r.status_code == 429 and r.headers["retry-after"]
    assert "提交过于频繁" in r.text


def test_security_headers_on_every_page(server: Server) -> None:
    paths = [
        "/citizen/",
        "/citizen/submit",
        "/citizen/follow?number=1&code=2",
        "/citizen/public",
        "/citizen/static/site.css",
        "/citizen/nowhere",
    ]
    for path in paths:
        r = server.client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert server.client.get("/citizen/nowhere").status_code == 404
    assert server.client.post("/citizen/", data={}).status_code == 405


BAD_QUERIES = [
    "/citizen/follow?number=%00&code=%00",
    "/citizen/follow?number=" + "9" * 5000 + "&code=" + "A" * 5000,
    "/citizen/follow?number=%ED%A0%80&code=%FF",
    "/citizen/follow?number=311-2026-000001&code=%0A%0D",
    "/citizen/public?page=0",
    "/citizen/public?page=-1",
    "/citizen/public?page=99999999999999999999",
    "/citizen/public?page=abc",
    "/citizen/public?month=2026-13",
    "/citizen/public?month=%00",
    "/citizen/public?kind=%3Cscript%3E",
    "/citizen/public?unit=%00",
    "/citizen/public?q=%00",
    "/citizen/public?q=" + "%E8%B7%AF" * 2000,
    "/citizen/public?q=%25_%5C",
    "/citizen/?lang=%00",
    "/citizen/submit?channel=%3Cb%3E",
]


def test_bad_input_is_never_a_server_error(server: Server) -> None:
    for path in BAD_QUERIES:
        r = server.client.get(path)
        assert r.status_code < 500, (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
    token = csrf_token(server)
    bodies = [
        b"\xff\xfe",
        b"a=" + b"b" * 70_000,
        b"&".join(b"f%d=1" % i for i in range(200)),
        b"csrf_token=" + token.encode() + b"&content=%00&kind=help",
        b"csrf_token=" + token.encode() + b"&lat=nan&lon=inf&content=x",
        b"csrf_token=" + token.encode() + b"&lat=1e999&lon=-1e999&content=x",
        b"csrf_token=" + token.encode() + b"&content=" + b"x" * 5000,
    ]
    for body in bodies:
        r = server.client.post(
            "/citizen/submit",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert 400 <= r.status_code < 500, (body[:40], r.status_code)
        assert r.headers["content-type"].startswith("text/html")
