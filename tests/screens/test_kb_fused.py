"""Issue 16 in the intake screen: the fused (semantic) list once typing pauses or on Enter,
the highlighted article kept, and a notice while the seat's vectors are missing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.text import Text

from screens.widgets.kb_panel import KbPanel
from screens.widgets.kb_results import KbResults, prepare_rows
from tests.screens.helpers import make_app, type_text, until_home, wait_for
from tests.screens.seat import KB_FILE, make_seat
from workstation.i18n import set_language
from workstation.seat_api import KbHit

# 路灯, 新生儿落户, 小学报名, 燃气味, 广场舞噪音: few, so the session embeds them in seconds
EMBEDDED = ("KB-D0087", "KB-D0043", "KB-D0074", "KB-D0109", "KB-D0090")
COLLOQUIAL = "楼下那盏灯黑了好几天了"  # no word of 路灯不亮怎么报修 in it: lexical finds nothing
STREETLIGHT = "KB-D0087"


@pytest.fixture(scope="session")
def embedded_seat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seat with five articles and their vectors (made once, as a server would)."""
    from kb_index.encoder import default_encoder

    path = tmp_path_factory.mktemp("embedded") / "seat"
    seat = make_seat(path, kb=False)
    articles = [json.loads(line) for line in KB_FILE.read_text("utf-8").splitlines() if line]
    seat.kb.upsert_many([a for a in articles if a["id"] in EMBEDDED])
    seat.kb.embed_missing(default_encoder())
    seat.close()
    return path


@pytest.fixture
def vector_services(embedded_seat: Path, tmp_path: Path) -> Iterator[object]:
    shutil.copytree(embedded_seat, tmp_path / "seat")
    seat = make_seat(tmp_path / "seat", kb=False)
    yield seat
    seat.close()


async def test_a_pause_replaces_the_lexical_list_with_the_fused_one(vector_services) -> None:
    app = make_app(vector_services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        panel = screen.query_one(KbPanel)
        assert not panel.query_one("#kb-status").has_class("-shown")  # vectors are complete
        await pilot.press("f3")
        await type_text(pilot, COLLOQUIAL)
        await wait_for(pilot, lambda: panel.shown_query == COLLOQUIAL)
        assert STREETLIGHT not in [h.id for h in panel.results]  # the lexical list
        await wait_for(pilot, lambda: panel.fused_query == COLLOQUIAL)
        assert panel.results[0].id == STREETLIGHT
        results = screen.query_one(KbResults)
        assert results.count_line is not None and "语义" in results.count_line.plain


async def test_enter_asks_for_the_fused_list_and_the_highlighted_article_stays(
    vector_services,
) -> None:
    app = make_app(vector_services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        panel = screen.query_one(KbPanel)
        results = screen.query_one(KbResults)
        query = "我家闺女刚生下来，想给她落个户"
        await pilot.press("f3")
        await type_text(pilot, query)
        await wait_for(pilot, lambda: panel.shown_query == query and len(panel.results) > 1)
        await pilot.press("enter", "down")  # into the list, on the second hit
        chosen = results.highlighted_id()
        assert chosen == panel.results[1].id
        await wait_for(pilot, lambda: panel.fused_query == query)
        assert results.highlighted_id() == chosen
        assert app.focused is results


async def test_the_fused_list_keeps_the_cursor_on_its_article_when_rows_move(services) -> None:
    """The list is replaced under the cursor: the same article stays highlighted, on the
    same screen row; one no longer listed leaves the cursor at its index."""
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot)
        results = screen.query_one(KbResults)
        hits = [KbHit(id=f"KB-{n}", title=f"标题{n}") for n in range(6)]
        results.show(prepare_rows("标题", hits), Text("6"))
        results.move_to(2)
        moved = [hits[4], hits[5], hits[0], hits[1], hits[2], hits[3]]
        results.show(prepare_rows("标题", moved), Text("6"), keep_cursor=True)
        assert results.highlighted_id() == "KB-2" and results.highlighted == 4
        gone = [h for h in moved if h.id != "KB-2"]
        results.show(prepare_rows("标题", gone), Text("5"), keep_cursor=True)
        assert results.highlighted == 4 and results.highlighted_id() == "KB-3"
        results.show(prepare_rows("标题", gone), Text("5"))  # a new lexical list: the top
        assert results.highlighted == 0


@pytest.mark.parametrize(
    ("lang", "notice"),
    [("zh", "语义检索未就绪（向量 0/150）"), ("en", "semantic off: vectors 0/150")],
)
async def test_without_vectors_the_panel_says_it_is_lexical_and_fits_80x24(
    services, lang: str, notice: str
) -> None:
    set_language(lang)
    try:
        app = make_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await until_home(pilot)
            panel = screen.query_one(KbPanel)
            status = panel.query_one("#kb-status")
            await wait_for(pilot, lambda: status.has_class("-shown"))
            assert str(status.render()) == notice
            assert status.region.height == 1
            assert cell_len(notice) <= status.region.width
            inside = panel.content_region
            assert inside.x <= status.region.x and status.region.right <= inside.right
            await pilot.press("f3")
            await type_text(pilot, "社保卡丢了怎么办")
            await wait_for(pilot, lambda: panel.shown_query == "社保卡丢了怎么办")
            await pilot.press("enter")  # asks for the fused list: lexical stays, no error
            await wait_for(pilot, lambda: screen.fused_for == "社保卡丢了怎么办")
            assert panel.fused_query is None and panel.results
            assert screen.query_one(KbResults).region.height >= 10
    finally:
        set_language("zh")
