"""Safety of the call, as the agent meets it: a call the assist flags (an emergency, a
request from another city) is transferred or refused, never dispatched without a reason on
the order's trail; each outcome requires its fields; answered calls show in the history."""

from __future__ import annotations

from screens.intake import IntakeScreen
from screens.reject_dialog import RejectDialog
from screens.widgets.caller_panel import CallerPanel
from screens.widgets.kb_panel import KbPanel
from screens.widgets.order_form import OrderForm
from tests.screens.helpers import fill_content, make_app, type_text, until_home, wait_for

FAINTED = "小区里有人晕倒了，不省人事，快叫救护车"
SHANGHAI = "我在上海，这边地铁站有问题"
FIRE = "楼道里着火了，浓烟很大"


def _orders(services) -> list[str]:
    return [r["order_id"] for r in services.db.query("SELECT order_id FROM orders")]


async def _call(pilot, phone: str, text: str) -> IntakeScreen:
    screen = await until_home(pilot)
    await pilot.click("#caller-phone")
    await type_text(pilot, phone)
    await fill_content(pilot, text)
    await wait_for(pilot, lambda: screen._suggestion is not None)
    return screen


def _reject(app: object) -> RejectDialog:
    screen = getattr(app, "screen", None)
    assert isinstance(screen, RejectDialog)
    return screen


async def _on(pilot, name: str) -> None:
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name)


async def test_ctrl_g_then_f10_on_an_emergency_offers_the_transfer_not_a_dispatch(
    services,
) -> None:
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _call(pilot, "13912345678", FAINTED)
        form = screen.query_one(OrderForm)
        await pilot.press("ctrl+g")  # taking the suggestion takes the transfer
        await _on(pilot, "RejectDialog")
        assert _reject(app).reason == "emergency" and _reject(app).transfer_to == "120"
        assert form.unit == ""  # never a unit
        await pilot.press("escape")
        await _on(pilot, "IntakeScreen")
        form.unit, form.unit_name = "U055", "红十字会"  # the agent picks one by hand anyway
        await pilot.press("f10")
        await _on(pilot, "OverrideDialog")
        assert "120" in str(app.screen.query_one("#override-warning").render())
        await pilot.press("ctrl+s")  # no reason: refused, the dialog stays
        assert "理由" in str(app.screen.query_one("#err-override").render())
        await pilot.press("f7")  # the transfer is offered
        await _on(pilot, "RejectDialog")
        assert _reject(app).transfer_to == "120"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.last_message)
        assert _orders(services) == []
        message = screen.last_message or ""
        assert "紧急求助" in message and "120" in message and "13912345678" in message
        assert "C-" not in message  # not the internal contact id


async def test_an_override_with_a_reason_dispatches_and_keeps_it_on_the_trail(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _call(pilot, "13912345678", FAINTED)
        form = screen.query_one(OrderForm)
        form.set_type("help")
        form.unit, form.unit_name = "U055", "红十字会"
        await pilot.press("f10")
        await _on(pilot, "OverrideDialog")
        await pilot.click("#override-reason")
        await type_text(pilot, "已转 120，来电人另要求红十字会回访")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.last_result)
        order = services.order(screen.last_result)
        assert order.events[0].data["override"] == {
            "flag": "emergency:120",
            "reason": "已转 120，来电人另要求红十字会回访",
        }
        assert "派单理由" in (screen.last_message or "")


async def test_a_request_about_another_city_is_not_dispatched(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _call(pilot, "13912345678", SHANGHAI)
        assert "不属于本市管辖" in str(screen.query_one("#form-suggestion").render())
        form = screen.query_one(OrderForm)
        form.set_type("complaint")
        form.unit, form.unit_name = "U060", "公交公司"
        await pilot.press("f10")
        await _on(pilot, "OverrideDialog")
        assert "不属于本市管辖" in str(app.screen.query_one("#override-warning").render())
        await pilot.press("escape")
        await _on(pilot, "IntakeScreen")
        assert _orders(services) == []
        await pilot.press("ctrl+g")  # the suggestion is the refusal
        await _on(pilot, "RejectDialog")
        assert _reject(app).reason == "out_of_area"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.last_message)
        assert "不属于本市管辖" in (screen.last_message or "") and _orders(services) == []


async def test_ctrl_g_on_a_fire_never_fills_a_unit_and_f10_does_not_dispatch(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _call(pilot, "13912345678", FIRE)
        form = screen.query_one(OrderForm)
        await pilot.press("ctrl+g")
        await _on(pilot, "RejectDialog")
        assert _reject(app).transfer_to == "119"
        await pilot.press("escape")
        await _on(pilot, "IntakeScreen")
        assert form.unit == ""
        form.unit, form.unit_name = "U052", "消防救援大队"
        await pilot.press("f10")
        await _on(pilot, "OverrideDialog")
        await pilot.press("escape")
        await _on(pilot, "IntakeScreen")
        assert _orders(services) == [] and form.values()["content"] == FIRE


async def test_an_ordinary_call_still_takes_the_suggested_unit(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _call(pilot, "13912345678", "我家楼下的路灯坏了一个多月，晚上很黑")
        await pilot.press("ctrl+g", "f10")
        await wait_for(pilot, lambda: screen.last_result)
        order = services.order(screen.last_result)
        assert order.unit == "U023" and "override" not in order.events[0].data


async def test_a_work_order_needs_a_phone_or_the_no_phone_box(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await fill_content(pilot, "我家楼下的路灯坏了一个多月，晚上很黑")
        await wait_for(pilot, lambda: screen._suggestion is not None)
        await pilot.press("ctrl+g", "f10")
        error = screen.query_one("#caller-phone-error")
        await wait_for(pilot, lambda: error.display)
        assert "不留电话" in str(error.render()) and _orders(services) == []
        await pilot.click("#caller-phone-declined")
        await pilot.press("f10")
        await wait_for(pilot, lambda: screen.last_result)
        assert services.order(screen.last_result).events[0].data["phone_declined"] is True


async def test_f6_without_the_request_text_shows_the_error_under_the_field(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f3")
        await type_text(pilot, "社保卡丢了")
        panel = screen.query_one(KbPanel)
        await wait_for(pilot, lambda: panel.results)
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: panel.current_article_id)
        await pilot.press("f6")
        error = screen.query_one("#err-content")
        await wait_for(pilot, lambda: error.display)
        assert "内容" in str(error.render())
        assert services.my_intake_history() == []


async def test_an_answered_call_shows_in_the_callers_history(services) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, "13912340000")
        await fill_content(pilot, "社保卡丢了怎么补办")
        await pilot.press("f3")
        await type_text(pilot, "社保卡丢了")
        panel = screen.query_one(KbPanel)
        await wait_for(pilot, lambda: panel.results)
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: panel.current_article_id)
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.last_result)
        row = services.my_intake_history()[0]
        assert row.outcome == "answered" and row.type == "consultation"
        assert row.content == "社保卡丢了怎么补办"
        # the same caller rings again
        await pilot.click("#caller-phone")
        await type_text(pilot, "13912340000")
        caller = screen.query_one(CallerPanel)
        await wait_for(pilot, lambda: caller.contacts)
        label = str(caller.query_one("#caller-history-label").render())
        assert "无历史工单" not in label
        shown = caller.query_one("#caller-history")
        assert "社保卡丢了怎么补办" in str(shown.get_option_at_index(0).prompt)
