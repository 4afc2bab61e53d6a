"""From postings scores to ranked hits: fuzzy rerank, highlight spans and snippets.

BM25F over character and pinyin bigrams picks ``CANDIDATES`` articles; a rapidfuzz
comparison of the query with each candidate's title, in characters and in pinyin
syllables, then reorders them, since an agent types words of the title far more often
than words of the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb_index.query import QueryPlan, analyze
from kb_index.text import normalize, normalized_codes, pinyin_keys_from_bigrams, syllable_string

if TYPE_CHECKING:
    import sqlite3

    import numpy as np

    from kb_index.memindex import MemoryIndex

CANDIDATES = 24
TITLE_CHAR_WEIGHT = 0.35
TITLE_PINYIN_WEIGHT = 0.35
SNIPPET_CHARS = 60
SPAN_BODY_CHARS = 3000
MAX_SPANS = 40


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result; ``spans`` are ``(field, start, end)`` character offsets."""

    id: str
    title: str
    score: float
    unit: str
    category: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    snippet: str = ""


def rank(
    conn: sqlite3.Connection,
    index: MemoryIndex,
    query: str,
    limit: int,
    unit: str | None,
    category: str | None,
) -> list[Hit]:
    plan = analyze(query, index.phrases)
    if plan is None:
        return []
    ranked = candidates(index, plan, limit, unit, category)
    return build_hits(conn, plan, ranked)


def candidates(
    index: MemoryIndex,
    plan: QueryPlan,
    limit: int,
    unit: str | None,
    category: str | None,
) -> list[tuple[float, str, int]]:
    """The best ``limit`` articles as ``(score, id, doc)``, best first."""
    import numpy as np

    mask = index.filter_mask(unit, category) if unit or category else None
    docs, scores = index.score(plan.terms, mask)
    k = max(CANDIDATES, limit * 2)
    if len(docs) > k:
        top = np.argpartition(scores, len(docs) - k)[len(docs) - k :]
        docs, scores = docs[top], scores[top]
    if len(docs) == 0:
        return []
    best = float(scores.max())
    q_syl = "".join(chr(0xE000 + s) for s in plan.syllables if s)
    return sorted(
        (
            (
                score / best + _title_bonus(plan, index.titles[doc], q_syl),
                index.ids[doc] or "",
                doc,
            )
            for doc, score in zip(docs.tolist(), scores.tolist(), strict=True)
        ),
        key=lambda r: (-r[0], r[1]),
    )[:limit]


def build_hits(
    conn: sqlite3.Connection, plan: QueryPlan | None, ranked: list[tuple[float, str, int]]
) -> list[Hit]:
    """Hits for ``(score, id, doc)`` rows, in their order, with spans of the query's
    bigrams (none without a plan) and a snippet."""
    if not ranked:
        return []
    details = {
        row[0]: row[1:]
        for row in conn.execute(
            "SELECT doc, title, body, unit, category FROM kb_articles"
            f" WHERE doc IN ({','.join('?' * len(ranked))})",
            [doc for _, _, doc in ranked],
        )
    }
    ranked = [r for r in ranked if r[2] in details]
    rows = [details[doc] for _, _, doc in ranked]
    if plan is not None:
        all_spans = _spans(_needles(plan), [(r[0], r[1][:SPAN_BODY_CHARS]) for r in rows])
    else:
        all_spans = [[] for _ in rows]
    hits = []
    for (final, aid, _), (title, body, unit_, cat), spans in zip(
        ranked, rows, all_spans, strict=True
    ):
        hits.append(
            Hit(aid, title, round(final, 4), unit_, cat, spans[:MAX_SPANS], _snippet(body, spans))
        )
    return hits


def _title_bonus(plan: QueryPlan, title: str, q_syl: str) -> float:
    from rapidfuzz import fuzz

    title = normalize(title)
    bonus = 0.0
    if plan.han:
        bonus += TITLE_CHAR_WEIGHT * fuzz.partial_ratio(plan.han, title) / 100.0
    if q_syl:
        bonus += TITLE_PINYIN_WEIGHT * fuzz.partial_ratio(q_syl, syllable_string(title)) / 100.0
    return bonus


def _needles(plan: QueryPlan) -> tuple[np.ndarray, np.ndarray, int]:
    import numpy as np

    chars = np.array(sorted(plan.char_keys) or [-1], dtype=np.int64)
    pins = np.array(sorted(plan.pinyin_keys) or [-1], dtype=np.int64)
    single = ord(plan.text) if len(plan.text) == 1 else -1
    return chars, pins, single


def _member(keys: np.ndarray, sorted_needles: np.ndarray) -> np.ndarray:
    import numpy as np

    pos = np.searchsorted(sorted_needles, keys)
    return sorted_needles.take(pos, mode="clip") == keys


def _spans(
    needles: tuple[np.ndarray, np.ndarray, int], fields: list[tuple[str, str]]
) -> list[list[tuple[str, int, int]]]:
    """For each (title, body): character ranges covered by a query bigram (exact or same
    pinyin).  All texts are scanned as one array, joined by newlines, which no bigram
    crosses."""
    import numpy as np

    chars, pins, single = needles
    texts = [t for pair in fields for t in pair]
    out: list[list[tuple[str, int, int]]] = [[] for _ in fields]
    c = normalized_codes("".join(t + "\n" for t in texts))
    if len(c) < 2:
        return out
    keys = (c[:-1] << 16) | c[1:]
    hit = _member(keys, chars)
    if pins[0] >= 0:
        pk, ok = pinyin_keys_from_bigrams(keys)
        hit |= ok & _member(pk, pins)
    covered = np.zeros(len(c) + 2, dtype=bool)
    idx = np.flatnonzero(hit) + 1
    covered[idx] = True
    covered[idx + 1] = True
    if single >= 0:
        covered[1:-1] |= c == single
    ends = np.cumsum([len(t) + 1 for t in texts])
    covered[ends] = False  # the joining newlines
    edges = np.flatnonzero(covered[1:] != covered[:-1])
    starts, stops = edges[::2], edges[1::2]
    which = np.searchsorted(ends, starts, side="right")
    base = np.concatenate([[0], ends])[which]
    for s, e, w, b in zip(
        starts.tolist(), stops.tolist(), which.tolist(), base.tolist(), strict=True
    ):
        out[w // 2].append(("title" if w % 2 == 0 else "body", s - b, e - b))
    return out


SENTENCE_ENDS = "。！？；!?;\n"


def snippet_start(body: str, match: int) -> int:
    """Where a snippet around ``match`` begins: the start of the match's sentence when it
    is near (so the snippet reads from a sentence's start, never mid-clause), else the
    match itself."""
    lookback = SNIPPET_CHARS // 3
    for i in range(match - 1, max(-1, match - lookback - 1), -1):
        if body[i] in SENTENCE_ENDS:
            start = i + 1
            while start < match and body[start].isspace():
                start += 1
            return start
    return 0 if match <= lookback else match


def _snippet(body: str, spans: list[tuple[str, int, int]]) -> str:
    body_spans = [s for s in spans if s[0] == "body"]
    start = snippet_start(body, body_spans[0][1]) if body_spans else 0
    text = body[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + text + ("…" if start + SNIPPET_CHARS < len(body) else "")


def hit_to_dict(hit: Hit) -> dict[str, object]:
    return {
        "id": hit.id,
        "title": hit.title,
        "score": hit.score,
        "unit": hit.unit,
        "category": hit.category,
        "spans": [list(s) for s in hit.spans],
        "snippet": hit.snippet,
    }
