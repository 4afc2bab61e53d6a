"""The handling unit's home: inbox, sign, return, extension, reply, notices, KB proposal."""

from __future__ import annotations

from screens.order_detail import OrderDetail
from screens.role_base import RowTable
from tests.screens_roles.helpers import make_app, type_into, until_dialog, until_home, wait_for
from tests.screens_roles.world import NOW, SUPER, U1, days


def _inbox(screen) -> RowTable:
    return screen.query_one("#inbox-table", RowTable)


def _select(screen, order_id: str) -> None:
    table = _inbox(screen)
    table.move_cursor(row=table.get_row_index(order_id))


async def test_inbox_buckets_countdown_and_masking(seat, central) -> None:
    new = central.dispatch(NOW - days(0.1), confidential=True, caller_name="张三丰")
    old = central.dispatch(NOW - days(20), type="consultation")
    central.do(old, "sign", U1, NOW - days(19))
    returned = central.dispatch(NOW - days(1))
    central.do(
        returned, "return_order", U1, NOW - days(0.5), reason="不属本单位职责", basis="三定方案"
    )
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        rows = {r.order_id: r for r in seat.unit_inbox()}
        assert rows[old].bucket == "overdue" and rows[new].bucket == "new"
        table = _inbox(screen)
        assert table.row_count == 3
        assert table.get_row_index(old) == 0  # most urgent first
        assert "超" in str(table.get_row(old)[2])
        _select(screen, new)
        detail = screen.query_one("#inbox-detail", OrderDetail)
        await wait_for(pilot, lambda: new in detail.shown_text)
        assert "张**" in detail.shown_text and "139****6025" in detail.shown_text
        assert "张三丰" not in detail.shown_text
        assert "可退回至" in detail.shown_text


async def test_sign_then_refused_second_time(seat, central) -> None:
    order_id = central.dispatch(NOW - days(0.1))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, order_id)
        await pilot.press("f2")
        await wait_for(pilot, lambda: seat.order(order_id).state.value == "signed")
        await wait_for(pilot, lambda: _inbox(screen).records[order_id].bucket == "signed")
        await pilot.press("f2")
        message = screen.query_one("#home-message")
        await wait_for(pilot, lambda: message.display)
        assert "已" in str(message.render()) and "签收" in str(message.render())


async def test_return_inside_the_window(seat, central) -> None:
    order_id = central.dispatch(NOW - days(0.1))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, order_id)
        await wait_for(pilot, lambda: screen.window_end is not None)
        await pilot.press("f3")
        dialog = await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-reason", "属于供电公司职责")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("basis"))
        assert "依据" in dialog.error_text("basis")
        assert dialog.values()["reason"] == "属于供电公司职责"  # kept
        await type_into(pilot, "#field-basis", "《供电营业规则》第六条")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnitHome")
        order = seat.order(order_id)
        assert order.state.value == "returned"
        assert order.returned["basis"] == "《供电营业规则》第六条"


async def test_return_outside_the_window_is_explained_and_refused(seat, central) -> None:
    order_id = central.dispatch(NOW - days(5))  # Wed 25 Feb: window ended Fri 27 Feb
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, order_id)
        detail = screen.query_one("#inbox-detail", OrderDetail)
        await wait_for(pilot, lambda: "已过退回期限" in detail.shown_text)
        await pilot.press("f3")
        dialog = await until_dialog(pilot, "ActionDialog")
        assert dialog.query_one("#dialog-warning").display
        assert "已过退回期限" in str(dialog.query_one("#dialog-warning").render())
        await type_into(pilot, "#field-reason", "不属本单位")
        await type_into(pilot, "#field-basis", "三定方案")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text())
        assert "退回须在派单后 2 个工作日内" in dialog.error_text()
        assert dialog.values() == {"reason": "不属本单位", "basis": "三定方案"}
        assert seat.order(order_id).state.value == "dispatched"
        assert seat.status().pending == 0  # nothing written


async def test_extension_before_and_after_the_deadline(seat, central) -> None:
    ok = central.dispatch(NOW - days(1))
    central.do(ok, "sign", U1, NOW - days(0.9))
    late = central.dispatch(NOW - days(20), type="consultation")
    central.do(late, "sign", U1, NOW - days(19))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, late)
        await pilot.press("f4")
        dialog = await until_dialog(pilot, "ActionDialog")
        assert "已过办理期限" in str(dialog.query_one("#dialog-warning").render())
        await type_into(pilot, "#field-new_deadline", "2026-03-20")
        await type_into(pilot, "#field-reason", "需协调多部门")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text())
        assert "延期须在办理期限" in dialog.error_text()
        assert dialog.values()["reason"] == "需协调多部门"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        _select(screen, ok)
        await pilot.pause()
        await pilot.press("f4")
        dialog = await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-new_deadline", "2026-03-01")
        await type_into(pilot, "#field-reason", "需协调多部门")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("new_deadline"))
        assert "晚于当前期限" in dialog.error_text("new_deadline")
        dialog.set_value("new_deadline", "2026-03-31")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        order = seat.order(ok)
        assert order.state.value == "extension_requested"
        assert order.extension.new_deadline.date().isoformat() == "2026-03-31"


