"""Complete calls through the real app and the real seat services (Pilot)."""

from __future__ import annotations

from datetime import datetime

from textual.widget import Widget

from screens.intake import IntakeScreen
from screens.reject_dialog import RejectDialog
from screens.widgets.kb_panel import KbPanel
from screens.widgets.order_form import OrderForm
from tests.screens.helpers import fill_content, make_app, type_text, until_home, wait_for
from workstation.intake_form import IntakeForm
from workstation.models import RejectReason


def _history(services):
    return services.my_intake_history()


async def _pick_unit(pilot, text: str) -> None:
    await pilot.press("f8")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "UnitPicker")
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, IntakeScreen))


async def test_dispatched_with_the_right_deadline(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, "13912345678")
        await fill_content(pilot, "我家楼下的路灯坏了一个多月，晚上很黑，希望尽快维修。")
        form = screen.query_one(OrderForm)
        form.set_type("complaint")
        await wait_for(pilot, lambda: form.deadline is not None)
        assert "2026-03-11 23:59" in str(form.deadline)  # 7 working days from Mon 2 March
        await _pick_unit(pilot, "城市管理")
        unit = form.unit
        assert unit
        await pilot.press("f10")
        await wait_for(pilot, lambda: screen.last_result)
        order = services.order(screen.last_result)
        assert order is not None and order.unit == unit
        assert order.deadline == datetime.fromisoformat("2026-03-11T23:59:59+08:00")
        assert order.caller_phone == "13912345678"
        assert screen.last_submit_ms < 100, (
            screen.last_submit_ms,
            screen.service_ms,
            screen.queued_ms,
        )
        # cleared for the next call, draft gone
        assert form.values()["content"] == "" and form.unit == ""
        await wait_for(pilot, lambda: screen.draft_saved)
        assert services.load_draft("intake") is None


async def test_errors_show_next_to_the_field_and_keep_the_text(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        await fill_content(pilot, "噪音扰民")
        await pilot.press("f10")
        error = screen.query_one("#err-type")
        assert error.display and "类型" in str(error.render())
        assert screen.query_one(OrderForm).values()["content"] == "噪音扰民"


async def test_answered_from_the_knowledge_base(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await fill_content(pilot, "社保卡丢了怎么补办")
        await pilot.press("f3")
        await type_text(pilot, "社保卡丢了")
        panel = screen.query_one(KbPanel)
        await wait_for(pilot, lambda: panel.results)
        first = panel.results[0]
        await pilot.press("enter", "enter")  # to the results, open the first
        await wait_for(pilot, lambda: panel.current_article_id == first.id)
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.last_result)
        rows = _history(services)
        assert rows[0].outcome == "answered"
        contact = services.db.query("SELECT data FROM contacts")[0]["data"]
        assert first.id in contact


async def test_not_accepted_for_each_reason(services) -> None:
    """Five calls in one session, one per non-accepted reason, each with its script."""
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_home(pilot)
        for count, reason in enumerate((r.value for r in RejectReason), 1):
            await fill_content(pilot, f"来电人反映的事项 {count}")
            await pilot.press("f7")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "RejectDialog")
            dialog = app.screen
            assert isinstance(dialog, RejectDialog)
            dialog.choose(reason, "110" if reason == "emergency" else None)
            await pilot.pause()
            assert str(dialog.query_one("#reject-script").render())  # the script to read
            await pilot.press("ctrl+s")

            def logged(n: int = count) -> bool:
                return len(_history(services)) == n

            await wait_for(pilot, logged)
            row = _history(services)[0]
            assert row.outcome == "rejected" and row.reject_reason == reason
            await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))


async def test_emergency_words_are_flagged_at_once(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        await fill_content(pilot, "楼道里着火了，浓烟很大")
        form = screen.query_one(OrderForm)
        assert form.emergency is not None and form.emergency.transfer_to == "119"
        assert screen.query_one("#form-emergency").display
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RejectDialog")
        dialog = app.screen
        assert isinstance(dialog, RejectDialog)
        assert dialog.reason == "emergency" and dialog.transfer_to == "119"


async def test_repeat_caller_is_linked_to_the_open_order(services) -> None:
    services.login("agent1", "pw-123456")
    first = services.dispatch(IntakeForm.parse(
        {"type": "complaint", "channel": "phone", "content": "小区噪音扰民", "unit": "U001",
         "caller_phone": "13700001111", "caller_name": "张先生"}
    ))  # fmt: skip
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, "13700001111")
        panel = screen.query_one("#caller")
        await wait_for(pilot, lambda: panel.history)
        assert panel.history[0].order_id == first
        await fill_content(pilot, "噪音还是没解决，再次反映")
        screen.query_one("#caller-history").focus()
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.last_result)
        row = _history(services)[0]
        assert row.outcome == "linked" and row.order_id == first


async def test_every_refused_field_shows_its_own_message(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f10")  # nothing typed: phone, content, type and unit are missing
        for field, word in (
            ("caller-phone-error", "电话"), ("err-content", "内容"), ("err-type", "类型"),
            ("err-unit", "单位"),
        ):  # fmt: skip
            error = screen.query_one(f"#{field}")

            def shown(error: Widget = error) -> bool:
                return error.display

            await wait_for(pilot, shown)
            assert word in str(error.render())
        assert app.focused is screen.query_one("#caller-phone")  # the first one
        await fill_content(pilot, "路灯不亮")
        assert not screen.query_one("#err-content").display  # typing clears its message
        assert screen.query_one("#err-type").display
