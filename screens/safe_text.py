"""Citizen text is data: render it literally, never as markup or terminal escapes.

Everything a caller said (content, names, addresses) and everything synced from other seats
goes through :func:`clean` before it reaches a widget, and is wrapped in a
:class:`rich.text.Text` so that ``[bold red]`` or ``[link=...]`` stay visible characters and
an ANSI escape cannot recolour or move the agent's screen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rich.text import Text

#: CSI / OSC / single-character escape sequences (ESC [ ... final, ESC ] ... BEL/ST, ESC x).
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)

#: Format characters that reorder or hide text (bidi overrides, isolates); zero-width
#: joiners are kept out too because they let two lookalike strings differ invisibly.
_HIDDEN = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff\u2028\u2029"
)


def clean(text: object, *, multiline: bool = True) -> str:
    """Remove terminal escapes, control characters and hidden format characters.

    Newlines survive when ``multiline`` (tabs become spaces); otherwise every line break
    becomes a space, for one-line cells and inputs.
    """
    if text is None:
        return ""
    raw = _ANSI.sub("", str(text))
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    out: list[str] = []
    for ch in raw:
        if ch == "\n":
            out.append("\n" if multiline else " ")
        elif ch in _HIDDEN:
            continue
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def safe(text: object, style: str = "", *, multiline: bool = True) -> Text:
    """A Text that shows exactly what was typed (minus escapes), with no markup parsing."""
    return Text(clean(text, multiline=multiline), style=style)


def one_line(text: object, limit: int | None = None, style: str = "") -> Text:
    """A single-line Text for lists and cells, cut to ``limit`` characters with an ellipsis."""
    value = clean(text, multiline=False)
    if limit is not None and len(value) > limit:
        value = value[: max(limit - 1, 0)] + "…"
    return Text(value, style=style, no_wrap=True, overflow="ellipsis")


def highlighted(
    text: object, spans: Iterable[tuple[int, int]], style: str = "bold reverse"
) -> Text:
    """Literal text with the given character spans styled (search-hit highlighting).

    Spans index the original string; cleaning can shorten it, so spans are mapped through
    the kept characters and any that fall outside are dropped.
    """
    raw = "" if text is None else str(text)
    kept: list[int] = []  # index in raw of each kept character
    pieces: list[str] = []
    plain = _ANSI.sub(lambda m: "\x00" * len(m.group()), raw)
    for index, ch in enumerate(plain):
        if ch == "\x00" or ch in _HIDDEN or unicodedata.category(ch) in ("Cc", "Cs"):
            if ch in "\n\t":
                pieces.append("\n" if ch == "\n" else " ")
                kept.append(index)
            continue
        pieces.append(ch)
        kept.append(index)
    result = Text("".join(pieces))
    position = {raw_index: i for i, raw_index in enumerate(kept)}
    for start, end in spans:
        mapped = [position[i] for i in range(max(start, 0), min(end, len(raw))) if i in position]
        if mapped:
            result.stylize(style, mapped[0], mapped[-1] + 1)
    return result
