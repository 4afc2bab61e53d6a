"""Issue 13, item 5: small pushes must not grow the database or the answers by multiples.

Found: 6 pushes of 8 KB gzip grew the database by 584 MB. Measured now by
``benchmarks/push_amplification.py``; these tests keep the two amplifiers it found shut:
a refused command stored a copy of the order's current state (up to 1,000 a push), and
an unknown argument's name (up to a megabyte) was quoted three times in the stored and
returned rejection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from central import schema
from tests.central.conftest import Api


def stored_results(api: Api) -> list[str]:
    m = schema.mutations
    with api.store.db.read() as conn:
        return list(conn.execute(select(m.c.result).order_by(m.c.mutation_id)).scalars())


def test_refused_commands_do_not_store_a_copy_of_the_order_each(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001", content="路灯" * 1900, address="街" * 500)
    assert api.do("unit1", "sign", "QD-S01-0001")["status"] == "applied"
    refused = [api.command("unit1", "sign", "QD-S01-0001") for _ in range(200)]
    r = api.push("unit1", refused)
    assert r.status_code == 200
    results = r.json()["results"]
    assert {x["reason"]["code"] for x in results} == {"already_signed"}
    assert results[0]["order"]["state"] == "signed"  # the answer still shows the state
    rejections = [t for t in stored_results(api) if '"rejected"' in t]
    assert len(rejections) == 200
    assert max(len(t) for t in rejections) < 2_000  # the order is about 20 KB
    # a replay of a stored rejection gets its reason back, final as before
    replay = api.push("unit1", [refused[0]]).json()["results"][0]
    assert replay["status"] == "rejected" and replay["reason"]["code"] == "already_signed"


def test_a_megabyte_argument_name_is_not_quoted_back(api: Api) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    name = "n" * (1024 * 1024)
    huge: dict[str, Any] = {name: 1}
    command = api.command("unit1", "reply", "QD-S01-0001", **huge)
    r = api.push("unit1", [command], gzip_body=True)
    assert r.status_code == 200
    (result,) = r.json()["results"]
    assert result["status"] == "rejected" and result["reason"]["code"] == "invalid"
    assert len(r.content) < 20_000
    assert result["reason"]["field"].startswith("nnnn") and len(result["reason"]["field"]) <= 64
    assert max(len(t) for t in stored_results(api)) < 20_000


def test_one_push_stores_at_most_a_bounded_amount(api: Api) -> None:
    """A 1,000-command push, refused but for the first, on an order of 8 KB: less than a
    kilobyte and a half stored per command (a copy of the order each was 8 KB or more)."""
    api.dispatch("QD-S01-0001", unit="U001", content="路灯" * 1900)
    reason = "理" * 300
    commands: list[dict[str, Any]] = [
        api.command("unit1", "return_order", "QD-S01-0001", reason=reason, basis=reason)
        for _ in range(1000)
    ]
    r = api.push("unit1", commands, gzip_body=True)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]].count("rejected") >= 999
    m = schema.mutations
    with api.store.db.read() as conn:
        total = conn.execute(select(func.sum(func.length(m.c.result)))).scalar_one()
    assert total < 1000 * 1_500 + 50_000
