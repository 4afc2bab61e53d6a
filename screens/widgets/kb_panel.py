"""Knowledge-base area (知识库): search as you type, highlighted results, the article view.

The panel asks, the intake screen answers: :class:`SearchRequested` on every keystroke
(the screen searches in a thread worker, newest query first, and calls
:meth:`KbPanel.show_results`), :class:`FusedRequested` on Enter (the screen also asks for
the fused, semantic list by itself when typing pauses, and shows it with ``fused=True``:
the highlighted article stays highlighted), :class:`ArticleRequested` when a result is
opened (the screen sets :attr:`article`). :meth:`show_search_status` puts a one-line notice
under the search box while the seat's article vectors are incomplete (lexical only). The hits are painted by :class:`KbResults`, one widget of
fixed size, so typing never re-lays out the screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Input, Static

from screens.i18n_strings import t
from screens.safe_text import clean, highlighted, safe
from screens.widgets.kb_results import (
    HitRow,
    KbResults,
    prepare_rows,
    query_spans,
    title_spans,
)
from workstation.seat_api import KbArticle, KbHit, KbSearchStatus

__all__ = ["KbPanel", "SearchInput", "query_spans", "title_spans"]


class SearchInput(Input):
    """An ``Input`` whose virtual width never drops below its visible width.

    ``Input`` sets its virtual size to the text's width on every change, and a changed
    virtual size means a screen layout (a reflow and a repaint of everything it touches).
    While the query fits the box, this width now stays the box's width, so a keystroke
    repaints the input alone; only a query longer than the box still grows it.
    """

    @property
    def content_width(self) -> int:
        return max(super().content_width, self.scrollable_content_region.width)


class KbPanel(Vertical):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="kb.back", show=False),
        Binding("down", "to_results", "key.down", id="kb.to_results", show=False),
    ]

    class SearchRequested(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class FusedRequested(Message):
        """Enter in the search box: the fused list for this query now, without the pause."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class ArticleRequested(Message):
        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    class ResultsShown(Message):
        """Posted once new results are on screen (after the repaint): tests, benchmarks."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    # repaint=False: the panel draws only its border; repainting it on new results would
    # repaint every child in its region, not just the hit list.
    results: reactive[list[KbHit]] = reactive(list, always_update=True, repaint=False)
    shown_query = ""
    fused_query: str | None = None
    """The query whose fused (semantic) list is on screen; None while it shows lexical hits."""
    _rows: list[HitRow] | None = None
    _fused = False
    article: reactive[KbArticle | None] = reactive(None, always_update=True, repaint=False)

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder=t("kb.search"), id="kb-search", compact=True)
        yield Static(id="kb-status")
        with ContentSwitcher(initial="kb-results", id="kb-switcher"):
            yield KbResults(id="kb-results")
            with VerticalScroll(id="kb-article"):
                yield Static(id="kb-article-title", classes="article-title")
                yield Static(id="kb-article-body")

    @property
    def query_text(self) -> str:
        return self.query_one("#kb-search", Input).value

    @property
    def current_article_id(self) -> str | None:
        if self.article is None or self.query_one(ContentSwitcher).current != "kb-article":
            return None
        return self.article.id

    def focus_search(self) -> None:
        self.query_one("#kb-search", Input).focus()

    def set_query(self, query: str) -> None:
        self.query_one("#kb-search", Input).value = query

    @on(Input.Changed, "#kb-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one(ContentSwitcher).current = "kb-results"
        self.post_message(self.SearchRequested(event.value))

    @on(Input.Submitted, "#kb-search")
    def _to_results(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() and self.fused_query != event.value:
            self.post_message(self.FusedRequested(event.value))
        self.action_to_results()

    def action_to_results(self) -> None:
        """Down (or Enter) in the search box moves into the results; Enter opens one."""
        if self.query_one(ContentSwitcher).current != "kb-results":
            return
        results = self.query_one(KbResults)
        if results.option_count:
            results.focus()
            results.move_to(0)

    def show_results(
        self, query: str, hits: list[KbHit], rows: list[HitRow] | None, *, fused: bool = False
    ) -> None:
        """Results for ``query`` with rows prepared off the event loop (see the worker);
        ``fused``: the semantic list replacing the lexical one (the cursor stays put)."""
        self._rows = rows
        self._fused = fused
        self.results = hits

    def show_search_status(self, status: KbSearchStatus) -> None:
        """A notice while semantic search is off for want of vectors (lexical only)."""
        line = self.query_one("#kb-status", Static)
        off = status.articles > 0 and not status.semantic_on
        if off:
            line.update(t("kb.semantic_off", n=status.with_vectors, total=status.articles))
        line.set_class(off, "-shown")

    def watch_results(self, hits: list[KbHit]) -> None:
        rows, self._rows = self._rows, None
        fused, self._fused = self._fused, False
        query = self.query_text.strip()
        self.shown_query = self.query_text  # what the list now answers (benchmarks read it)
        self.fused_query = self.query_text if fused else None
        if not query:
            self.query_one(KbResults).show([], None)
            return
        if rows is None or len(rows) != len(hits):
            rows = prepare_rows(query, hits)
        count = Text(
            t("kb.count_fused" if fused else "kb.count", n=len(hits)) if hits else t("kb.none")
        )
        self.query_one(KbResults).show(rows, count, keep_cursor=fused)
        self.call_after_refresh(self.post_message, self.ResultsShown(self.shown_query))

    @on(KbResults.Opened)
    def _open(self, event: KbResults.Opened) -> None:
        event.stop()
        self.post_message(self.ArticleRequested(event.article_id))

    def open_highlighted(self) -> None:
        article_id = self.query_one(KbResults).highlighted_id()
        if article_id:
            self.post_message(self.ArticleRequested(article_id))

    def watch_article(self, article: KbArticle | None) -> None:
        if article is None:
            self.query_one(ContentSwitcher).current = "kb-results"
            return
        query = self.query_text.strip()
        title, body = article.title, article.body
        heading = highlighted(title, query_spans(title, query), "bold underline")
        heading.stylize("bold")
        heading.append(f"  {clean(article.id, multiline=False)}", style="dim")
        self.query_one("#kb-article-title", Static).update(heading)
        body_text = (
            highlighted(body, query_spans(body, query), "bold underline") if query else safe(body)
        )
        self.query_one("#kb-article-body", Static).update(body_text)
        self.query_one(ContentSwitcher).current = "kb-article"
        self.query_one("#kb-article", VerticalScroll).scroll_home(animate=False)
        self.query_one("#kb-article", VerticalScroll).focus()

    def action_back(self) -> None:
        if self.query_one(ContentSwitcher).current == "kb-article":
            self.query_one(ContentSwitcher).current = "kb-results"
            self.query_one(KbResults).focus()
        else:
            self.focus_search()

    def clear(self) -> None:
        with self.prevent(Input.Changed):
            self.set_query("")
        self.article = None
        self.results = []
