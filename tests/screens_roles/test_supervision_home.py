"""The supervision center's home: board decisions, notices and assessment exports, KB review."""

from __future__ import annotations

from screens.assessment_view import AssessmentView
from screens.callback_queue_view import QueueView
from screens.role_base import RowTable
from tests.screens_roles.helpers import make_app, type_into, until_dialog, until_home, wait_for
from tests.screens_roles.test_callback_home import replied
from tests.screens_roles.world import CB, NOW, SUPER, U1, days


def board_world(central) -> dict[str, str]:
    ids = {}
    ids["overdue"] = central.dispatch(NOW - days(20), type="consultation")
    ext = ids["extension"] = central.dispatch(NOW - days(2))
    central.do(ext, "sign", U1, NOW - days(1.9))
    central.do(
        ext,
        "request_extension",
        U1,
        NOW - days(1),
        new_deadline="2026-03-31",
        reason="需协调住建部门",
    )
    ret = ids["returned"] = central.dispatch(NOW - days(1))
    central.do(ret, "return_order", U1, NOW - days(0.5), reason="不属本单位职责", basis="三定方案")
    dis = ids["dissatisfied"] = replied(central, NOW - days(3))
    central.do(
        dis,
        "record_callback",
        CB,
        NOW - days(1),
        reached=True,
        resolved=False,
        satisfaction="dissatisfied",
    )
    return ids


def _select(view: QueueView, key: str) -> None:
    view.table.move_cursor(row=view.table.get_row_index(key))


async def test_board_sections_and_extension_decisions(seat, central) -> None:
    ids = board_world(central)
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        board = screen.query_one("#board-view", QueueView)
        sections = {key.split(":")[0] for key in board.table.records}
        assert sections == {"overdue", "extension", "returned", "dissatisfied"}
        _select(board, f"extension:{ids['extension']}")
        await pilot.press("enter")
        dialog = await until_dialog(pilot, "ActionDialog")
        assert "需协调住建部门" in str(dialog.query_one("#dialog-note").render())
        dialog.set_value("approved", False)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("comment"))
        assert "不同意延期时请说明理由" in dialog.error_text("comment")
        dialog.set_value("approved", True)
        await type_into(pilot, "#field-comment", "同意")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        order = seat.order(ids["extension"])
        assert order.extension.status == "approved"
        # approval creates the task of telling the caller
        await wait_for(pilot, lambda: f"notify:{ids['extension']}" in board.table.records)


async def test_reassign_rehandle_close_and_wrong_row(seat, central) -> None:
    ids = board_world(central)
    other = replied(central, NOW - days(4))
    central.do(
        other,
        "record_callback",
        CB,
        NOW - days(1),
        reached=True,
        resolved=False,
        satisfaction="dissatisfied",
    )
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        board = screen.query_one("#board-view", QueueView)
        _select(board, f"overdue:{ids['overdue']}")
        await pilot.press("f3")  # reassign only applies to returned orders
        await pilot.pause()
        assert app.screen is screen
        _select(board, f"returned:{ids['returned']}")
        await pilot.press("f3")
        dialog = await until_dialog(pilot, "ActionDialog")
        assert "三定方案" in str(dialog.query_one("#dialog-note").render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.error_text("unit"))
        dialog.set_value("unit", "U002")
        await type_into(pilot, "#field-reason", "属南阳镇辖区")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        order = seat.order(ids["returned"])
        assert order.state.value == "dispatched" and order.unit == "U002"

        await wait_for(pilot, lambda: f"dissatisfied:{ids['dissatisfied']}" in board.table.records)
        _select(board, f"dissatisfied:{ids['dissatisfied']}")
        await pilot.press("f4")
        await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-reason", "来电人反映仍有夜间施工")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(ids["dissatisfied"]).state.value == "rehandling"

        await wait_for(pilot, lambda: f"dissatisfied:{other}" in board.table.records)
        _select(board, f"dissatisfied:{other}")
        await pilot.press("f6")
        await until_dialog(pilot, "ActionDialog")
        await type_into(pilot, "#field-explanation", "已依法处理，诉求超出政策范围，已解释")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(other).state.value == "closed"


