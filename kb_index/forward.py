"""Per-article forward index: the term keys and field-weighted counts stored in ``kb_terms``.

One row per article, written in the same transaction as the article, so an upsert or a
delete touches only that article's rows; the in-memory postings are rebuilt from these
rows without re-reading the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb_index.article import Article
from kb_index.text import MAX_BODY_CHARS, _token_mask_table, normalized_codes

#: BM25F field weights: a title word counts like four body words.
TITLE_WEIGHT = 4
TAGS_WEIGHT = 3
BODY_WEIGHT = 1


@dataclass(frozen=True, slots=True)
class ForwardRow:
    keys: bytes  # sorted unique uint32 term keys
    weights: bytes  # uint8 field-weighted term frequency, aligned with keys
    length: int  # weighted length, for BM25 length normalisation


def article_terms(article: Article) -> ForwardRow:
    """Keys and weights of title (bigrams and characters), tags and category, and body."""
    import numpy as np

    head = article.title + "\n" + " ".join(article.tags) + " " + article.category
    title_len = len(article.title)
    c = normalized_codes(head + "\n" + article.body[:MAX_BODY_CHARS])
    ok = _token_mask_table()[c]
    weight = np.full(len(c), BODY_WEIGHT, dtype=np.int64)
    weight[: title_len + 1] = TITLE_WEIGHT
    weight[title_len + 1 : len(head) + 1] = TAGS_WEIGHT
    pair = ok[:-1] & ok[1:]
    bigrams = ((c[:-1] << 16) | c[1:])[pair]
    head_ok = ok[: len(head)]
    keys = np.concatenate([bigrams, c[: len(head)][head_ok]])
    weights = np.concatenate([weight[:-1][pair], weight[: len(head)][head_ok]])
    length = int(weights.sum())
    if len(keys) == 0:
        return ForwardRow(b"", b"", 0)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    summed = np.add.reduceat(weights[order], starts)
    return ForwardRow(
        keys[starts].astype(np.uint32).tobytes(),
        np.minimum(summed, 255).astype(np.uint8).tobytes(),
        length,
    )
