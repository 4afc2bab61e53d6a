"""Postings segments (CSR arrays) built in chunks of articles, with quantised BM25 impacts.

Each posting stores its article's BM25 term weight ``tf / (tf + norm)`` quantised to a byte
(the *impact*), so scoring is a multiply-add with no per-query length normalisation.
A long posting list starts with its highest impacts (the *head*) and keeps the rest (the
*tail*) sorted by doc: a query scans every head, then adds tail postings only for its best
candidates by binary search, so a very common bigram costs a bounded scan and candidate
scores stay exact.

Building never sorts all postings at once: each chunk of ``CHUNK_DOCS`` articles is sorted
on its own (one packed ``key << 16 | local doc`` int64 sort), then chunks are scattered
into the final arrays by a counting sort over the merged vocabulary; peak memory stays
near the final size instead of several times it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb_index.text import pinyin_keys_from_bigrams

if TYPE_CHECKING:
    import numpy as np

CHUNK_DOCS = 4096  # below 2**16: local doc numbers are packed in 16 bits
#: Longer lists keep their best ``HEAD_POSTINGS`` postings first (scanned by every query),
#: the rest sorted by doc (looked up only for the best candidates).
HEAD_POSTINGS = 2000
IMPACT_LEVELS = 255
_ORDER_BATCH = 1_000_000


@dataclass
class Segment:
    keys: np.ndarray  # int64, sorted unique term keys
    starts: np.ndarray  # int64, len(keys) + 1
    docs: np.ndarray  # int32
    impact: np.ndarray  # uint8, quantised tf / (tf + norm)

    @classmethod
    def empty(cls) -> Segment:
        import numpy as np

        return cls(
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(0, np.uint8),
        )

    def locate(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start offset and document frequency of each key (0, 0 when absent)."""
        import numpy as np

        if len(self.keys) == 0:
            zero = np.zeros(len(keys), np.int64)
            return zero, zero.copy()
        i = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[i] == keys
        start = self.starts[i]
        return np.where(found, start, 0), np.where(found, self.starts[i + 1] - start, 0)


@dataclass
class _Chunk:
    doc_ids: np.ndarray  # int32, the chunk's article numbers
    keys: np.ndarray  # int64, the chunk's distinct terms, sorted
    counts: np.ndarray  # int64, postings per term
    local: np.ndarray  # uint16, index into doc_ids, term-major
    impact: np.ndarray  # uint8

    def slim(self) -> _Chunk:
        """Only the term counts (what the first pass of :func:`merge_chunks` reads)."""
        return _Chunk(self.doc_ids[:0], self.keys, self.counts, self.local[:0], self.impact[:0])


