"""The assessment of every unit for a period (承办单位考核): a table, or a terminal chart.

Attributes down: the supervision screen asks ``SeatServices.assessment(start, end)`` for a
``workstation.assessment.Assessment`` in a thread worker and sets
:attr:`AssessmentView.assessment`; this view never reads storage itself. The chart (textual-plotext)
shows the satisfaction and on-time rates of the units that received orders, labelled by
unit code so wide characters never break the axes.
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

TABLE_COLUMNS = (
    "received",
    "signed_on_time",
    "returned",
    "extended",
    "overdue",
    "urged",
    "criticised",
    "response_rate",
    "on_time_rate",
    "satisfaction_rate",
    "resolution_rate",
)
CHART_LIMIT = 12


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


class AssessmentView(Vertical):
    """Period line, then the table (default) or the chart (toggle with ``show_chart``)."""

    assessment: reactive[Any] = reactive(None, always_update=True)
    show_chart: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static(id="assessment-period")
        yield DataTable(id="assessment-table", cursor_type="row", zebra_stripes=True)
        yield PlotextPlot(id="assessment-chart")

    def on_mount(self) -> None:
        from workstation.assessment import LABELS
        from workstation.i18n import language

        table = self.query_one("#assessment-table", DataTable)
        table.add_column(rt("col.unit"), width=12)
        for name in TABLE_COLUMNS:
            table.add_column(LABELS[name][0 if language() == "zh" else 1])

    def watch_show_chart(self, chart: bool) -> None:
        self.set_class(chart, "-chart")

    def watch_assessment(self, result: Any) -> None:
        table = self.query_one("#assessment-table", DataTable)
        table.clear()
        period = self.query_one("#assessment-period", Static)
        if result is None:
            period.update("…")
            return
        end_day = result.end.date().fromordinal(result.end.date().toordinal() - 1)
        active = [r for r in result.rows if r.received]
        text = Text(
            rt(
                "asm.period",
                start=f"{result.start:%Y-%m-%d}",
                end=f"{end_day:%Y-%m-%d}",
                n=len(active),
            )
        )
        if not active:
            text.append("  " + rt("asm.none"), style="italic")
        period.update(text)
        for row in [*active, result.totals]:
            data = row.to_dict()
            cells: list[Any] = [one_line(row.unit_name or row.unit, 12)]
            cells += [
                percent(data[c]) if c.endswith("_rate") else str(data[c]) for c in TABLE_COLUMNS
            ]
            table.add_row(*cells, key=row.unit or "total")
        self._chart(active)

    def _chart(self, rows: list[Any]) -> None:
        from textual_plotext import PlotextPlot

        plot = self.query_one("#assessment-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        shown = sorted(rows, key=lambda r: -r.received)[:CHART_LIMIT]
        if shown:
            labels = [r.unit for r in shown]
            satisfaction = [100 * (r.satisfaction_rate or 0) for r in shown]
            on_time = [100 * (r.on_time_rate or 0) for r in shown]
            plt.multiple_bar(labels, [satisfaction, on_time], labels=["satisfaction", "on time"])  # type: ignore[call-arg]
            plt.ylim(0, 100)
        plt.title("% satisfied / on time")
        plot.refresh()