async def test_reply(seat, central) -> None:
    order_id = central.dispatch(NOW - days(1))
    central.do(order_id, "sign", U1, NOW - days(0.9))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, order_id)
        await pilot.press("f6")
        dialog = await until_dialog(pilot, "ActionDialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("result"))
        await type_into(pilot, "#field-result", "已责令施工单位夜间停工，并现场复查。")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(order_id).state.value == "replied"
        await wait_for(pilot, lambda: order_id not in _inbox(screen).records)


async def test_co_handler_cannot_sign_for_another_units_order(seat, central) -> None:
    order_id = central.dispatch(NOW - days(0.1), unit="U002", co_units=["U001"])
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        assert order_id in _inbox(screen).records
        _select(screen, order_id)
        await pilot.press("f2")
        message = screen.query_one("#home-message")
        await wait_for(pilot, lambda: message.display)
        assert "不属于本单位" in str(message.render())
        assert seat.order(order_id).state.value == "dispatched"


async def test_notices_addressed_to_the_unit(seat, central) -> None:
    mine = central.dispatch(NOW - days(20), type="consultation")
    other = central.dispatch(NOW - days(20), type="consultation", unit="U002")
    central.do(mine, "urge", SUPER, NOW - days(1), number="催办〔2026〕0007号")
    central.notice(mine, "urging", "催办〔2026〕0007号", NOW - days(1))
    central.notice(other, "urging", "催办〔2026〕0008号", NOW - days(1))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        await pilot.press("f8")
        table = screen.query_one("#notice-table", RowTable)
        assert list(table.records) == ["催办〔2026〕0007号"]
        detail = screen.query_one("#notice-detail", OrderDetail)
        await wait_for(pilot, lambda: "已超过办理期限" in detail.shown_text)
        assert "抄送" in detail.shown_text


async def test_propose_a_kb_article(seat, central) -> None:
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        await pilot.press("f7")
        dialog = await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-title", "夜间施工噪音投诉的处理流程")
        await type_into(pilot, "#field-body", "夜间22时至次日6时禁止产生噪声的建筑施工作业。")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("policy_basis"))
        await type_into(pilot, "#field-policy_basis", "《噪声污染防治法》第四十三条")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        proposals = seat.kb_proposals()
        assert proposals[0].title == "夜间施工噪音投诉的处理流程"
        assert proposals[0].unit == "U001"
        await wait_for(pilot, lambda: screen.query_one("#kb-table", RowTable).row_count == 1)


async def test_citizen_text_is_literal_and_wraps(seat, central) -> None:
    content = "路灯坏了[bold red]很久[/]\x1b[31m，" + "晚上很黑老人小孩出行不便" * 6
    order_id = central.dispatch(NOW - days(0.1), content=content)
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, order_id)
        detail = screen.query_one("#inbox-detail", OrderDetail)
        await wait_for(pilot, lambda: order_id in detail.shown_text)
        assert "[bold red]很久[/]" in detail.shown_text
        assert "\x1b" not in detail.shown_text
        text = detail.query_one("#detail-text")
        assert text.size.width <= 80 and text.size.height >= 4  # CJK wrapped, not cut


async def test_home_rereads_only_what_the_changed_orders_touch(seat, central) -> None:
    first = central.dispatch(NOW - days(0.1))
    central.push()
    app = make_app(seat, "unit1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        assert set(_inbox(screen).records) == {first}
        later = central.dispatch(NOW - days(0.05))
        central.push()  # in the cache, but nobody has said which orders changed yet
        loaded = screen.loaded
        app.refresh_sync_status()  # the footer's tick: no lists re-read
        seat.notify({"kind": "local_write", "orders": []})  # e.g. a KB proposal
        await wait_for(pilot, lambda: screen.loaded > loaded)
        await pilot.pause()
        assert set(_inbox(screen).records) == {first}  # the inbox was not read again
        seat.notify({"kind": "sync", "orders": [later]})  # what the sync client reports
        await wait_for(pilot, lambda: later in _inbox(screen).records)
        assert set(_inbox(screen).records) == {first, later}


async def test_reply_before_signing_keeps_the_text_and_says_sign_first(seat, central) -> None:
    """Issue 14: replying to an unsigned order is refused with the next step (F2), the
    dialog keeps the text, and after Esc the next F6 has the text again."""
    order_id = central.dispatch(NOW - days(0.1))
    central.push()
    app = make_app(seat, "unit1")
    text = "已联系物业，明天上午维修路灯。"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "UnitHome")
        _select(screen, order_id)
        await pilot.press("f6")
        dialog = await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-result", text)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text())
        refusal = dialog.error_text()
        assert "签收" in refusal and "F2" in refusal, refusal
        values = dialog.values()
        assert app.screen is dialog and values["result"] == text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("f2")  # the next step, as told
        await wait_for(pilot, lambda: seat.order(order_id).state.value == "signed")
        await pilot.press("f6")
        dialog = await until_dialog(pilot, "ActionDialog")
        assert dialog.values()["result"] == text  # nothing typed was lost
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(order_id).state.value == "replied"
