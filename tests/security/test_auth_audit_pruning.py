"""The login audit (``auth_events``) is pruned, and pruning never changes the throttle.

Every failed login is a row; without pruning the table grew forever. The periodic jobs
delete rows older than ``[security] auth_audit_days`` (90), but never rows the throttle
still reads: failures within the counting window and lockouts not yet over.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from central import schema
from central.jobs import run_jobs
from tests.security.conftest import BYSTANDER, Secure
from tests.security.test_login import fail_once


def kinds(secure: Secure) -> list[tuple[str, str]]:
    e = schema.auth_events
    with secure.store.db.read() as conn:
        return [(r.kind, r.user) for r in conn.execute(select(e.c.kind, e.c.user).order_by(e.c.id))]


def jobs(secure: Secure) -> dict[str, Any]:
    return run_jobs(secure.store, secure.clock.now)


def test_rows_older_than_the_retention_are_deleted_by_the_jobs(secure: Secure) -> None:
    assert secure.login("agent1").status_code == 200
    for _ in range(5):
        fail_once(secure, "nobody")  # five failures and a lockout
    secure.clock.advance(days=89)
    assert secure.login("callback1", "wrong-password").status_code == 401
    assert jobs(secure)["auth_events_pruned"] == 0  # 89 days: all kept
    secure.clock.advance(days=1, minutes=20)
    assert jobs(secure)["auth_events_pruned"] == 7
    assert kinds(secure) == [("login_failed", "callback1")]
    assert jobs(secure)["auth_events_pruned"] == 0


def test_the_retention_is_configurable(secure: Secure) -> None:
    secure.configure("security", auth_audit_days=1)
    assert secure.login("callback1", "wrong-password").status_code == 401
    secure.clock.advance(hours=23)
    assert jobs(secure)["auth_events_pruned"] == 0
    secure.clock.advance(hours=2)
    assert jobs(secure)["auth_events_pruned"] == 1


def test_a_short_retention_never_shortens_a_lockout_or_the_count(secure: Secure) -> None:
    """Retention set to about a minute: a lockout still lasts its 15 minutes, and failures
    inside the 15-minute window still count after a prune."""
    secure.configure("security", auth_audit_days=0.001)
    for _ in range(5):
        fail_once(secure, "agent1")
    secure.clock.advance(minutes=10)
    jobs(secure)
    assert secure.login("agent1", address=BYSTANDER).json()["error"] == "locked_out"
    secure.clock.advance(minutes=5, seconds=1)
    assert secure.login("agent1").status_code == 200
    # two failures, a prune two minutes later, then the third and fourth: delayed as ever
    for _ in range(2):
        assert secure.login("super1", "wrong-password").status_code == 401
    secure.clock.advance(minutes=2)
    jobs(secure)
    assert secure.login("super1", "wrong-password").status_code == 401
    assert secure.login("super1", "wrong-password").json()["error"] == "login_throttled"


def test_a_pruned_old_login_does_not_reset_the_count(secure: Secure) -> None:
    """The count runs "since the last login": with that login pruned, the failures after
    it still count (all of them are younger than the login was)."""
    assert secure.login("unit1").status_code == 200
    secure.clock.advance(days=100)
    for _ in range(3):
        assert secure.login("unit1", "wrong-password").status_code == 401
    assert jobs(secure)["auth_events_pruned"] >= 1
    assert ("login", "unit1") not in kinds(secure)
    assert secure.login("unit1", "wrong-password").json()["error"] == "login_throttled"
