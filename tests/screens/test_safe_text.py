"""Citizen text renders literally: no markup, no escapes, no control characters."""

from __future__ import annotations

from rich.console import Console

from screens.safe_text import clean, highlighted, one_line, safe


def render(text) -> str:
    console = Console(width=200, record=True, force_terminal=True, color_system="truecolor")
    console.print(text)
    return console.export_text()


def test_markup_stays_literal() -> None:
    hostile = "[bold red]投诉[/bold red] [link=http://evil.example]点我[/link]"
    assert render(safe(hostile)).strip() == hostile


def test_ansi_and_control_characters_are_removed() -> None:
    hostile = "路灯\x1b[31m坏了\x1b[0m\x07\x00\x1b]0;title\x07\u202e反转"
    assert clean(hostile) == "路灯坏了反转"
    assert "\x1b" not in render(safe(hostile))


def test_newlines_kept_or_flattened() -> None:
    assert clean("a\r\nb\tc") == "a\nb    c"
    assert clean("a\nb", multiline=False) == "a b"
    assert one_line("一二三四五六", 4).plain == "一二三…"


def test_highlight_spans_survive_cleaning() -> None:
    text = highlighted("\x1b[1m社保卡\x1b[0m补办", [(4, 7)])
    assert text.plain == "社保卡补办"
    styled = [(s.start, s.end) for s in text.spans]
    assert styled == [(0, 3)]
    assert highlighted("[b]x[/b]", [(0, 3)]).plain == "[b]x[/b]"
