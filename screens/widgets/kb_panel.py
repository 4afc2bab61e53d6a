"""Knowledge-base area (知识库): search as you type, highlighted results, the article view.

The panel asks, the intake screen answers: :class:`SearchRequested` on every keystroke
(the screen searches in an exclusive thread worker and sets :attr:`results`),
:class:`ArticleRequested` when a result is opened (the screen sets :attr:`article`).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.actions import show_text
from screens.i18n_strings import t
from screens.safe_text import clean, highlighted, safe


def hit_field(hit: Any, name: str, default: Any = None) -> Any:
    if isinstance(hit, dict):
        return hit.get(name, default)
    return getattr(hit, name, default)


def title_spans(hit: Any) -> list[tuple[int, int]]:
    """Spans on the title; accepts ``(start, end)`` or ``(field, start, end)`` items."""
    found = []
    for span in hit_field(hit, "spans", None) or ():
        if isinstance(span, dict):
            if span.get("field", "title") == "title":
                found.append((int(span["start"]), int(span["end"])))
        elif len(span) == 2:
            found.append((int(span[0]), int(span[1])))
        elif len(span) == 3 and span[0] == "title":
            found.append((int(span[1]), int(span[2])))
    return found


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


class KbPanel(Vertical):
    BINDINGS = [Binding("escape", "back", "key.back", id="kb.back", show=False)]

    class SearchRequested(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class ArticleRequested(Message):
        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    results: reactive[list[Any]] = reactive(list, always_update=True)
    shown_query = ""
    article: reactive[Any] = reactive(None, always_update=True)

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("kb.search"), id="kb-search", compact=True)
        yield Static(id="kb-count", classes="dim-line")
        with ContentSwitcher(initial="kb-results", id="kb-switcher"):
            yield OptionList(id="kb-results", compact=True)
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
        return str(hit_field(self.article, "id"))

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
        results = self.query_one("#kb-results", OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = 0

    def watch_results(self, hits: list[Any]) -> None:
        self.shown_query = self.query_text  # what the list now answers (benchmarks read it)
        options = self.query_one("#kb-results", OptionList)
        options.clear_options()
        query = self.query_text.strip()
        count = self.query_one("#kb-count", Static)
        if not query:
            show_text(count, None)
            return
        show_text(count, Text(t("kb.count", n=len(hits)) if hits else t("kb.none"), style="dim"))
        width = max((options.scrollable_content_region.width or 40) - 3, 10)
        batch: list[Option] = []
        for hit in hits:
            title = str(hit_field(hit, "title", ""))
            spans = title_spans(hit) or query_spans(title, query)
            line = highlighted(title, spans, "bold underline")
            line.truncate(width, overflow="ellipsis")
            # always two lines a hit: a stable list height means no screen re-layout per key
            snippet = hit_field(hit, "snippet", None) or hit_field(hit, "category", None) or ""
            second = Text(clean(snippet, multiline=False).lstrip("…") or " ", style="dim")
            second.truncate(width, overflow="ellipsis")
            line.append("\n")
            line.append_text(second)
            batch.append(Option(line, id=str(hit_field(hit, "id"))))
        options.add_options(batch)
        if hits:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#kb-results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ArticleRequested(event.option.id))

    def open_highlighted(self) -> None:
        options = self.query_one("#kb-results", OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id:
                self.post_message(self.ArticleRequested(option.id))

    def watch_article(self, article: Any) -> None:
        if article is None:
            self.query_one(ContentSwitcher).current = "kb-results"
            return
        query = self.query_text.strip()
        title = str(hit_field(article, "title", ""))
        body = str(hit_field(article, "body", ""))
        heading = highlighted(title, query_spans(title, query), "bold underline")
        heading.stylize("bold")
        heading.append(f"  {clean(hit_field(article, 'id', ''), multiline=False)}", style="dim")
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
            self.query_one("#kb-results", OptionList).focus()
        else:
            self.focus_search()

    def clear(self) -> None:
        with self.prevent(Input.Changed):
            self.set_query("")
        self.article = None
        self.results = []