async def test_leader_callback_in_supervision_queue(seat, central) -> None:
    order_id = replied(central, NOW - days(2), leader_instructed=True)
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        await pilot.press("f8")
        queue = screen.query_one("#super-queue", QueueView)
        assert list(queue.table.records) == [order_id]
        await pilot.press("enter")
        await until_dialog(pilot, "CallbackRecord")
        await pilot.press("1", "1", "2", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.order(order_id).satisfaction == "basically_satisfied"


async def test_notices_export_text_and_pdf(seat, central) -> None:
    order_id = central.dispatch(NOW - days(20), type="consultation")
    central.do(order_id, "urge", SUPER, NOW - days(3), number="催办〔2026〕0007号")
    central.notice(order_id, "urging", "催办〔2026〕0007号", NOW - days(3))
    central.notice(order_id, "criticism", "通报〔2026〕0002号", NOW - days(0.5))
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        await pilot.press("f8", "f8")
        table = screen.query_one("#notice-table", RowTable)
        assert list(table.records) == ["通报〔2026〕0002号", "催办〔2026〕0007号"]
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.last_export)
        txt, pdf = screen.last_export
        text = txt.read_text("utf-8")
        assert "催办〔2026〕0007号" in text and "通报批评" in text
        assert pdf.read_bytes()[:5] == b"%PDF-"


async def test_assessment_table_chart_and_exports(seat, central) -> None:
    done = replied(central, NOW - days(1))
    central.do(
        done,
        "record_callback",
        CB,
        NOW - days(0.5),
        reached=True,
        resolved=True,
        satisfaction="satisfied",
    )
    central.dispatch(NOW - days(0.2), unit="U002")
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        view = screen.query_one(AssessmentView)
        await wait_for(pilot, lambda: view.assessment is not None)
        for _ in range(3):
            await pilot.press("f8")
        assert screen.active_tab == "assessment"
        result = view.assessment
        codes = [r.unit for r in result.rows if r.received]
        assert codes == ["U001", "U002"]
        assert result.totals.received == 2
        await pilot.press("g")
        assert view.has_class("-chart")
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.last_export)
        csv_path, xlsx_path = screen.last_export
        csv_text = csv_path.read_bytes().decode("utf-8-sig")
        assert csv_text.splitlines()[0].startswith("单位代码,单位名称,接收工单")
        from openpyxl import load_workbook

        sheet = load_workbook(xlsx_path).active
        assert sheet.cell(row=2, column=1).value == "单位代码"
        await pilot.press("[")
        await wait_for(pilot, lambda: view.assessment.start.month == 2)


async def test_review_and_publish_a_proposal(seat, central) -> None:
    seat.login("unit1", "pw-123456")
    proposal_id = seat.propose_article(
        {"title": "夜间施工噪音", "body": "22时后禁止施工"}, "《噪声法》"
    )
    seat.logout()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        for _ in range(4):
            await pilot.press("f8")
        table = screen.query_one("#kb-table", RowTable)
        assert list(table.records) == [proposal_id]
        await pilot.press("enter")
        await until_dialog(pilot, "ActionDialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert seat.kb_proposals()[0].status == "published"


async def test_an_overridden_dispatch_is_marked_on_the_board_with_its_reason(seat, central) -> None:
    """An order an agent dispatched against the assist's emergency flag shows in its own
    board section, and its detail gives the flag and the agent's reason."""
    plain = central.dispatch(NOW - days(1))
    overridden = central.dispatch(
        NOW - days(1),
        content="小区里有人晕倒了，不省人事，快叫救护车",
        assist={"type": "help", "reject_reason": "emergency", "transfer_to": "120"},
        override={"flag": "emergency:120", "reason": "已转 120，另需社区跟进"},
    )
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        board = screen.query_one("#board-view", QueueView)
        await wait_for(pilot, lambda: f"override:{overridden}" in board.table.records)
        assert f"override:{plain}" not in board.table.records
        _select(board, f"override:{overridden}")
        text = board.query_one("#detail-text")
        await wait_for(pilot, lambda: "已转 120，另需社区跟进" in str(text.render()))
        assert "emergency:120" in str(text.render())
