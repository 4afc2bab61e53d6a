"""Web/mobile requests on the intake screen: F11 lists them, Enter loads one, F10 triages it.

The requests reach the seat as a pull does (``apply_page`` with ``contact`` changes, as
the server's Open311 endpoint emits them); the dispatch then goes through the real seat
services, so the outbox command carries the request's own contact id.
"""

from __future__ import annotations

import json
from typing import Any

from screens.help_screen import HelpScreen
from screens.intake import IntakeScreen
from screens.widgets.caller_panel import CallerPanel
from screens.widgets.order_form import OrderForm
from tests.offline_cache.helpers import pull_page
from tests.screens.helpers import make_app, type_text, until_home, wait_for

POSTED = "2026-03-01T20:15:00+08:00"


def logged(contact_id: str, channel: str, content: str, at: str = POSTED) -> dict[str, Any]:
    """A ``contact`` change as ``central.open311_intake.store_request`` emits it."""
    return {
        "entity": "contact",
        "key": contact_id,
        "op": "upsert",
        "data": {
            "contact_id": contact_id,
            "channel": channel,
            "content": content,
            "received_at": at,
            "seat": None,
            "agent": None,
            "caller_name": "张三",
            "caller_phone": "13912346025",
            "confidential": False,
            "type": "complaint",
            "outcome": "logged",
            "reject_reason": None,
            "explanation": "",
            "transfer_to": None,
            "article_ids": [],
            "order_id": None,
            "open311": {"service_code": "QD-003", "service_name": "路灯照明", "address": ""},
        },
    }


def pull(services: Any, changes: list[dict[str, Any]]) -> None:
    cursor = int(services.db.get_meta("cursor") or 0)
    changes = [{"seq": cursor + 1, **c} for c in changes]
    pull_page(services, cursor, {"changes": changes, "cursor": cursor + 1})


def test_web_requests_lists_logged_web_and_mobile_contacts_oldest_first(services) -> None:
    pull(
        services,
        [
            logged("311-2026-000002", "mobile", "小区垃圾清运不及时", "2026-03-01T21:00:00+08:00"),
            logged("311-2026-000001", "web", "人民中路路灯不亮已经一周"),
            {**logged("C-phone", "phone", "电话来电"), "key": "C-phone"},
        ],
    )
    rows = services.web_requests()
    assert [r.contact_id for r in rows] == ["311-2026-000001", "311-2026-000002"]
    assert rows[0].service_name == "路灯照明" and rows[1].channel == "mobile"
    assert rows[0].form()["contact_id"] == "311-2026-000001"


async def test_pick_a_web_request_and_dispatch_it(services) -> None:
    pull(services, [logged("311-2026-000001", "web", "人民中路路灯不亮已经一周，晚上很黑")])
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f11")
        dialog = await wait_for(
            pilot,
            lambda: app.screen if type(app.screen).__name__ == "WebRequestsScreen" else None,
        )
        await wait_for(pilot, lambda: dialog.loaded)
        assert list(dialog.rows) == ["311-2026-000001"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))

        form, caller = screen.query_one(OrderForm), screen.query_one(CallerPanel)
        assert "路灯不亮" in form.values()["content"]
        assert form.values()["type"] == "complaint"
        assert caller.values()["caller_phone"] == "13912346025"
        assert caller.values()["channel"] == "web"
        assert screen.collect()["contact_id"] == "311-2026-000001"

        await pilot.press("f8")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnitPicker")
        await type_text(pilot, "城市管理")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen) and form.unit)
        await pilot.press("f10")
        await wait_for(pilot, lambda: screen.last_result)

        order = services.order(screen.last_result)
        assert order is not None and "311-2026-000001" in order.contact_ids
        [command] = services.db.query("SELECT command, args FROM outbox")
        args = json.loads(command["args"])
        assert command["command"] == "dispatch" and args["contact_id"] == "311-2026-000001"
        assert args["channel"] == "web"
        assert services.web_requests() == []  # triaged: gone from the list
        assert form.values()["content"] == "" and screen.collect()["contact_id"] is None

        await pilot.press("f11")  # the list is empty now and says so
        dialog = await wait_for(
            pilot,
            lambda: app.screen if type(app.screen).__name__ == "WebRequestsScreen" else None,
        )
        await wait_for(pilot, lambda: dialog.loaded)
        assert dialog.rows == {}
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))


async def test_palette_offers_web_requests(services) -> None:
    from screens.bindings import ActionsProvider

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        actions = {a.action for a in ActionsProvider(screen)._actions()}
        assert "web_requests" in actions
        await pilot.press("f1")  # the agent's help names the web-requests key
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen) and help_screen.help_for == "agent"
        assert "F11" in str(app.screen.query_one("#help-intro").render())


async def test_a_web_request_the_assist_flags_is_not_dispatched_without_a_reason(
    services,
) -> None:
    pull(services, [logged("311-2026-000009", "web", "小区里有人晕倒了，不省人事，快叫救护车")])
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f11")
        dialog = await wait_for(
            pilot,
            lambda: app.screen if type(app.screen).__name__ == "WebRequestsScreen" else None,
        )
        await wait_for(pilot, lambda: dialog.loaded)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))
        form = screen.query_one(OrderForm)
        assert form.emergency is not None and form.emergency.transfer_to == "120"
        form.unit, form.unit_name = "U055", "红十字会"
        await pilot.press("f10")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "OverrideDialog")
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RejectDialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.last_message)
        assert services.db.query("SELECT order_id FROM orders") == []
        [command] = services.db.query("SELECT command, args FROM outbox")
        assert command["command"] == "reject_contact"
        assert json.loads(command["args"])["contact_id"] == "311-2026-000009"
