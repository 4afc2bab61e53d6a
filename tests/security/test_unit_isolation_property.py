"""Property (issue 13): random command streams from users of two units, on one shared seat,
never reveal the other unit's order content: not in a push result, a pull page, or a GET.

The users act through the real server in process (``TestClient``, SQLite and PostgreSQL):
agents dispatch orders to U001 and U002 (confidential or not), and the unit users push
their own commands, replay commands the others pushed (the exact outbox rows, proofs
included) and forge commands in another user's name.
"""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.central.conftest import Api

UNITS = ("U001", "U002")
USERS = {"U001": "unit1", "U002": "unit2"}
SECRET = {"U001": "甲单位机密", "U002": "乙单位机密"}
CALLER = {"U001": "甲方来电人", "U002": "乙方来电人"}
UNIT_COMMANDS: dict[str, dict[str, Any]] = {
    "sign": {},
    "reply": {"result": "已办理"},
    "return_order": {"reason": "不属本单位", "basis": "三定方案"},
    "request_extension": {"new_deadline": "2026-03-30", "reason": "需要协调"},
}

step = st.one_of(
    st.tuples(st.just("dispatch"), st.sampled_from(UNITS), st.booleans()),
    st.tuples(
        st.just("command"),
        st.sampled_from(UNITS),
        st.sampled_from(sorted(UNIT_COMMANDS)),
        st.integers(0, 50),
    ),
    st.tuples(st.just("replay"), st.sampled_from(UNITS), st.integers(0, 50)),
    st.tuples(
        st.just("forge"),
        st.sampled_from(UNITS),
        st.integers(0, 50),
        st.sampled_from(["unit1", "unit2", "super1", "agent1"]),
    ),
)


class Stream:
    """One example's state: the orders made and the commands pushed (on client-S01)."""

    numbers = count(1)

    def __init__(self, api: Api) -> None:
        self.api = api
        self.orders: list[str] = []
        self.pushed: list[dict[str, Any]] = []
        for user in USERS.values():
            api.login(user, "S01")  # both unit users work on the shared seat S01

    def leaked(self, unit: str, text: str) -> bool:
        other = "U002" if unit == "U001" else "U001"
        return SECRET[other] in text or CALLER[other] in text

    def push(self, user: str, command: dict[str, Any]) -> str:
        r = self.api.push(user, [command])
        assert r.status_code == 200, r.text
        return str(r.text)

    def run(self, action: tuple[Any, ...]) -> None:
        api = self.api
        kind, unit = action[0], action[1]
        if kind == "dispatch":
            n = next(self.numbers)
            order_id = f"QD-S01-2603-{n:04d}"
            api.dispatch(
                order_id,
                unit=unit,
                content=f"{SECRET[unit]} {n}",
                caller_name=CALLER[unit],
                confidential=action[2],
            )
            self.orders.append(order_id)
            return
        user = USERS[unit]
        if kind == "command":
            name, pick = action[2], action[3]
            pool = [*self.orders, "QD-S01-2603-9999"]
            order_id = pool[pick % len(pool)]
            command = api.command(
                user, name, order_id, seat="S01", client_id="client-S01", **UNIT_COMMANDS[name]
            )
            self.pushed.append(command)
            text = self.push(user, command)
        elif not self.pushed:
            return
        elif kind == "replay":  # the exact row another user's command left in the outbox
            text = self.push(user, self.pushed[action[2] % len(self.pushed)])
        else:  # forge: another user's name on a command signed with one's own key
            taken = self.pushed[action[2] % len(self.pushed)]
            n = api.next_mutation["client-S01"]
            api.next_mutation["client-S01"] = n + 1
            forged = {**taken, "user": action[3], "mutation_id": n}
            forged = api.sign({k: v for k, v in forged.items() if k != "proof"}, user=user)
            text = self.push(user, forged)
        assert not self.leaked(unit, text), (action, text)

    def check_reads(self) -> None:
        api = self.api
        for unit, user in USERS.items():
            pulled = json.dumps(api.pull_all(user), ensure_ascii=False)
            assert not self.leaked(unit, pulled)
            listed = api.client.get("/api/v1/orders", headers=api.auth(user))
            assert listed.status_code == 200 and not self.leaked(unit, listed.text)
            for order_id in self.orders:
                got = api.client.get(f"/api/v1/orders/{order_id}", headers=api.auth(user))
                assert got.status_code in (200, 404) and not self.leaked(unit, got.text)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_random_streams_never_reveal_another_units_orders(api: Api, steps: list[Any]) -> None:
    stream = Stream(api)
    stream.run(("dispatch", "U001", True))
    stream.run(("dispatch", "U002", False))
    for action in steps:
        stream.run(action)
    stream.check_reads()
