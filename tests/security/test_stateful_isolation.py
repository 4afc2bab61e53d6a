"""A stateful run against a real server: random sequences of pushes, pulls, order reads
and reports by users of every role never produce a 5xx, and never show a unit user
anything of the other unit's orders (issue 13: "schemathesis with negative and stateful
checks"; the OpenAPI schema has no links to drive schemathesis' own state machine, so
this is a hypothesis ``RuleBasedStateMachine`` over the same routes).

An agent dispatches orders to U001 and U002 whose content and caller phone carry a
marker of their unit; the unit users sign, reply, return and ask for extensions on any
order (theirs, the other unit's, unknown ones), also with a forged ``user`` field, pull,
list, read and ask for reports. After every answer: status below 500, and no marker
(or phone) of the other unit anywhere in the body. Supervisors reassign orders between
the units, so what a unit may see changes as the run goes.

Runtime is bounded by the hypothesis profile (``security``; ``SECURITY_FUZZ_PROFILE=
security-thorough`` for more runs and steps).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from central.testing import LiveServer, start_live_server

UNITS = {"unit1": "U001", "unit2": "U002"}
SEAT = {"unit1": "S01", "unit2": "S02", "agent1": "S01", "super1": "S01"}
PHONES = {"U001": "13800000001", "U002": "13900000002"}
PROFILES = {
    "security": {"max_examples": 4, "stateful_step_count": 12},
    "security-thorough": {"max_examples": 40, "stateful_step_count": 40},
}
LIVE_ENV = {"WORKSTATION_SECURITY__LOGIN_ADDRESS_MAX_FAILURES": "1000000"}
_numbers = itertools.count(1)
_mutations: dict[str, int] = {}


def marker(unit: str) -> str:
    return f"SECRET-{unit}-"


def other(unit: str) -> str:
    return "U002" if unit == "U001" else "U001"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_live_server(tmp_path_factory.mktemp("stateful"), env=LIVE_ENV) as server:
        yield server


class Isolation(RuleBasedStateMachine):
    """One run: the server's state carries over from earlier runs (orders keep numbers)."""

    live: LiveServer
    http: httpx.Client
    tokens: dict[str, str] = {}

    def __init__(self) -> None:
        super().__init__()
        self.where: dict[str, str] = {}  # order id -> its handling unit now
        self.origin: dict[str, str] = {}  # order id -> the unit it was dispatched to
        self.had: dict[str, set[str]] = {"U001": set(), "U002": set()}  # ever handled

    # -- helpers ------------------------------------------------------------------------

    def auth(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            self.tokens[user] = self.live.login(user, SEAT.get(user, "S01"))
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def command(self, user: str, name: str, order_id: str | None, args: dict[str, Any],
                as_user: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A command signed with ``user``'s key; ``as_user`` forges its ``user`` field."""
        seat = SEAT.get(user, "S01")
        client_id = f"sm-{user}-{seat}"
        _mutations[client_id] = _mutations.get(client_id, 0) + 1
        cmd = {
            "op_id": str(uuid.uuid4()),
            "client_id": client_id,
            "mutation_id": _mutations[client_id],
            "order_id": order_id,
            "command": name,
            "args": args,
            "base_version": None,
            "user": user,
            "seat": seat,
            "client_time": None,
        }
        signed = self.live.sign(cmd)
        if as_user is not None:
            signed = {**signed, "user": as_user}  # the proof no longer matches: refused
        return signed

    def push(self, user: str, commands: list[dict[str, Any]]) -> httpx.Response:
        body = {"client_id": commands[0]["client_id"], "commands": commands}
        r = self.http.post("/api/v1/sync/push", json=body, headers=self.auth(user))
        self.check(user, r)
        return r

    def get(self, user: str, path: str, **params: Any) -> httpx.Response:
        r = self.http.get(path, params=params, headers=self.auth(user))
        self.check(user, r)
        return r

    def check(self, user: str, r: httpx.Response) -> None:
        assert r.status_code < 500, (r.request.url, r.status_code, r.text[:500])
        unit = UNITS.get(user)
        if unit is None:
            return
        text = r.text
        # an order of the other unit that this unit never handled must not show at all
        for order_id, origin in self.origin.items():
            if origin != unit and order_id not in self.had[unit]:
                assert f"{marker(origin)}{order_id}" not in text, (user, order_id, text[:300])
        if not any(self.origin[o] != unit for o in self.had[unit]):
            assert PHONES[other(unit)] not in text, (user, text[:300])

    # -- rules --------------------------------------------------------------------------

    @initialize()
    def open_client(self) -> None:
        self.http = httpx.Client(base_url=self.live.base_url, timeout=60)

    @rule(unit=st.sampled_from(["U001", "U002"]), confidential=st.booleans())
    def dispatch(self, unit: str, confidential: bool) -> None:
        order_id = f"QD-S01-2612-{next(_numbers):04d}"
        args = {
            "type": "complaint",
            "content": f"{marker(unit)}{order_id} 路灯不亮",
            "unit": unit,
            "contact_id": f"C-{order_id}",
            "caller_name": "张三",
            "caller_phone": PHONES[unit],
            "confidential": confidential,
        }
        r = self.push("agent1", [self.command("agent1", "dispatch", order_id, args)])
        assert r.json()["results"][0]["status"] == "applied", r.text
        self.handled(order_id, unit)
        self.origin[order_id] = unit

    def handled(self, order_id: str, unit: str) -> None:
        self.where[order_id] = unit
        if unit in self.had:
            self.had[unit].add(order_id)

    @rule(
        user=st.sampled_from(["unit1", "unit2"]),
        name=st.sampled_from(["sign", "reply", "return_order", "request_extension"]),
        pick=st.integers(0, 50),
        forge=st.sampled_from([None, "super1", "unit1", "unit2"]),
    )
    def unit_command(self, user: str, name: str, pick: int, forge: str | None) -> None:
        ids = sorted(self.where) + ["QD-S01-2612-9999"]
        order_id = ids[pick % len(ids)]
        args = {
            "sign": {},
            "reply": {"result": "已修复"},
            "return_order": {"reason": "不属于本单位", "basis": "职责清单"},
            "request_extension": {"new_deadline": "2026-12-31", "reason": "需要协调"},
        }[name]
        forged = forge if forge != user else None
        r = self.push(user, [self.command(user, name, order_id, args, as_user=forged)])
        assert r.status_code == 200, r.text
        result = r.json()["results"][0]
        if forged is not None:
            assert result["status"] == "rejected" and result["reason"]["code"] == "bad_proof"
        if result["status"] == "applied" and name == "return_order":
            self.where[order_id] = "returned"  # back with the supervision center

    @rule(pick=st.integers(0, 50), unit=st.sampled_from(["U001", "U002"]))
    def reassign(self, pick: int, unit: str) -> None:
        if not self.where:
            return
        order_id = sorted(self.where)[pick % len(self.where)]
        cmd = self.command("super1", "reassign", order_id, {"unit": unit, "reason": "调整"})
        result = self.push("super1", [cmd]).json()["results"][0]
        if result["status"] == "applied":
            self.handled(order_id, unit)

    @rule(user=st.sampled_from(["unit1", "unit2", "agent1", "callback1", "super1", "admin1"]))
    def pull(self, user: str) -> None:
        cursor = 0
        for _ in range(50):
            r = self.get(user, "/api/v1/sync/pull", cursor=cursor, limit=200)
            if r.status_code != 200 or not r.json()["has_more"]:
                return
            cursor = r.json()["cursor"]

    @rule(user=st.sampled_from(["unit1", "unit2", "agent1", "super1", "admin1"]),
          pick=st.integers(0, 50))  # fmt: skip
    def read_orders(self, user: str, pick: int) -> None:
        self.get(user, "/api/v1/orders", limit=500)
        ids = sorted(self.where) or ["QD-S01-2612-9999"]
        order_id = ids[pick % len(ids)]
        r = self.get(user, f"/api/v1/orders/{order_id}")
        unit = UNITS.get(user)
        if unit is not None and self.where.get(order_id) not in (unit, "returned"):
            assert r.status_code == 404, r.text

    @rule(user=st.sampled_from(["unit1", "unit2", "super1", "agent1"]),
          unit=st.sampled_from([None, "U001", "U002"]))  # fmt: skip
    def report(self, user: str, unit: str | None) -> None:
        params = {"start": "2026-01-01", "end": "2027-01-01", **({"unit": unit} if unit else {})}
        r = self.get(user, "/api/v1/reports/assessment", **params)
        own = UNITS.get(user)
        if own is not None and unit not in (None, own):
            assert r.status_code == 403, r.text

    @invariant()
    def server_alive(self) -> None:
        if hasattr(self, "http"):
            assert self.http.get("/healthz").status_code == 200

    def teardown(self) -> None:
        if hasattr(self, "http"):
            self.http.close()


def test_random_sessions_of_every_role_never_leak_or_fail(live: LiveServer) -> None:
    profile = PROFILES[os.environ.get("SECURITY_FUZZ_PROFILE", "security")]
    Isolation.live = live
    Isolation.tokens = {}
    Isolation.TestCase.settings = settings(
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        **profile,  # type: ignore[arg-type]
    )
    Isolation.TestCase().runTest()
