"""Fusing the lexical and the dense rankings, and when the dense stage runs at all.

Reciprocal rank fusion: an article's score is ``Σ weight / (k + rank)`` over the two
lists it appears in (rank from 1).  It needs no calibration between BM25 and cosine
scores, and an article high in either list stays near the top.  The constants below were
chosen on the dev sets (see ``benchmarks/kb_search.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb_index.ranking import Hit

RRF_K = 10
LEXICAL_WEIGHT = 1.0
DENSE_WEIGHT = 1.0
DEPTH = 30
"""How many candidates each stage contributes to the fusion."""
MIN_DENSE_CHARS = 3
"""Queries with fewer non-space characters are fragments of a title: lexical only."""
MAX_QUERY_CHARS = 512
"""Only the start of a longer query is embedded (the model reads 512 tokens at most)."""

# Why the dense stage did not run (FusedResult.reason).
ASCII = "ascii"
SHORT = "short"
NO_VECTORS = "no_vectors"
OTHER_VERSION = "other_version"
PARTIAL = "partial"
NO_ENCODER = "no_encoder"
EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class FusedResult:
    """Hits of ``search_fused``; ``reason`` says why the dense stage did not run."""

    hits: list[Hit] = field(default_factory=list)
    dense_used: bool = False
    reason: str | None = None


def skip_reason(query: str) -> str | None:
    """Why a query goes without the dense stage: pinyin or other ASCII, or too short."""
    text = "".join(query.split())
    if not text:
        return EMPTY
    if text.isascii():
        return ASCII
    if len(text) < MIN_DENSE_CHARS:
        return SHORT
    return None


def fuse(
    lexical: list[int],
    dense: list[int],
    k: float = RRF_K,
    lexical_weight: float = LEXICAL_WEIGHT,
    dense_weight: float = DENSE_WEIGHT,
) -> list[tuple[int, float]]:
    """Docs of both rankings (best first each) by fused score, best first; ties keep the
    lexical order, then the dense order."""
    scores: dict[int, float] = {}
    for weight, ranking in ((lexical_weight, lexical), (dense_weight, dense)):
        for rank, doc in enumerate(ranking, 1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    order = {doc: i for i, doc in enumerate(dict.fromkeys([*lexical, *dense]))}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))
