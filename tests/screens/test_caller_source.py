"""The caller panel says where the caller's history comes from (issue 15): the server
(every seat's calls) or this seat's own cache (offline)."""

from __future__ import annotations

from pathlib import Path

from central.testing import start_live_server
from screens.app import HotlineApp
from tests.offline_cache.helpers import live_seat
from tests.screens.helpers import make_app, type_text, until_home, wait_for
from workstation.intake_form import IntakeForm

CALL = {"type": "complaint", "channel": "phone", "content": "小区噪音扰民", "unit": "U001",
        "caller_phone": "13700001111", "caller_name": "张先生"}  # fmt: skip


def _label(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#caller-history-label").render())


async def test_offline_the_history_is_the_seats_cache_and_says_so(services) -> None:  # type: ignore[no-untyped-def]
    services.login("agent1", "pw-123456")
    first = services.dispatch(IntakeForm.parse(CALL))
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        await pilot.click("#caller-phone")
        await type_text(pilot, CALL["caller_phone"])
        panel = screen.query_one("#caller")
        await wait_for(pilot, lambda: panel.history)
        assert panel.history[0].order_id == first and panel.source == "local"
        assert "本机缓存" in _label(screen)


async def test_online_the_history_holds_other_seats_calls_and_says_so(tmp_path: Path) -> None:
    with start_live_server(tmp_path / "central", seats=("S01", "S02")) as server:
        other = live_seat(server, tmp_path / "s1", "S01", "agent1")
        number = other.dispatch(IntakeForm.parse(CALL))
        await other.sync_once()
        other.close()
        seat = live_seat(server, tmp_path / "s2", "S02", "agent1")
        assert seat.order(number) is None  # never pulled here: only the server knows it
        app = HotlineApp(seat, login_as=("agent1", "pw-agent1"), run_sync=False,
                         listen_calls=False)  # fmt: skip
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await until_home(pilot)
                await pilot.click("#caller-phone")
                await type_text(pilot, CALL["caller_phone"])
                panel = screen.query_one("#caller")
                await wait_for(pilot, lambda: panel.history)
                assert [r.order_id for r in panel.history] == [number]
                assert panel.source == "online" and "联网查询" in _label(screen)
        finally:
            seat.close()
