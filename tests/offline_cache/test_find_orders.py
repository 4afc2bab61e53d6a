"""``find_orders``: by order number, phone or every word of the content, over the seat's
cache; unit users find only their unit's orders, with confidential callers masked and
never found by their phone."""

from __future__ import annotations

from pathlib import Path

from tests.screens_roles.world import NOW, PASSWORD, Central, days, make_seat


def _world(tmp_path: Path):
    seat = make_seat(tmp_path / "seat")
    central = Central(seat)
    ids = {
        "lamp": central.dispatch(
            NOW - days(3), content="锦绣花园门口路灯不亮", caller_phone="13700001111"
        ),
        "secret": central.dispatch(
            NOW - days(2),
            content="路灯坏了，请保密",
            confidential=True,
            caller_phone="13912345678",
        ),
        "other": central.dispatch(NOW - days(1), content="路灯 100%_亮度不足", unit="U002"),
    }
    central.push()
    return seat, ids


def test_supervisor_finds_by_number_phone_and_all_words(tmp_path: Path) -> None:
    seat, ids = _world(tmp_path)
    try:
        seat.login("super1", PASSWORD)
        assert [r.order_id for r in seat.find_orders(ids["lamp"])] == [ids["lamp"]]
        assert [r.order_id for r in seat.find_orders("0001111")] == [ids["lamp"]]
        assert [r.order_id for r in seat.find_orders("路灯 锦绣")] == [ids["lamp"]]
        assert [r.order_id for r in seat.find_orders("路灯")] == [
            ids["other"],
            ids["secret"],
            ids["lamp"],
        ]  # newest first
        assert seat.find_orders("13912345678")[0].caller_phone == "13912345678"
        # LIKE wildcards are literal text, not patterns
        assert [r.order_id for r in seat.find_orders("100%_")] == [ids["other"]]
        assert [r.order_id for r in seat.find_orders("%")] == [ids["other"]]
        assert seat.find_orders("_亮度足") == [] and seat.find_orders("   ") == []
    finally:
        seat.close()


def test_unit_finds_its_own_orders_masked(tmp_path: Path) -> None:
    seat, ids = _world(tmp_path)
    try:
        seat.login("unit1", PASSWORD)
        found = {r.order_id: r for r in seat.find_orders("路灯")}
        assert set(found) == {ids["lamp"], ids["secret"]}  # not U002's order
        assert found[ids["secret"]].caller_phone != "13912345678"
        assert seat.find_orders("13912345678") == []  # confidential: not by phone
        assert [r.order_id for r in seat.find_orders("13700001111")] == [ids["lamp"]]
    finally:
        seat.close()
