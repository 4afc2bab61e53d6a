"""Open311 GeoReport v2: discovery, services, posting and public status, JSON and XML.

Every successful response is validated against the specification's JSON schemas; every
error is the specification's array of ``{code, description}`` with the HTTP status.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import select, update

from central import schema
from tests.central_reports.support import Server

BASE = "/open311/v2"
FORM = {
    "service_code": "QD-003",
    "lat": "31.8102349",
    "long": "121.6571234",
    "address_string": "汇龙镇人民中路88号3幢201室",
    "first_name": "三",
    "last_name": "张",
    "phone": "13912346025",
    "email": "zhangsan@example.com",
    "description": "人民中路路灯不亮已经一周，我是张三，电话13912346025，身份证320681199001011234",
    "attribute[request_type]": "complaint",
}


def post(server: Server, data: dict | None = None, fmt: str = "json", **kw):  # type: ignore[no-untyped-def]
    return server.client.post(f"{BASE}/requests.{fmt}", data=FORM if data is None else data, **kw)


def assert_spec_error(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["code"] == status and body[0]["description"]


def test_discovery(server: Server) -> None:
    doc = server.client.get(f"{BASE}/discovery.json").json()
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert "text/xml" in endpoint["formats"]
    root = ElementTree.fromstring(server.client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format") is not None


def test_services_validate_in_both_languages(server: Server, validate) -> None:  # type: ignore[no-untyped-def]
    services = server.client.get(f"{BASE}/services.json").json()
    validate("services", services)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["QD-003"]["service_name"] == "路灯照明"
    english = server.client.get(f"{BASE}/services.json", params={"lang": "en"}).json()
    assert {s["service_code"]: s for s in english}["QD-003"]["service_name"] == "Street lighting"
    assert len(services) == len(english) >= 20
    assert_spec_error(server.client.get(f"{BASE}/services.json", params={"lang": "fr"}), 400)
    r = server.client.get(f"{BASE}/services.xml")
    assert r.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(r.content)
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    assert root.findtext("service/metadata") == "true"


def test_service_definition(server: Server, validate) -> None:  # type: ignore[no-untyped-def]
    definition = server.client.get(f"{BASE}/services/QD-003.json").json()
    validate("service-definition", definition)
    values = definition["attributes"][0]["values"]
    assert {"key": "complaint", "name": "投诉"} in values
    root = ElementTree.fromstring(server.client.get(f"{BASE}/services/QD-003.xml").content)
    assert root.tag == "service_definition"
    assert len(root.findall("attributes/attribute/values/value")) == 4
    assert_spec_error(server.client.get(f"{BASE}/services/NOPE.json"), 404)
    xml_error = server.client.get(f"{BASE}/services/NOPE.xml")
    assert xml_error.status_code == 404
    root = ElementTree.fromstring(xml_error.content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"
    assert_spec_error(server.client.get(f"{BASE}/services.html"), 404)


def test_post_logs_a_contact_for_triage(server: Server) -> None:
    r = post(server)
    assert r.status_code == 200, r.text
    [created] = r.json()
    request_id = created["service_request_id"]
    assert request_id == "311-2026-000001" and created["service_notice"]
    with server.store.db.read() as conn:
        row = conn.execute(
            select(schema.contacts).where(schema.contacts.c.contact_id == request_id)
        ).one()
    data = json.loads(row.data)
    assert (row.outcome, row.order_id, data["channel"], data["type"]) == (
        "logged",
        None,
        "web",
        "complaint",
    )
    assert data["caller_name"] == "张三" and data["caller_phone"] == "13912346025"
    assert "人民中路88号" in data["content"]  # the agent sees the address
    assert data["open311"]["service_code"] == "QD-003"
    mobile = post(server, {**FORM, "device_id": "phone-1"})
    assert mobile.json()[0]["service_request_id"] == "311-2026-000002"
    # Agents and supervisors get it through the pull; a unit user never does.
    for user, visible in (("sup", True), ("agent1", True), ("u1", False)):
        pulled = server.client.get("/api/v1/sync/pull", headers=server.login(user)).json()
        contacts = {c["key"]: c for c in pulled["changes"] if c["entity"] == "contact"}
        assert (request_id in contacts) is visible, user
        if visible:
            assert contacts["311-2026-000002"]["data"]["channel"] == "mobile"
            assert contacts[request_id]["data"]["outcome"] == "logged"


def test_post_xml_and_json_body(server: Server) -> None:
    r = post(server, fmt="xml")
    assert r.status_code == 200
    root = ElementTree.fromstring(r.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id", "").startswith("311-")
    body = {
        "service_code": "QD-021",
        "description": "怎么办理居住证？",
        "attribute": {"request_type": "consultation"},
    }
    r = server.client.post(f"{BASE}/requests.json", json=body)
    assert r.status_code == 200, r.text


def test_public_status_has_no_personal_data(server: Server, validate) -> None:  # type: ignore[no-untyped-def]
    request_id = post(server).json()[0]["service_request_id"]
    r = server.client.get(f"{BASE}/requests/{request_id}.json")
    assert r.status_code == 200
    validate("requests", r.json())
    [public] = r.json()
    validate("request", public)
    text = json.dumps(public, ensure_ascii=False)
    for secret in ("13912346025", "张三", "zhangsan", "人民中路88号", "320681199001011234"):
        assert secret not in text, secret
    assert "139****6025" in public["description"] and "路灯不亮" in public["description"]
    assert public["status"] == "open" and "待受理" in public["status_notes"]
    assert public["address"] is None and public["media_url"] is None
    assert (public["lat"], public["long"]) == (31.81, 121.657)
    assert public["service_name"] == "路灯照明" and public["agency_responsible"] is None
    assert datetime.fromisoformat(public["requested_datetime"]) == server.clock.now
    swagger_path = server.client.get(f"{BASE}/request/{request_id}.json")
    assert swagger_path.json() == r.json()
    root = ElementTree.fromstring(server.client.get(f"{BASE}/requests/{request_id}.xml").content)
    assert root.tag == "service_requests" and root.findtext("request/status") == "open"
    address = root.find("request/address")
    assert address is not None and address.text is None
    assert_spec_error(server.client.get(f"{BASE}/requests/311-2026-999999.json"), 404)
    assert_spec_error(server.client.get(f"{BASE}/requests/QD-S01-2611-0001.json"), 404)


def test_status_follows_the_order(server: Server, validate) -> None:  # type: ignore[no-untyped-def]
    """Once triage links the contact to an order, the public view follows the order."""
    request_id = post(server).json()[0]["service_request_id"]
    args = {"type": "complaint", "content": "路灯不亮", "unit": "U001", "contact_id": "C-1",
            "caller_phone": "13912346025"}  # fmt: skip
    server.run("dispatch", "QD-S01-2611-0001", args, "agent1", server.clock.now)
    c = schema.contacts
    with server.store.db.write() as conn:  # what the triage command is to do (see report)
        conn.execute(
            update(c)
            .where(c.c.contact_id == request_id)
            .values(order_id="QD-S01-2611-0001", outcome="dispatched")
        )
    [public] = server.client.get(f"{BASE}/requests/{request_id}.json").json()
    validate("request", public)
    assert public["agency_responsible"] == "启东市汇龙镇人民政府"
    assert public["status"] == "open" and public["status_notes"] == "已派单 (dispatched)"
    assert public["expected_datetime"] == "2026-11-11T23:59:59+08:00"
    server.run("recall", "QD-S01-2611-0001", {"reason": "重复"}, "sup", server.clock.now)
    [public] = server.client.get(f"{BASE}/requests/{request_id}.json").json()
    assert public["status"] == "closed" and public["expected_datetime"] is None


def test_list_requests_filters(server: Server, validate) -> None:  # type: ignore[no-untyped-def]
    first = post(server).json()[0]["service_request_id"]
    server.clock.now += timedelta(days=1)
    second = post(server, {**FORM, "service_code": "QD-002"}).json()[0]["service_request_id"]
    listed = server.client.get(f"{BASE}/requests.json").json()
    validate("requests", listed)
    assert [r["service_request_id"] for r in listed] == [second, first]
    only = server.client.get(f"{BASE}/requests.json", params={"service_code": "QD-002"}).json()
    assert [r["service_request_id"] for r in only] == [second]
    ids = server.client.get(
        f"{BASE}/requests.json", params={"service_request_id": f"{first},nope"}
    ).json()
    assert [r["service_request_id"] for r in ids] == [first]
    assert server.client.get(f"{BASE}/requests.json", params={"status": "closed"}).json() == []
    window = {"start_date": "2026-11-03T00:00:00+08:00", "end_date": "2026-11-04T00:00:00+08:00"}
    dated = server.client.get(f"{BASE}/requests.json", params=window).json()
    assert [r["service_request_id"] for r in dated] == [second]
    root = ElementTree.fromstring(server.client.get(f"{BASE}/requests.xml").content)
    assert len(root.findall("request")) == 2
    for params in (
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
        {"start_date": "2026-11-05T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
        {"service_request_id": ",".join(f"311-{i}" for i in range(101))},
    ):
        assert_spec_error(server.client.get(f"{BASE}/requests.json", params=params), 400)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"service_code": "QD-404"}, "not found"),
        ({"description": "长" * 4001}, "too long"),
        ({"lat": "north"}, "lat is not a number"),
        ({"lat": "91"}, "between"),
        ({"long": "-181"}, "between"),
        ({"lat": "nan"}, "between"),
        ({"long": ""}, "together"),
        ({"lat": "", "long": "", "address_string": ""}, "required"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"attribute[request_type]": "party"}, "request_type"),
        ({"description": "路灯\x00不亮"}, "control characters"),
    ],
)
def test_bad_requests_are_400(server: Server, change: dict, reason: str) -> None:
    r = post(server, {**FORM, **change})
    assert_spec_error(r, 400)
    assert reason in r.json()[0]["description"]
    xml = post(server, {**FORM, **change}, fmt="xml")
    assert xml.status_code == 400 and ElementTree.fromstring(xml.content).tag == "errors"


def test_location_is_optional_for_consultations(server: Server) -> None:
    r = post(server, {"service_code": "QD-021", "description": "居住证怎么办？"})
    assert r.status_code == 200, r.text
    assert_spec_error(post(server, {}), 400)


def test_bodies_are_bounded_and_typed(server: Server) -> None:
    big = post(server, {**FORM, "description": "x" * 70_000})
    assert_spec_error(big, 413)
    raw = server.client.post(
        f"{BASE}/requests.json",
        content=b"service_code=QD-003&description=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_spec_error(raw, 400)
    multipart = server.client.post(f"{BASE}/requests.json", files={"f": ("a.txt", b"x")})
    assert_spec_error(multipart, 415)
    not_object = server.client.post(f"{BASE}/requests.json", json=["QD-003"])
    assert_spec_error(not_object, 400)
    nested = server.client.post(f"{BASE}/requests.json", json={"service_code": {"a": 1}})
    assert_spec_error(nested, 400)
    broken = server.client.post(
        f"{BASE}/requests.json", content=b"{", headers={"content-type": "application/json"}
    )
    assert_spec_error(broken, 400)
    assert_spec_error(server.client.post(f"{BASE}/requests.pdf", data=FORM), 404)


def open311_settings(server: Server, **update: object) -> None:
    settings = server.store.settings
    open311 = settings.open311.model_copy(update=update)
    server.store.settings = settings.model_copy(update={"open311": open311})


def test_api_keys_when_configured(server: Server) -> None:
    open311_settings(server, api_keys=("key-one", "key-two"))
    assert_spec_error(post(server), 403)
    assert_spec_error(post(server, {**FORM, "api_key": "guess"}), 403)
    assert post(server, {**FORM, "api_key": "key-two"}).status_code == 200


def test_rate_limit(server: Server) -> None:
    open311_settings(server, rate_per_minute=2)
    server.client.app.state.open311_limiter = None
    assert [post(server).status_code for _ in range(2)] == [200, 200]
    limited = post(server)
    assert_spec_error(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    # a made-up key buys no bucket of its own (issue 13, item 8): the address's limit holds
    assert_spec_error(post(server, {**FORM, "api_key": "another-client"}), 429)
    open311_settings(server, api_keys=("key-one",), key_rate_per_minute=5)
    assert post(server, {**FORM, "api_key": "key-one"}).status_code == 200
