"""The fuzzy handling-unit picker (承办单位) over the routing directory: F8 at intake, and
every dialog that chooses a unit (reassign, re-handle, add a co-handler).

Suggested units come first (with the assist's reasons); typing filters by name, short
name, duties keywords or pinyin initials (``zjj`` → 住建局). Returns the unit code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.bindings import HotlineModal
from screens.i18n_strings import t
from screens.safe_text import clean


@cache
def _initials(text: str) -> str:
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return ""
    return "".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def rank_units(
    units: list[Any], query: str, suggested: list[tuple[str, str]]
) -> list[tuple[Any, str]]:
    """Units matching ``query``, best first; with no query, suggested units then all others."""
    by_code = {u.code: u for u in units}
    reasons = dict(suggested)
    query = query.strip().lower()
    if not query:
        first = [(by_code[c], r) for c, r in suggested if c in by_code]
        rest = [(u, "") for u in units if u.code not in reasons]
        return first + rest
    from rapidfuzz import fuzz

    scored = []
    for unit in units:
        haystack = " ".join([unit.name, unit.short, unit.code, " ".join(unit.keywords)]).lower()
        score = 100.0 if query in haystack else fuzz.partial_ratio(query, haystack)
        if query.isascii() and query.isalpha():
            initials = _initials(unit.short or unit.name) + " " + _initials(unit.name)
            if query in initials:
                score = max(score, 95.0)
        if unit.code in reasons:
            score += 5
        if score >= 60:
            scored.append((score, unit))
    scored.sort(key=lambda pair: -pair[0])
    return [(u, reasons.get(u.code, "")) for _, u in scored]


class UnitPicker(HotlineModal[str | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "key.close", id="unit.close")]

    def __init__(self, units: list[Any], suggested: list[tuple[str, str]]) -> None:
        super().__init__()
        self.units = units
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(id="unit-box", classes="dialog"):
            yield Static(Text(t("unit.title"), style="bold"), classes="dialog-title")
            yield Input(id="unit-filter", compact=True, placeholder=t("unit.filter"))
            yield OptionList(id="unit-list", compact=True)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#unit-filter", Input).focus()

    @on(Input.Changed, "#unit-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self.query_one("#unit-list", OptionList)
        options.clear_options()
        for unit, reason in rank_units(self.units, query, self.suggested)[:80]:
            line = Text(unit.name, style="bold" if reason else "")
            if unit.short and unit.short != unit.name:
                line.append(f"（{unit.short}）")
            if reason:
                line.append(f"  ★{t('unit.suggested')} ", style="italic")
                line.append(clean(reason, multiline=False)[:60], style="dim")
            options.add_option(Option(line, id=unit.code))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted, "#unit-filter")
    def _take_first(self) -> None:
        options = self.query_one("#unit-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#unit-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: Any) -> None:
        """Up/down in the filter move the list, so typing and choosing need no Tab."""
        if self.focused is self.query_one("#unit-filter") and event.key in ("down", "up"):
            options = self.query_one("#unit-list", OptionList)
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
            event.stop()

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
