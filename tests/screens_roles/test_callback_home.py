"""The callback operator's home: queue oldest first, single-key records, retries, telling."""

from __future__ import annotations

from datetime import timedelta

from screens.callback_queue_view import QueueView
from tests.screens_roles.helpers import make_app, type_into, until_dialog, until_home, wait_for
from tests.screens_roles.world import NOW, SUPER, SYSTEM, U1, days


def replied(central, at, **form) -> str:
    order_id = central.dispatch(at, **form)
    central.do(order_id, "sign", U1, at + timedelta(hours=1))
    central.do(order_id, "reply", U1, at + timedelta(hours=2), result="已协调施工单位停止夜间施工")
    central.do(order_id, "create_callback", SYSTEM, at + timedelta(hours=3))
    return order_id


async def test_queue_oldest_first_with_reply_and_satisfied_in_five_keys(seat, central) -> None:
    newer = replied(central, NOW - days(1))
    older = replied(central, NOW - days(3))
    leader = replied(central, NOW - days(4), leader_instructed=True)
    central.push()
    app = make_app(seat, "cb1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "CallbackHome")
        view = screen.query_one("#queue-view", QueueView)
        assert list(view.table.records) == [older, newer]  # leader order is not here
        assert leader not in view.table.records
        await wait_for(pilot, lambda: "已协调施工单位" in view.query_one("OrderDetail").shown_text)
        keys = ["enter", "1", "1", "1", "enter"]
        await pilot.press(keys[0])
        dialog = await until_dialog(pilot, "CallbackRecord")
        assert "已协调施工单位" in dialog.summary.plain
        await pilot.press(*keys[1:])
        await wait_for(pilot, lambda: app.screen is screen)
        order = seat.order(older)
        assert order.state.value == "closed" and order.satisfaction == "satisfied"
        assert order.resolved is True
        await wait_for(pilot, lambda: list(view.table.records) == [newer])


async def test_unreached_comes_back_then_closes_as_unreachable(seat, central) -> None:
    order_id = replied(central, NOW - days(2))
    central.push()
    app = make_app(seat, "cb1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "CallbackHome")
        view = screen.query_one("#queue-view", QueueView)
        for attempt in range(3):
            await wait_for(pilot, lambda: order_id in view.table.records)
            await pilot.press("enter")
            dialog = await until_dialog(pilot, "CallbackRecord")
            await pilot.press("2")
            assert "小时后再回访" in str(dialog.query_one("#callback-note").render())
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen)
            await wait_for(pilot, lambda: order_id not in view.table.records)
            assert seat.order(order_id).callback_attempts == attempt + 1
            seat.clock = seat.clock + timedelta(hours=5)
            await pilot.press("ctrl+r")
        order = seat.order(order_id)
        assert order.state.value == "closed" and order.closed_reason == "unreachable"


async def test_dissatisfied_goes_to_the_board_with_comment(seat, central) -> None:
    order_id = replied(central, NOW - days(2))
    central.push()
    app = make_app(seat, "cb1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "CallbackHome")
        await pilot.press("enter")
        await until_dialog(pilot, "CallbackRecord")
        await pilot.press("1", "2", "3")
        await type_into(pilot, "#callback-comment", "仍有夜间施工")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(order_id).events[-1].reason == "仍有夜间施工"
        board = seat.supervision_board()
        assert [r.order_id for r in board.dissatisfied] == [order_id]


async def test_leader_order_refused_for_operators(seat, central) -> None:
    """A city-leader order that reached an operator's cache is refused in the dialog."""
    order_id = replied(central, NOW - days(2), leader_instructed=True)
    central.push()
    app = make_app(seat, "cb1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "CallbackHome")
        from screens.callback_home import callback_dialog

        row = seat.callback_queue("supervision")[0]
        screen.command_dialog(callback_dialog(screen, row, None))
        dialog = await until_dialog(pilot, "CallbackRecord")
        await pilot.press("1", "1", "1", "enter")
        await wait_for(pilot, lambda: dialog.query_one("#err-general").display)
        assert "督查中心回访" in str(dialog.query_one("#err-general").render())
        assert seat.order(order_id).state.value == "callback_pending"


async def test_tell_the_caller_about_an_approved_extension(seat, central) -> None:
    order_id = central.dispatch(NOW - days(2))
    central.do(order_id, "sign", U1, NOW - days(1.9))
    central.do(
        order_id, "request_extension", U1, NOW - days(1), new_deadline="2026-03-31", reason="需协调"
    )
    central.do(order_id, "decide_extension", SUPER, NOW - days(0.5), approved=True, comment="同意")
    central.push()
    app = make_app(seat, "cb1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "CallbackHome")
        await pilot.press("f8")
        view = screen.query_one("#tell-view", QueueView)
        assert list(view.table.records) == [order_id]
        await pilot.press("enter")
        await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-comment", "已电话告知来电人延期至3月31日")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(order_id).extension.caller_notified
        await wait_for(pilot, lambda: not view.table.records)
