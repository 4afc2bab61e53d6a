"""Phrases mined from titles and tags, looked up by pinyin initials (``gjj`` -> 公积金).

Initials alone are ambiguous; an input method resolves them with phrase frequencies, and
so do we: every 2-4 character Han n-gram of a title or tag is counted (document
frequency, tags count double as they are curated keywords) and indexed by its initials.
Rare n-grams are pruned periodically so memory stays bounded at 100,000 articles.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from kb_index.text import initials, is_han, normalize, normalized_codes

if TYPE_CHECKING:
    import numpy as np

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


class PhraseCounter:
    """Bulk load of a :class:`PhraseTable`, fed chunk by chunk, counted with numpy.

    Gives the same counts as calling :meth:`PhraseTable.add` for every article (each
    n-gram once per article, a whole tag once more), pruned of singletons at scale.
    """

    def __init__(self) -> None:
        self.grams: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.whole_tags: Counter[str] = Counter()
        self.articles = 0

    def add_chunk(self, titles: list[str], tags: list[str | None]) -> None:
        texts: list[list[str]] = []
        for title, tag_json in zip(titles, tags, strict=True):
            parts = [title]
            if tag_json and tag_json != "[]":
                parts += _tag_texts(tag_json)
                whole = {t for t in parts[1:] if MIN_N <= len(t) <= 6 and all(map(is_han, t))}
                for tag in whole:  # counts double; a long tag is no n-gram of its own
                    self.whole_tags[tag] += 2 if len(tag) > MAX_N else 1
            texts.append(parts)
        self.articles += len(texts)
        grams, counts = _count_grams(texts)
        self.grams.append(grams)
        self.counts.append(counts)

    def table(self) -> PhraseTable:
        import numpy as np

        table = PhraseTable()
        table._added = self.articles
        grams = np.concatenate(self.grams) if self.grams else np.zeros(0, np.uint64)
        counts = np.concatenate(self.counts) if self.counts else np.zeros(0, np.int64)
        self.grams, self.counts = [], []
        order = np.argsort(grams, kind="stable")
        grams, counts = grams[order], counts[order]
        first = np.ones(len(grams), dtype=bool)
        first[1:] = grams[1:] != grams[:-1]
        idx = np.flatnonzero(first)
        totals = Counter(self.whole_tags)
        if len(idx):
            summed = np.add.reduceat(counts, idx)
            for gram, n in zip(_decode(grams[idx]), summed.tolist(), strict=True):
                totals[gram] += n
        if self.articles >= PRUNE_EVERY:
            totals = Counter({g: c for g, c in totals.items() if c > 1})
        table.counts = totals
        table.finish()
        return table


def _tag_texts(tag_json: str) -> list[str]:
    try:
        decoded = json.loads(tag_json)
    except ValueError:
        return []
    return (
        [normalize(t) for t in decoded if isinstance(t, str)] if isinstance(decoded, list) else []
    )


def _count_grams(docs: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Each 2-4 character Han n-gram (packed 16 bits a character) and its article count."""
    import numpy as np

    sizes = [sum(len(t) + 1 for t in texts) for texts in docs]
    c = normalized_codes("".join("".join(t + "\n" for t in texts) for texts in docs))
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), sizes)
    han = ((c >= 0x3400) & (c <= 0x9FFF)) | ((c >= 0xF900) & (c <= 0xFAFF))
    c = c.astype(np.uint64)
    grams, owners = [], []
    for n in range(MIN_N, MAX_N + 1):
        m = len(c) - n + 1
        if m <= 0:
            break
        ok = han[:m].copy()
        gram = c[:m].copy()
        for j in range(1, n):
            ok &= han[j : j + m]
            gram = (gram << np.uint64(16)) | c[j : j + m]
        grams.append(gram[ok])
        owners.append(owner[:m][ok])
    if not grams:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    g = np.concatenate(grams)
    d = np.concatenate(owners)
    order = np.lexsort((d, g))
    g, d = g[order], d[order]
    first = np.ones(len(g), dtype=bool)
    first[1:] = (g[1:] != g[:-1]) | (d[1:] != d[:-1])
    g = g[first]
    new = np.ones(len(g), dtype=bool)
    new[1:] = g[1:] != g[:-1]
    idx = np.flatnonzero(new)
    return g[idx], np.diff(np.append(idx, len(g)))


def _decode(grams: np.ndarray) -> list[str]:
    """Packed n-grams back to text (2- and 3-grams have leading zero characters)."""
    import numpy as np

    chars = np.stack(
        [(grams >> np.uint64(s)) & np.uint64(0xFFFF) for s in (48, 32, 16, 0)], axis=1
    ).astype(np.uint32)
    lead = (chars == 0).sum(axis=1)
    rows = np.zeros_like(chars)
    at = np.arange(len(grams))
    for k in range(4):
        rows[:, k] = np.where(k + lead < 4, chars[at, np.minimum(k + lead, 3)], 0)
    return rows.view("<U4").ravel().tolist()
