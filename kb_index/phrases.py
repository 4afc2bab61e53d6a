"""Phrases mined from titles and tags, looked up by pinyin initials (``gjj`` -> 公积金).

Initials alone are ambiguous; an input method resolves them with phrase frequencies, and
so do we: every 2-4 character Han n-gram of a title or tag is counted (document
frequency, tags count double as they are curated keywords) and indexed by its initials.
Rare n-grams are pruned periodically so memory stays bounded at 100,000 articles.
"""

from __future__ import annotations

import json
from collections import Counter

from kb_index.text import initials, is_han, normalize

MIN_N, MAX_N = 2, 4
PRUNE_EVERY = 20000
ALTERNATIVES = 6


class PhraseTable:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.by_initials: dict[str, list[tuple[int, str]]] = {}
        self._added = 0

    def add(self, title: str, tags_json: str | None, rebuild: bool = False) -> None:
        texts = [normalize(title)]
        try:
            tags = json.loads(tags_json) if tags_json else []
        except ValueError:
            tags = []
        tag_texts = [normalize(t) for t in tags if isinstance(t, str)]
        grams: set[str] = set()
        for text in texts + tag_texts:
            for run in _han_runs(text):
                for n in range(MIN_N, MAX_N + 1):
                    for i in range(len(run) - n + 1):
                        grams.add(run[i : i + n])
        for tag in tag_texts:
            if MIN_N <= len(tag) <= 6 and all(is_han(c) for c in tag):
                grams.add(tag)
                self.counts[tag] += 1  # tags count double
        for g in grams:
            self.counts[g] += 1
        self._added += 1
        if rebuild:
            for g in grams:
                self._index(g)
        elif self._added % PRUNE_EVERY == 0:
            self.counts = Counter({g: c for g, c in self.counts.items() if c > 1})

    def _index(self, gram: str) -> None:
        key = initials(gram)
        if not key.isascii():
            return
        entries = [e for e in self.by_initials.get(key, []) if e[1] != gram]
        entries.append((self.counts[gram], gram))
        entries.sort(reverse=True)
        self.by_initials[key] = entries[:ALTERNATIVES]

    def finish(self) -> None:
        """Index every counted phrase by its initials (after a bulk load)."""
        buckets: dict[str, list[tuple[int, str]]] = {}
        for gram, count in self.counts.items():
            key = initials(gram)
            if key.isascii():
                buckets.setdefault(key, []).append((count, gram))
        self.by_initials = {k: sorted(v, reverse=True)[:ALTERNATIVES] for k, v in buckets.items()}

    def lookup(self, letters: str) -> list[list[tuple[str, float]]]:
        """Alternatives (phrase, prior) for each piece of an initials string, or ``[]``."""
        n = len(letters)
        if n < 2 or n > 16:
            return []
        # Fewest pieces, longest first: dynamic programming over known initials strings.
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            cur = best[i]
            if cur is None:
                continue
            for j in range(min(n, i + 6), i + 1, -1):
                piece = letters[i:j]
                if piece in self.by_initials:
                    cand = cur + [piece]
                    if best[j] is None or len(cand) < len(best[j] or []):
                        best[j] = cand
        pieces = best[n]
        if not pieces:
            return []
        out = []
        for piece in pieces:
            entries = self.by_initials[piece]
            total = sum(c for c, _ in entries) or 1
            out.append([(g, c / total) for c, g in entries])
        return out


def _han_runs(text: str) -> list[str]:
    runs: list[str] = []
    cur: list[str] = []
    for ch in text:
        if is_han(ch):
            cur.append(ch)
        elif cur:
            runs.append("".join(cur))
            cur = []
    if cur:
        runs.append("".join(cur))
    return runs
