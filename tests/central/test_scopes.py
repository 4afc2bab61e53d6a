"""Pull scopes (issue 15): what a seat pulls does not grow with the number of other seats.

An agent reads its own seat's and its own user's intake, the shared ``*`` changes and
the web/mobile triage queue; a unit its unit's orders (masked); the board everything.
"""

from __future__ import annotations

from typing import Any

from central.accounts import add_user
from central.testing import SeedUser, cheap_hash
from tests.central.conftest import Api


def _keys(changes: list[dict[str, Any]], entity: str) -> set[str]:
    return {c["key"] for c in changes if c["entity"] == entity}


def _add_agent(api: Api, name: str) -> None:
    user = SeedUser(name, f"pw-{name}", "agent")
    with api.store.transaction() as tx:
        add_user(tx, name, "agent", user.password, None, name, cheap_hash(user.password))
    api.seeded.users[name] = user


def test_each_reader_pulls_its_scope(api: Api) -> None:
    _add_agent(api, "agent2")
    api.dispatch("QD-S01-0001", unit="U001", confidential=True)
    everyone = api.pull_all("super1")
    assert {"QD-S01-0001"} <= _keys(everyone, "order")
    assert "C-QD-S01-0001" in _keys(everyone, "contact")

    api.login("agent2", "S02")
    other = api.pull_all("agent2")
    assert not _keys(other, "order") and not _keys(other, "contact")
    assert _keys(other, "unit") == _keys(everyone, "unit")  # the routing directory: "*"

    mine = api.pull_all("agent1")
    assert "QD-S01-0001" in _keys(mine, "order") and "C-QD-S01-0001" in _keys(mine, "contact")
    api.login("agent1", "S02")  # the same agent on another seat: its user's key
    assert "QD-S01-0001" in _keys(api.pull_all("agent1"), "order")

    unit = api.pull_all("unit1")
    [order] = [c for c in unit if c["entity"] == "order"]
    assert order["data"]["caller_phone"] != "13912346025"  # confidential: masked
    assert not _keys(api.pull_all("unit2"), "order")
    assert "QD-S01-0001" in _keys(api.pull_all("callback1"), "order")


def test_pages_of_a_reader_with_several_keys_skip_and_repeat_nothing(api: Api) -> None:
    """A change under two of the reader's keys (its seat and its user) counts once."""
    for n in range(1, 6):
        api.dispatch(f"QD-S01-{n:04d}")
    paged = api.pull_all("agent1", limit=2)
    whole = api.pull_all("agent1", limit=500)
    assert [c["seq"] for c in paged] == [c["seq"] for c in whole]
    assert len({c["seq"] for c in whole}) == len(whole)
    assert len(_keys(whole, "order")) == 5
