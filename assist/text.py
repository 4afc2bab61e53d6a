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


MERGE_GAP = 3
# Characters that carry grammar, not meaning: never shown alone as evidence to the agent.
FUNCTION_CHARS = frozenset(
    "的了上下一是在有和与或也就都而及着过把被让给向从对于地得之其这那个些么吗呢吧啊呀哦嘛很又还才"
)


def meaningful_words(text: str, words: list[str] | tuple[str, ...]) -> list[str]:
    """The evidence ``words`` as a person reads them in ``text``: words next to each other
    in one clause (overlapping, or at most ``MERGE_GAP`` characters apart) become the
    phrase between them (``冒``, ``烟`` -> ``冒了好多烟``), single function
    characters (了, 上, 一…) are dropped, each word once, in the order first given."""
    spans: list[tuple[int, int, int]] = []  # start, end, rank in ``words``
    loose: list[tuple[int, str]] = []
    for rank, word in enumerate(words):
        word = word.strip()
        if not word or (len(word) == 1 and word in FUNCTION_CHARS):
            continue  # dropped before merging: 冒烟, not 冒烟了
        at = text.find(word)
        if at < 0:
            loose.append((rank, word))
        else:
            spans.append((at, at + len(word), rank))
    merged: list[list[int]] = []
    for start, end, rank in sorted(spans):
        gap = text[merged[-1][1] : start] if merged else ""
        if merged and len(gap) <= MERGE_GAP and not CLAUSE_BREAKS.intersection(gap):
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = min(merged[-1][2], rank)
        else:
            merged.append([start, end, rank])
    found = [(rank, text[start:end].strip()) for start, end, rank in merged]
    out: list[str] = []
    for _, word in sorted(found + loose):
        if (len(word) == 1 and word in FUNCTION_CHARS) or word in out:
            continue
        out.append(word)
    return out
