"""The assessment of every unit for a period (承办单位考核): a table, or a terminal chart.

Attributes down: the supervision screen asks ``SeatServices.assessment(start, end)`` for a
``workstation.assessment.Assessment`` in a thread worker and sets
:attr:`AssessmentView.assessment`; this view never reads storage itself.

Fit for 80 columns: the unit column shows short names (:func:`workstation.assessment.
short_name`) and stays fixed while the table scrolls right; the key figures (received,
overdue, urged, criticised and the rates) come first under short headings in the UI
language. The chart (textual-plotext) shows the on-time and satisfaction rates of the
busiest units, labelled with their short names (plotext draws each label by characters;
wide characters are cut to a few so the axis stays aligned).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from screens.role_strings import rt
from screens.safe_text import one_line

# (figure, short heading zh, short heading en, width): the key figures first
TABLE_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("received", "接收", "Recv", 4),
    ("overdue", "超期", "Late", 4),
    ("urged", "催办", "Urged", 5),
    ("criticised", "通报", "Crit", 4),
    ("on_time_rate", "按时率", "OnTime", 6),
    ("satisfaction_rate", "满意率", "Satisf", 6),
    ("response_rate", "响应率", "Resp", 6),
    ("resolution_rate", "解决率", "Resolv", 6),
    ("completed_on_time", "按时结", "Done", 6),
    ("signed_on_time", "按时签", "Signed", 6),
    ("returned", "退回", "Ret", 4),
    ("extended", "延期", "Ext", 4),
)
UNIT_WIDTH = 10
CHART_LIMIT = 8
STRINGS = {
    "unit": ("单位", "Unit"),
    "chart": ("按时办结率 / 满意率（%）", "On-time / satisfaction rate (%)"),
    "on_time": ("按时办结率", "on time"),
    "satisfied": ("满意率", "satisfied"),
}


def text(key: str) -> str:
    from workstation.i18n import language

    zh, en = STRINGS[key]
    return zh if language() == "zh" else en


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def cells(text: str) -> str:
    """``text`` for plotext, which counts one cell per character: each wide (CJK)
    character is followed by a zero-width space so the axes and frame stay aligned."""
    import unicodedata

    return "".join(ch + "\u200b" if unicodedata.east_asian_width(ch) in "WF" else ch for ch in text)


def chart_label(name: str, code: str) -> str:
    """A chart label: the short name cut to 4 characters (or the code when unnamed)."""
    from workstation.assessment import short_name

    return cells(short_name(name)[:4]) if name else code


class AssessmentView(Vertical):
    """Period line, then the table (default) or the chart (toggle with ``show_chart``)."""

    assessment: reactive[Any] = reactive(None, always_update=True)
    show_chart: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static(id="assessment-period")
        yield DataTable(
            id="assessment-table", cursor_type="row", zebra_stripes=True, fixed_columns=1
        )
        yield PlotextPlot(id="assessment-chart")

    def on_mount(self) -> None:
        from workstation.i18n import language

        zh = language() == "zh"
        table = self.query_one("#assessment-table", DataTable)
        table.add_column(text("unit"), width=UNIT_WIDTH, key="unit")
        for name, heading_zh, heading_en, width in TABLE_COLUMNS:
            table.add_column(heading_zh if zh else heading_en, width=width, key=name)

    def watch_show_chart(self, chart: bool) -> None:
        self.set_class(chart, "-chart")

    def watch_assessment(self, result: Any) -> None:
        from workstation.assessment import COUNTS, short_name

        table = self.query_one("#assessment-table", DataTable)
        table.clear()
        period = self.query_one("#assessment-period", Static)
        if result is None:
            period.update("…")
            return
        end_day = result.end.date().fromordinal(result.end.date().toordinal() - 1)
        active = [r for r in result.rows if any(getattr(r, c) for c in COUNTS)]
        line = Text(
            rt(
                "asm.period",
                start=f"{result.start:%Y-%m-%d}",
                end=f"{end_day:%Y-%m-%d}",
                n=len(active),
            )
        )
        if not active:
            line.append("  " + rt("asm.none"), style="italic")
        period.update(line)
        for row in [*active, result.totals]:
            data = row.to_dict()
            cells: list[Any] = [one_line(short_name(row.unit_name) or row.unit, UNIT_WIDTH)]
            cells += [
                percent(data[c]) if c.endswith("_rate") else str(data[c]) for c, *_ in TABLE_COLUMNS
            ]
            table.add_row(*cells, key=row.unit or "total")
        self._chart(active)

    def _chart(self, rows: list[Any]) -> None:
        from textual_plotext import PlotextPlot

        plot = self.query_one("#assessment-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        shown = sorted(rows, key=lambda r: (-r.received, r.unit))[:CHART_LIMIT]
        if shown:
            labels = [chart_label(r.unit_name, r.unit) for r in shown]
            on_time = [100 * (r.on_time_rate or 0) for r in shown]
            satisfaction = [100 * (r.satisfaction_rate or 0) for r in shown]
            plt.multiple_bar(  # type: ignore[call-arg]
                labels,
                [on_time, satisfaction],
                labels=[cells(text("on_time")), cells(text("satisfied"))],
            )
            plt.ylim(0, 100)
        plt.title(cells(text("chart")))
        plot.refresh()
