"""The knowledge-base hit list (检索结果) as ONE widget painted line by line.

Why not an ``OptionList`` or one widget per hit: on every keystroke those change their
virtual size and scrollbars, which re-lays out the whole intake screen and re-renders
every option (about 50 ms a frame with Chinese text). This widget has a fixed size
(``height: 1fr``), keeps the lines of each hit as prepared :class:`rich.text.Text` and
caches the rendered strips, so new results cost one repaint of this widget only.

Row 0 is the count line; then two rows a hit (title with the matched spans highlighted,
then a dim snippet). The rows are built by :func:`prepare_rows`, which is pure and cheap
enough to run in the search worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from screens.safe_text import clean, highlighted
from workstation.seat_api import KbHit

LINES_PER_HIT = 2
HIGHLIGHT = "bold underline"


class HitRow(NamedTuple):
    """One hit as shown: its article id, the highlighted title and the snippet line."""

    id: str
    title: Text
    detail: Text


def title_spans(hit: KbHit) -> list[tuple[int, int]]:
    """The matched spans on the title (``KbHit.spans`` are ``(field, start, end)``)."""
    return [(start, end) for field, start, end in hit.spans if field == "title"]


def query_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's words (or, for Chinese, its character pairs) occur in ``text``."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for word in query.lower().split():
        pieces = (
            [word]
            if len(word) <= 2 or word.isascii()
            else [word[i : i + 2] for i in range(len(word) - 1)]
        )
        for piece in pieces:
            start = lowered.find(piece)
            while start >= 0 and piece:
                spans.append((start, start + len(piece)))
                start = lowered.find(piece, start + len(piece))
    return spans


def prepare_rows(query: str, hits: Sequence[KbHit]) -> list[HitRow]:
    """Citizen-safe display rows for ``hits`` (no widget, no app: safe in a thread)."""
    query = query.strip()
    rows = []
    for hit in hits:
        title = hit.title
        line = highlighted(title, title_spans(hit) or query_spans(title, query), HIGHLIGHT)
        line.no_wrap = True
        snippet = hit.snippet or hit.category
        detail = Text(clean(snippet, multiline=False).lstrip("…") or " ", style="dim")
        detail.no_wrap = True
        rows.append(HitRow(hit.id, line, detail))
    return rows


class KbResults(Widget, can_focus=True):
    """Hit list with a cursor; Enter or a click posts :class:`Opened` with the article id."""

    DEFAULT_CSS = """
    KbResults { height: 1fr; background: $surface; }
    KbResults > .kb-results--cursor { background: $block-cursor-blurred-background; }
    KbResults:focus > .kb-results--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    KbResults > .kb-results--count { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"kb-results--cursor", "kb-results--count"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "key.up", id="kb.up", show=False),
        Binding("down", "cursor(1)", "key.down", id="kb.down", show=False),
        Binding("pageup", "page(-1)", "key.page_up", id="kb.page_up", show=False),
        Binding("pagedown", "page(1)", "key.page_down", id="kb.page_down", show=False),
        Binding("home", "cursor_to(0)", "key.first", id="kb.first", show=False),
        Binding("end", "cursor_to(-1)", "key.last", id="kb.last", show=False),
        Binding("enter", "open", "key.open", id="kb.open", show=False),
    ]

    class Opened(Message):
        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[HitRow] = []
        self.count_line: Text | None = None
        self.highlighted: int | None = None
        self._top = 0  # first hit shown
        self._strips: dict[tuple[int, int, bool, int], Strip] = {}
        self._styles: tuple[Style, Style, Style] | None = None

    # -- state -------------------------------------------------------------------------

    @property
    def option_count(self) -> int:
        return len(self.rows)

    def show(self, rows: list[HitRow], count_line: Text | None, keep_cursor: bool = False) -> None:
        """New results: repaint this widget only (its size does not depend on them).

        ``keep_cursor``: the list replaces one the agent may be moving in (the fused list
        after the lexical one), so the highlighted article stays highlighted, on the same
        screen row when the list allows; one no longer listed leaves the cursor's index."""
        kept = self.highlighted_id() if keep_cursor else None
        offset = (self.highlighted or 0) - self._top
        index = self.highlighted or 0
        self.rows = rows
        self.count_line = count_line
        self._strips.clear()
        if not rows:
            self.highlighted, self._top = None, 0
        elif keep_cursor:
            ids = [row.id for row in rows]
            index = ids.index(kept) if kept in ids else min(index, len(rows) - 1)
            self.highlighted = index
            self._top = max(0, min(index - offset, len(rows) - 1))
            self.move_to(index)  # keeps it in view if the list got shorter
        else:
            self.highlighted, self._top = 0, 0
        self.refresh()

    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.rows:
            return None
        return self.rows[self.highlighted].id

    @property
    def _visible_hits(self) -> int:
        return max((self.size.height - 1) // LINES_PER_HIT, 1)

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        self.highlighted = index
        if index < self._top:
            self._top = index
        elif index >= self._top + self._visible_hits:
            self._top = index - self._visible_hits + 1
        self.refresh()

    # -- actions -----------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.move_to((self.highlighted or 0) + step)

    def action_page(self, step: int) -> None:
        self.move_to((self.highlighted or 0) + step * self._visible_hits)

    def action_cursor_to(self, index: int) -> None:
        self.move_to(index if index >= 0 else len(self.rows) - 1)

    def action_open(self) -> None:
        article_id = self.highlighted_id()
        if article_id:
            self.post_message(self.Opened(article_id))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = self._top + (event.y - 1) // LINES_PER_HIT
        if index < len(self.rows):
            self.move_to(index)
            self.action_open()

    def on_resize(self) -> None:
        self._restyle()
        if self.highlighted is not None:
            self.move_to(self.highlighted)

    def on_focus(self) -> None:
        self._restyle()  # the cursor row changes colour

    def on_blur(self) -> None:
        self._restyle()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def _restyle(self) -> None:
        self._styles = None
        self._strips.clear()
        self.refresh()

    # -- painting ----------------------------------------------------------------------

    def _line_styles(self) -> tuple[Style, Style, Style]:
        """Base, cursor and count styles; computing them walks the DOM, so once a paint."""
        if self._styles is None:
            base = self.rich_style
            self._styles = (
                base,
                base + self.get_component_rich_style("kb-results--cursor"),
                base + self.get_component_rich_style("kb-results--count"),
            )
        return self._styles

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base, cursor_style, count_style = self._line_styles()
        if y == 0:
            if self.count_line is None:
                return Strip.blank(width, base)
            return self._strip(self.count_line, width, count_style)
        index, part = divmod(y - 1, LINES_PER_HIT)
        index += self._top
        if index >= len(self.rows):
            return Strip.blank(width, base)
        cursor = index == self.highlighted
        key = (index, part, cursor, width)
        strip = self._strips.get(key)
        if strip is None:
            row = self.rows[index]
            text = row.title if part == 0 else row.detail
            strip = self._strip(text, width, cursor_style if cursor else base)
            self._strips[key] = strip
        return strip

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        """One row, cut with an ellipsis to leave a free column (no wrap, no layout)."""
        strip = Strip([s for s in text.render(self.app.console) if s.text != "\n"])
        if strip.cell_length > width - 1:
            strip = Strip.join([strip.crop(0, max(width - 2, 0)), Strip([Segment("…")])])
        return strip.apply_style(style).adjust_cell_length(width, style)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 1 + LINES_PER_HIT * len(self.rows)  # only used if a stylesheet says auto


__all__ = ["HitRow", "KbResults", "prepare_rows", "query_spans", "title_spans"]
