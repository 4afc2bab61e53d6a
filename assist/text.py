"""Text normalisation shared by the lexicons, the directory index and the learned model.

Everything that compares text goes through :func:`normalize`, so full-width and
half-width forms, case and masking stars (``****`` in published messages) match alike.
"""

from __future__ import annotations

import re
import unicodedata

from workstation.word_regex import trie_alternation

_STARS = re.compile(r"\*+")
_SPACE = re.compile(r"\s+")
CLAUSE_BREAKS = frozenset(",.;:!?，。；：！？\n、")


def normalize(text: str) -> str:
    """NFKC, lower case, masking runs collapsed to one ``*``, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _STARS.sub("*", text)
    return _SPACE.sub(" ", text).strip()


def clause_start(text: str, pos: int) -> int:
    """Index where the clause containing ``pos`` begins (after the last break before it)."""
    i = pos - 1
    while i >= 0 and text[i] not in CLAUSE_BREAKS:
        i -= 1
    return i + 1


def clause_end(text: str, pos: int) -> int:
    i = pos
    while i < len(text) and text[i] not in CLAUSE_BREAKS:
        i += 1
    return i


def alternation(words: list[str]) -> re.Pattern[str]:
    """One compiled regex matching any of ``words``, longest first (leftmost-longest)."""
    return re.compile(trie_alternation({normalize(w) for w in words if w}))
