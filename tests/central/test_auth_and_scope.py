"""Authentication (seat tokens, sessions, revocation) and scope on every route."""

from __future__ import annotations

import pytest

from tests.central.conftest import Api


def test_seat_verify_and_login(api: Api) -> None:
    token = api.seeded.seat_tokens["S01"]
    r = api.client.post("/api/v1/seats/verify", headers={"X-Seat-Token": token})
    assert r.status_code == 200 and r.json() == {
        "seat": "S01",
        "prefix": "QD-S01",
        "city": "启东市",
        "next_counter": 1,
    }
    assert (
        api.client.post("/api/v1/seats/verify", headers={"X-Seat-Token": "nope"}).status_code == 401
    )
    assert api.client.post("/api/v1/seats/verify").status_code == 401
    bad = api.client.post(
        "/api/v1/auth/login",
        headers={"X-Seat-Token": token},
        json={"user": "agent1", "password": "wrong"},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "unauthenticated"
    ok = api.client.post(
        "/api/v1/auth/login",
        headers={"X-Seat-Token": token},
        json={"user": "unit1", "password": "pw-unit1"},
    ).json()
    assert ok["role"] == "unit" and ok["unit"] == "U001" and ok["token"]
    assert (
        api.client.post(
            "/api/v1/auth/login", json={"user": "unit1", "password": "pw-unit1"}
        ).status_code
        == 401
    )


def test_revoked_seat_and_user_lose_their_sessions(api: Api) -> None:
    from central.accounts import revoke_seat, revoke_user

    headers = api.auth("agent1")
    assert api.client.get("/api/v1/sync/pull", headers=headers).status_code == 200
    with api.store.transaction() as tx:
        revoke_seat(tx, "S01")
    assert api.client.get("/api/v1/sync/pull", headers=headers).status_code == 401
    r = api.client.post(
        "/api/v1/auth/login",
        headers={"X-Seat-Token": api.seeded.seat_tokens["S01"]},
        json={"user": "agent1", "password": "pw-agent1"},
    )
    assert r.status_code == 401
    h2 = {"Authorization": f"Bearer {api.login('super1', 'S02')}"}
    with api.store.transaction() as tx:
        revoke_user(tx, "super1")
    assert api.client.get("/api/v1/sync/pull", headers=h2).status_code == 401


def test_logout_and_garbage_tokens(api: Api) -> None:
    headers = api.auth("agent1")
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/api/v1/sync/pull", headers=headers).status_code == 401
    for value in ("", "Bearer", "Bearer x", "Basic abc"):
        assert api.client.get("/api/v1/orders", headers={"Authorization": value}).status_code == 401


ROUTES = [
    ("get", "/api/v1/sync/pull", None),
    ("post", "/api/v1/sync/push", {"client_id": "c", "commands": []}),
    ("get", "/api/v1/orders", None),
    ("get", "/api/v1/orders/QD-S01-0001", None),
    ("get", "/api/v1/kb/articles/KB-1", None),
    ("put", "/api/v1/kb/articles/KB-1", {"title": "t"}),
    ("delete", "/api/v1/kb/articles/KB-1", None),
    ("post", "/api/v1/auth/logout", None),
]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_route_needs_a_session(api: Api) -> None:
    for method, path, body in ROUTES:
        r = api.client.request(method, path, json=body)
        assert r.status_code == 401, (method, path, r.text)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_unit_never_reads_another_units_orders(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    api.dispatch("QD-S01-0002", unit="U002", co_units=["U003"])
    u1 = api.auth("unit1")
    assert api.client.get("/api/v1/orders/QD-S01-0002", headers=u1).status_code == 404
    assert api.client.get("/api/v1/orders/QD-S01-0001", headers=u1).status_code == 200
    listed = api.client.get("/api/v1/orders", headers=u1).json()
    assert [o["order_id"] for o in listed["orders"]] == ["QD-S01-0001"]
    assert api.client.get("/api/v1/orders", params={"unit": "U002"}, headers=u1).status_code == 403
    pulled = {
        c["key"] for c in api.pull_all("unit1") if c["entity"] in ("order", "contact", "notice")
    }
    assert pulled == {"QD-S01-0001", "C-QD-S01-0001"}
    # pushing a command about another unit's order reveals nothing about it
    r = api.do("unit1", "reply", "QD-S01-0002", result="x")
    assert r["status"] == "rejected" and r["order"] is None
    # unit users may not write the KB directly
    put = api.client.put("/api/v1/kb/articles/KB-1", json={"title": "t"}, headers=u1)
    assert put.status_code == 403
    staff = api.client.get(
        "/api/v1/orders", params={"unit": "U003"}, headers=api.auth("super1")
    ).json()
    assert [o["order_id"] for o in staff["orders"]] == ["QD-S01-0002"]
    assert (
        api.client.get("/api/v1/orders", params={"state": "bogus"}, headers=u1).status_code == 422
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_unknown_routes_and_methods_answer_json(api: Api) -> None:
    r = api.client.get("/nope")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = api.client.delete("/healthz")
    assert r.status_code == 405 and "en" in r.json()
    health = api.client.get("/healthz").json()
    assert health["status"] == "ok" and health["schema_version"] >= 1
