"""The KB hit list (one fixed-size widget) and the assist model cache of the seat."""

from __future__ import annotations

from pathlib import Path

from screens.widgets.kb_panel import KbPanel
from screens.widgets.kb_results import KbResults
from tests.screens.helpers import make_app, type_text, until_home, wait_for


async def test_results_are_shown_then_opened_from_the_keyboard(services) -> None:
    shown: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, KbPanel.ResultsShown):
            shown.append(message.query)

    app = make_app(services)
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f3")
        await type_text(pilot, "社保卡")
        panel = screen.query_one(KbPanel)
        await wait_for(pilot, lambda: "社保卡" in shown)
        results = screen.query_one(KbResults)
        assert results.option_count == len(panel.results) > 1
        assert "社保" in results.rows[0].title.plain
        assert any(span.style == "bold underline" for span in results.rows[0].title.spans)
        second = panel.results[1].id
        await pilot.press("enter", "down", "enter")  # to the list, one down, open it
        await wait_for(pilot, lambda: panel.current_article_id == second)


def test_cold_start_model_is_cached_and_gives_the_same_suggestions(tmp_path: Path) -> None:
    from assist.assistant import Assistant
    from assist.cache import cache_path, cached_assistant, directory_key
    from workstation.models import load_units

    units = load_units(Path(__file__).resolve().parents[2] / "workstation/data/units.jsonl")
    cached = cached_assistant(units, tmp_path)  # trained in a child process
    path = cache_path(tmp_path, directory_key(units))
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    again = cached_assistant(units, tmp_path)
    assert path.stat().st_mtime_ns == stamp  # read back, not trained again
    reference = Assistant.from_directory(units)
    for text in ("楼道里着火了，浓烟很大", "小区路灯坏了好几天  没人修", "公积金提取要什么材料"):
        assert cached.suggest(text).to_dict() == reference.suggest(text).to_dict()
        assert again.suggest(text).to_dict() == reference.suggest(text).to_dict()
    assert directory_key(units[:-1]) != directory_key(units)


async def test_down_in_the_search_box_moves_into_the_results(services) -> None:
    """Issue 14: Down from the search box goes to the first result; Enter opens it."""
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        await pilot.press("f3")
        await type_text(pilot, "社保卡")
        panel = screen.query_one(KbPanel)
        await wait_for(pilot, lambda: panel.shown_query == "社保卡" and panel.results)
        first = panel.results[0].id
        await pilot.press("down")
        assert app.focused is screen.query_one(KbResults)
        await pilot.press("enter")
        await wait_for(pilot, lambda: panel.current_article_id == first)