def quantise(tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
    import numpy as np

    q = np.rint(tf * (IMPACT_LEVELS / (tf + norm)))
    return np.clip(q, 1, IMPACT_LEVELS).astype(np.uint8)


def chunk_postings(
    doc_ids: np.ndarray, key_blobs: list[bytes], weight_blobs: list[bytes], norm: np.ndarray
) -> _Chunk:
    """Sorted postings of up to ``CHUNK_DOCS`` forward rows (char and pinyin bigrams).

    ``norm`` is the BM25 length normaliser of each article of the chunk.
    """
    import numpy as np

    keys = np.frombuffer(b"".join(key_blobs), dtype=np.uint32).astype(np.int64)
    tf = np.frombuffer(b"".join(weight_blobs), dtype=np.uint8)
    counts = np.fromiter(map(len, key_blobs), dtype=np.int64, count=len(key_blobs)) // 4
    local = np.repeat(np.arange(len(key_blobs), dtype=np.int64), counts)
    pk, ok = pinyin_keys_from_bigrams(keys)
    packed = np.concatenate([keys << 16 | local, pk[ok] << 16 | local[ok]])
    tfs = np.concatenate([tf, tf[ok]]).astype(np.int32)
    del keys, tf, local, pk, ok
    order = np.argsort(packed)
    packed, tfs = packed[order], tfs[order]
    del order
    if len(packed):
        # Several bigrams of one article may share a pinyin key: sum their counts.
        new = np.empty(len(packed), dtype=bool)
        new[0] = True
        np.not_equal(packed[1:], packed[:-1], out=new[1:])
        if not new.all():
            idx = np.flatnonzero(new)
            tfs = np.add.reduceat(tfs, idx)
            packed = packed[idx]
    local = (packed & 0xFFFF).astype(np.uint16)
    terms = packed >> 16
    del packed
    impact = quantise(np.minimum(tfs, 255).astype(np.float32), norm[local])
    first = np.empty(len(terms), dtype=bool)
    if len(terms):
        first[0] = True
        np.not_equal(terms[1:], terms[:-1], out=first[1:])
    kidx = np.flatnonzero(first)
    counts = np.diff(np.append(kidx, len(terms)))
    return _Chunk(np.asarray(doc_ids, np.int32), terms[kidx], counts, local, impact)


def merge_chunks(chunks: Callable[[], Iterable[_Chunk]]) -> Segment:
    """Counting sort of chunk postings into one segment, in two passes over ``chunks()``.

    The first pass keeps only each chunk's term counts; the second recomputes the chunks
    and scatters them into place, so chunk postings never sit beside the final arrays.
    """
    import numpy as np

    parts = [(c.keys, c.counts) for c in chunks()]
    if not parts:
        return Segment.empty()
    vocab = np.sort(np.concatenate([k for k, _ in parts]))
    if len(vocab):
        keep = np.empty(len(vocab), dtype=bool)
        keep[0] = True
        np.not_equal(vocab[1:], vocab[:-1], out=keep[1:])
        vocab = vocab[keep]
    df = np.zeros(len(vocab), dtype=np.int64)
    for keys, counts in parts:
        df[np.searchsorted(vocab, keys)] += counts
    del parts
    starts = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(df, out=starts[1:])
    total = int(starts[-1])
    docs = np.empty(total, dtype=np.int32)
    impact = np.empty(total, dtype=np.uint8)
    fill = starts[:-1].copy()
    for c in chunks():
        tid = np.searchsorted(vocab, c.keys)
        first = np.cumsum(c.counts) - c.counts
        dest = np.repeat(fill[tid] - first, c.counts) + np.arange(len(c.local))
        docs[dest] = c.doc_ids[c.local]
        impact[dest] = c.impact
        fill[tid] += c.counts
        del c, dest
    seg = Segment(vocab, starts, docs, impact)
    split_heads(seg)
    return seg


def split_heads(seg: Segment, head: int = HEAD_POSTINGS) -> None:
    """Lay out each list longer than ``head`` as head (best impacts) then doc-sorted tail.

    A query scans heads in full and looks its best candidates up in tails by binary search.
    """
    import numpy as np

    df = np.diff(seg.starts)
    long_terms = np.flatnonzero(df > head)
    batch: list[int] = []
    size = 0
    for t in [*long_terms.tolist(), -1]:
        if t >= 0:
            batch.append(t)
            size += int(df[t])
        if batch and (t < 0 or size >= _ORDER_BATCH):
            lens = df[batch]
            pos = np.concatenate([np.arange(seg.starts[b], seg.starts[b + 1]) for b in batch])
            term = np.repeat(np.arange(len(batch), dtype=np.int64), lens)
            packed = term << 40
            packed |= (IMPACT_LEVELS - seg.impact[pos].astype(np.int64)) << 32
            packed |= seg.docs[pos].astype(np.int64)
            packed.sort()
            docs = packed & 0xFFFFFFFF
            impact = IMPACT_LEVELS - ((packed >> 32) & 0xFF)
            rank = np.arange(len(pos)) - np.repeat(np.cumsum(lens) - lens, lens)
            tail = rank >= head
            packed = (term[tail] << 40) | (docs[tail] << 8) | impact[tail]
            packed.sort()
            docs[tail] = (packed >> 8) & 0xFFFFFFFF
            impact[tail] = packed & 0xFF
            seg.docs[pos] = docs.astype(np.int32)
            seg.impact[pos] = impact.astype(np.uint8)
            batch, size = [], 0
