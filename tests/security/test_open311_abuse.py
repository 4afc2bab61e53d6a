"""Issue 13, items 6 and 8 on the public Open311 API (no credentials needed).

The rate limit was bypassed with a fresh random ``api_key`` on each post or a forged
``X-Forwarded-For``; a lone surrogate in a field and an out-of-range date answered 500.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from central.open311_intake import FIELD_LIMITS
from tests.security.conftest import ATTACKER, Secure

FORM = {"service_code": "QD-021", "description": "请问公积金怎么提取"}
POST = "/open311/v2/requests.json"


def post(secure: Secure, fields: dict[str, str], address: str = ATTACKER, **headers: str) -> Any:
    return secure.client(address).post(POST, data=fields, headers=headers)


def post_json(secure: Secure, fields: dict[str, Any]) -> Any:
    """A JSON body as written (``ensure_ascii``: a lone surrogate travels as ``\\ud800``)."""
    body = json.dumps(fields).encode("ascii")
    return secure.client().post(POST, content=body, headers={"Content-Type": "application/json"})


def assert_spec_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status and error["description"]
    return str(error["description"])


def test_a_random_api_key_gets_the_anonymous_limit(secure: Secure) -> None:
    secure.configure("open311", rate_per_minute=3)
    answers = [post(secure, {**FORM, "api_key": uuid.uuid4().hex}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert post(secure, FORM).status_code == 429  # and no key at all: the same bucket


def test_a_registered_key_has_its_own_bucket(secure: Secure) -> None:
    secure.configure("open311", rate_per_minute=1, key_rate_per_minute=3, api_keys=("partner",))
    keyed = [post(secure, {**FORM, "api_key": "partner"}).status_code for _ in range(4)]
    assert keyed == [200, 200, 200, 429]
    assert_spec_error(post(secure, {**FORM, "api_key": "guess"}), 403)


def test_forged_forwarded_for_from_loopback_is_not_believed(secure: Secure) -> None:
    secure.configure("open311", rate_per_minute=2)
    answers = [
        post(secure, FORM, "127.0.0.1", **{"X-Forwarded-For": f"10.0.0.{i}"}).status_code
        for i in range(3)
    ]
    assert answers == [200, 200, 429]


def test_forwarded_for_is_believed_from_a_configured_proxy(secure: Secure) -> None:
    secure.configure("open311", rate_per_minute=2)
    secure.configure("security", trusted_proxies=("127.0.0.0/8",))
    for i in range(3):  # three citizens behind the proxy, each within the limit
        assert (
            post(secure, FORM, "127.0.0.1", **{"X-Forwarded-For": f"10.0.0.{i}"}).status_code == 200
        )
    forged = {"X-Forwarded-For": "1.2.3.4, 10.0.0.9"}  # the client's own claim comes first
    assert [post(secure, FORM, "127.0.0.1", **forged).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_a_lone_surrogate_in_any_field_is_a_400(secure: Secure) -> None:
    for name in [*FIELD_LIMITS, "attribute[request_type]", "extra_field"]:
        fields = {**FORM, "address_string": "人民路1号", name: "路灯\ud800坏了"}
        description = assert_spec_error(post_json(secure, fields), 400)
        assert "Unicode" in description, name
    assert_spec_error(post_json(secure, {**FORM, "na\udfffme": "x"}), 400)  # in a name
    nested = {**FORM, "attribute": {"request_type": "\udc00"}}
    assert_spec_error(post_json(secure, nested), 400)


def test_every_field_has_a_maximum_length(secure: Secure) -> None:
    for name, limit in FIELD_LIMITS.items():
        description = assert_spec_error(post(secure, {**FORM, name: "1" * (limit + 1)}), 400)
        assert "too long" in description, name
    assert_spec_error(post(secure, {**FORM, "x" * 101: "1"}), 400)  # a name, too
    many = {**FORM, **{f"f{i}": "1" for i in range(120)}}
    assert_spec_error(post(secure, many), 400)


def test_deeply_nested_json_is_a_400(secure: Secure) -> None:
    body = b'{"description": ' + b"[" * 60_000 + b"]" * 60_000 + b"}"
    r = secure.client().post(POST, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 413), r.text


OUT_OF_RANGE = [
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01",
    "1899-12-31T00:00:00Z",
    "2200-01-01T00:00:00+08:00",
]


def test_out_of_range_dates_are_a_400(secure: Secure) -> None:
    for param in ("start_date", "end_date"):
        for value in OUT_OF_RANGE:
            r = secure.client().get("/open311/v2/requests.json", params={param: value})
            assert "between" in assert_spec_error(r, 400), (param, value)


def test_status_query_parameters_are_bounded(secure: Secure) -> None:
    c = secure.client()
    assert_spec_error(c.get("/open311/v2/requests.json", params={"service_code": "Q" * 65}), 400)
    ids = ",".join(f"311-2026-{i:06d}" for i in range(101))
    assert_spec_error(c.get("/open311/v2/requests.json", params={"service_request_id": ids}), 400)
    assert_spec_error(c.get(f"/open311/v2/requests/{'3' * 70}.json"), 400)
    assert c.get("/open311/v2/requests.xml", params={"status": "x" * 21}).status_code == 400
