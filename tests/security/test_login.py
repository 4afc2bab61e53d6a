"""Issue 13, item 7: brute force, user enumeration by timing, and login storms.

Each test replays the attack as found (300 wrong passwords in a row and the right one still
worked; unknown users answered 100x faster; 40 wrong logins at once stalled the server)
and states the answer now.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from tests.security.conftest import ATTACKER, BYSTANDER, Secure


def retry_after(response: Any) -> int:
    assert response.status_code == 429, response.text
    return int(response.headers["retry-after"])


def fail_once(secure: Secure, user: str, address: str = ATTACKER) -> Any:
    """One wrong password that is actually tried: waits out any delay by moving the clock."""
    while True:
        r = secure.login(user, "wrong-password", address)
        if r.status_code != 429 or r.json()["error"] == "locked_out":
            return r
        secure.clock.advance(seconds=retry_after(r))


def audit(secure: Secure, user: str | None = None) -> list[dict[str, Any]]:
    params = {"limit": 500, **({"user": user} if user else {})}
    r = secure.client(BYSTANDER).get(
        "/api/v1/auth/events", params=params, headers=secure.bearer("admin1")
    )
    assert r.status_code == 200, r.text
    return list(r.json())


def test_wrong_passwords_grow_delays_then_lock_the_user_out(secure: Secure) -> None:
    statuses = [secure.login("agent1", "wrong-password").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    delayed = secure.login("agent1", "wrong-password")
    assert delayed.json()["error"] == "login_throttled"
    first_wait = retry_after(delayed)
    secure.clock.advance(seconds=first_wait)
    assert secure.login("agent1", "wrong-password").status_code == 401
    assert retry_after(secure.login("agent1", "wrong-password")) > first_wait  # it grows
    locked = fail_once(secure, "agent1")  # the 5th failure
    assert locked.json()["error"] == "locked_out" and locked.json()["scope"] == "user"
    assert 14 * 60 <= retry_after(locked) <= 15 * 60
    # the right password is refused too while the lockout lasts, from any address
    right = secure.login("agent1", address=BYSTANDER)
    assert right.json()["error"] == "locked_out" and right.json()["zh"]
    secure.clock.advance(minutes=10)
    assert secure.login("agent1").status_code == 429
    secure.clock.advance(minutes=5, seconds=1)
    assert secure.login("agent1").status_code == 200
    # the audit: five failures with their address, one lockout, then the login
    events = [e for e in audit(secure, "agent1") if e["kind"] != "login" or e["seat"]]
    kinds = [e["kind"] for e in reversed(events)]
    assert kinds[:7] == ["login_failed"] * 5 + ["lockout", "login"]
    assert {e["address"] for e in events if e["kind"] == "login_failed"} == {ATTACKER}


def test_a_successful_login_restarts_the_count(secure: Secure) -> None:
    for _ in range(2):
        assert secure.login("agent1", "wrong-password").status_code == 401
    assert secure.login("agent1").status_code == 200
    for _ in range(3):  # without the reset the third would be delayed, the fifth locked
        assert secure.login("agent1", "wrong-password").status_code == 401


def test_unknown_user_names_lock_out_alike(secure: Secure) -> None:
    """A lockout must not tell which names exist: an unknown name locks out the same way."""
    known = [fail_once(secure, "agent1").status_code for _ in range(5)]
    unknown = [fail_once(secure, "nobody-here").status_code for _ in range(5)]
    assert known == unknown == [401, 401, 401, 401, 429]


def test_one_address_trying_many_names_is_locked_out(secure: Secure) -> None:
    """Spraying one password over many names: the address is locked, others are not."""
    answers = [fail_once(secure, f"guess{i:02d}").status_code for i in range(20)]
    assert answers == [401] * 19 + [429]
    refused = secure.login("agent1")  # the right password from the locked address
    assert refused.json()["error"] == "locked_out" and refused.json()["scope"] == "address"
    assert secure.login("agent1", address=BYSTANDER).status_code == 200
    # a forged X-Forwarded-For does not get the attacker a fresh address
    spoofed = secure.login("callback1", **{"X-Forwarded-For": "192.0.2.55"})
    assert spoofed.status_code == 429
    assert [e["kind"] for e in audit(secure, "guess19")][:2] == ["lockout", "login_failed"]


def test_forwarded_for_counts_only_from_a_trusted_proxy(secure: Secure) -> None:
    secure.configure("security", trusted_proxies=("127.0.0.1",))
    for i in range(20):
        fail_once(secure, f"guess{i:02d}", address="127.0.0.1")  # the proxy's own address
    assert secure.login("agent1", address="127.0.0.1").status_code == 429
    forwarded = {"X-Forwarded-For": "192.0.2.55"}  # a client behind the proxy
    assert secure.login("agent1", address="127.0.0.1", **forwarded).status_code == 200


def test_unknown_and_known_users_do_the_same_hashing_work(secure: Secure) -> None:
    """Timing: every login verifies one argon2 hash of the same cost, whoever it names."""
    from argon2 import extract_parameters

    from central import security
    from central.accounts import add_user

    with secure.store.transaction() as tx:
        add_user(tx, "disabled1", "agent", "pw-disabled1", None)
        add_user(tx, "fresh1", "agent", "pw-fresh1", None)
    from central.accounts import revoke_user

    with secure.store.transaction() as tx:
        revoke_user(tx, "disabled1")
    assert secure.login("agent1").status_code == 200  # the pool exists from here on
    pool = secure.app.state.hash_pool
    answers: dict[tuple[str, str], tuple[int, str | None]] = {}
    for user, password in [
        ("no-such-user", "whatever"),
        ("disabled1", "pw-disabled1"),
        ("fresh1", "wrong"),
        ("fresh1", "pw-fresh1"),
    ]:
        before = pool.completed
        r = secure.login(user, password, address=f"192.0.2.{len(answers) + 1}")
        assert pool.completed == before + 1, user  # exactly one argon2 verify each
        answers[user, password] = (r.status_code, r.json().get("error"))
    assert (
        answers["no-such-user", "whatever"]
        == answers["fresh1", "wrong"]
        == (401, "unauthenticated")
    )
    assert answers["disabled1", "pw-disabled1"] == (401, "unauthenticated")
    # the dummy hash costs what a real one does: the same argon2 parameters
    with secure.store.db.read() as conn:
        from sqlalchemy import select

        from central import schema

        real = conn.execute(
            select(schema.users.c.password_hash).where(schema.users.c.name == "fresh1")
        ).scalar_one()
    assert extract_parameters(security.dummy_hash()) == extract_parameters(real)


def test_a_full_hash_pool_answers_503_with_retry_after(secure: Secure) -> None:
    """Beyond workers + queue a login is turned away at once instead of stalling."""
    secure.configure("security", hash_workers=1, hash_queue=1)
    assert secure.login("agent1").status_code == 200
    pool = secure.app.state.hash_pool
    release = threading.Event()
    held = [pool.submit(release.wait, 30) for _ in range(2)]  # one running, one queued
    try:
        busy = secure.login("agent1")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.json()["error"] == "unavailable"
    finally:
        release.set()
    assert all(f.result(timeout=30) for f in held)
    assert secure.login("agent1").status_code == 200


def test_hash_pool_admits_workers_plus_queue() -> None:
    import pytest

    from central.security import HashPool, HashPoolBusy

    pool = HashPool(workers=2, queue=3)
    release = threading.Event()
    held = [pool.submit(release.wait, 30) for _ in range(5)]
    with pytest.raises(HashPoolBusy):
        pool.submit(release.wait, 30)
    release.set()
    assert [f.result(timeout=30) for f in held] == [True] * 5
    assert pool.admitted == 0 and pool.completed == 5
    assert pool.submit(lambda: "again").result(timeout=30) == "again"
    pool.shutdown()


def test_lockout_expiry_uses_the_servers_clock(secure: Secure) -> None:
    for _ in range(5):
        fail_once(secure, "unit1")
    until = [e for e in audit(secure, "unit1") if e["kind"] == "lockout"][0]["until"]
    from datetime import datetime

    assert datetime.fromisoformat(until) - secure.clock.now == timedelta(minutes=15)
