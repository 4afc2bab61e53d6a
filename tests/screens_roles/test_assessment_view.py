"""The assessment tab at 80x24 in both languages: unit names stay in view while the table
scrolls right, the key figures fit, and the chart speaks the UI language with unit names.

The world: U001 holds an order overdue since February (still open on March 2) and a
March order replied on time and judged satisfied; U002 got a March order. March's table
counts the February order as overdue, as the inbox shows it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable

from screens.assessment_view import AssessmentView
from tests.screens_roles.helpers import make_app, until_home, wait_for
from tests.screens_roles.test_callback_home import replied
from tests.screens_roles.world import CB, NOW, days
from workstation.i18n import set_language


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("zh")


def world(central: Any) -> None:
    central.dispatch(NOW - days(20))  # February, due mid-February: overdue now
    done = replied(central, NOW - days(0.3))
    central.do(
        done, "record_callback", CB, NOW - days(0.1), reached=True, resolved=True,
        satisfaction="satisfied",
    )  # fmt: skip
    central.dispatch(NOW - days(0.2), unit="U002")
    central.push()


def lines(widget: Any) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


async def open_assessment(pilot: Any) -> tuple[Any, AssessmentView, DataTable]:
    screen = await until_home(pilot, "SupervisionHome")
    view = screen.query_one(AssessmentView)
    await wait_for(pilot, lambda: view.assessment is not None)
    for _ in range(3):
        await pilot.press("f8")
    assert screen.active_tab == "assessment"
    table = view.query_one("#assessment-table", DataTable)
    await pilot.pause()
    return screen, view, table


async def check(pilot: Any, names: list[str], headings: list[str], chart: list[str]) -> None:
    screen, view, table = await open_assessment(pilot)
    u001 = next(r for r in view.assessment.rows if r.unit == "U001")
    assert (u001.overdue, u001.completed_on_time, u001.on_time_rate) == (1, 1, 0.5)
    shown = "\n".join(lines(table))
    for text in names + headings:
        assert text in shown, (text, shown)
    for _ in range(30):
        await pilot.press("right")
    await pilot.pause()
    assert table.scroll_x > 0
    scrolled = "\n".join(lines(table))
    for name in names:
        assert name in scrolled, (name, scrolled)  # the unit column stays put
    assert headings[0] not in scrolled  # ... while the figures scrolled away
    await pilot.press("g")
    plot = view.query_one("#assessment-chart")
    await wait_for(pilot, lambda: plot.size.height > 5)
    await pilot.pause()
    rendered = plot.render()
    assert isinstance(rendered, Text)
    drawn = rendered.plain.replace("\u200b", "")  # what plotext draws at this size
    for text in chart:
        assert text in drawn, (text, drawn)
    for code in ("U001", "U002", "satisfied / on time"):
        assert code not in drawn


async def test_assessment_at_80_columns_in_chinese(seat, central) -> None:
    world(central)
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        await check(
            pilot,
            names=["汇龙镇", "南阳镇", "合计"],
            headings=["接收", "超期", "催办", "通报", "按时率", "满意率", "响应率", "解决率"],
            chart=["按时办结率", "满意率", "汇龙"],
        )


async def test_assessment_at_80_columns_in_english(seat, central, english) -> None:
    world(central)
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        await check(
            pilot,
            names=["汇龙镇", "南阳镇"],
            headings=["Recv", "Late", "Urged", "Crit", "OnTime", "Satisf", "Resp", "Resolv"],
            chart=["On-time", "satisfied", "汇龙"],
        )
