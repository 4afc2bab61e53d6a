"""One regex over a set of literal words, factored as a prefix trie.

``房本|房产证`` becomes ``(?:房(?:本|产证))``: the engine tests one branch per first
character instead of one per word, and optional tails are greedy, so at any position the
longest word wins (as a longest-first alternation would). Used by the KB's colloquial
vocabulary and by the assist's type cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

NEVER = r"(?!x)x"  # matches nothing: the pattern of an empty word set


def trie_alternation(words: Iterable[str]) -> str:
    """A pattern (safe to embed in a larger one) matching any of ``words``, longest first."""
    trie: dict[str, Any] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer words are optional (greedy)
            return f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return emit(trie) if trie else NEVER
