"""Per-article forward index: the term keys and field-weighted counts stored in ``kb_terms``.

One row per article, written in the same transaction as the article, so an upsert or a
delete touches only that article's rows; the in-memory postings are rebuilt from these
rows without re-reading the text.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def article_terms_many(articles: Sequence[Article]) -> list[ForwardRow]:
    """:func:`article_terms` of many articles at once: one numpy pass over all their text.

    Per-article numpy calls cost more than the arithmetic at this size, so the batch is
    concatenated (articles separated by a newline, which no bigram crosses), keyed by
    ``article << 32 | term`` and sorted once.
    """
    import numpy as np

    if not articles:
        return []
    heads = [a.title + "\n" + " ".join(a.tags) + " " + a.category for a in articles]
    bodies = [a.body[:MAX_BODY_CHARS] for a in articles]
    c = normalized_codes("".join(h + "\n" + b + "\n" for h, b in zip(heads, bodies, strict=True)))
    sizes = np.array(
        [
            [len(a.title) + 1, len(h) - len(a.title), len(b) + 1]
            for a, h, b in zip(articles, heads, bodies, strict=True)
        ],
        dtype=np.int64,
    )
    weight = np.repeat(
        np.tile(np.array([TITLE_WEIGHT, TAGS_WEIGHT, BODY_WEIGHT], np.int64), len(articles)),
        sizes.ravel(),
    )
    in_head = np.repeat(np.tile(np.array([1, 1, 0], bool), len(articles)), sizes.ravel())
    owner = np.repeat(np.arange(len(articles), dtype=np.int64), sizes.sum(axis=1))
    ok = _token_mask_table()[c]
    pair = ok[:-1] & ok[1:]
    uni = ok & in_head
    keys = np.concatenate([((c[:-1] << 16) | c[1:])[pair], c[uni]])
    weights = np.concatenate([weight[:-1][pair], weight[uni]])
    owners = np.concatenate([owner[:-1][pair], owner[uni]])
    lengths = np.bincount(owners, weights=weights, minlength=len(articles)).astype(np.int64)
    # One value sort (no argsort): article, term and the weight (at most 4) in one int64.
    packed = (owners << 35) | (keys << 3) | weights
    packed.sort()
    weights = packed & 7
    packed >>= 3
    first = np.ones(len(packed), dtype=bool)
    first[1:] = packed[1:] != packed[:-1]
    starts = np.flatnonzero(first)
    summed = (
        np.minimum(np.add.reduceat(weights, starts), 255).astype(np.uint8)
        if len(starts)
        else weights.astype(np.uint8)
    )
    packed = packed[starts]
    term_keys = (packed & 0xFFFFFFFF).astype(np.uint32)
    bounds = np.searchsorted(packed >> 32, np.arange(len(articles) + 1)).tolist()
    out = []
    for i in range(len(articles)):
        s, e = bounds[i], bounds[i + 1]
        if s == e:
            out.append(ForwardRow(b"", b"", 0))
        else:
            out.append(ForwardRow(term_keys[s:e].tobytes(), summed[s:e].tobytes(), int(lengths[i])))
    return out
