"""In-memory postings built lazily from the ``kb_terms`` rows, maintained incrementally.

A large immutable *main* segment (CSR arrays: sorted term keys, offsets, doc numbers,
weighted term frequencies) is built once from SQLite; later upserts and deletes go to a
small *delta* segment and a stale mask, so one changed article never rebuilds the index.
When the delta grows past ``COMPACT_AFTER`` articles, the owner reloads main from SQLite
(the forward rows, no re-tokenising).  Scoring is BM25F over character bigrams plus
pinyin bigrams derived from them at load time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb_index.phrases import PhraseTable
from kb_index.text import pinyin_keys_from_bigrams

if TYPE_CHECKING:
    import sqlite3

    import numpy as np

K1 = 1.2
B = 0.75
COMPACT_AFTER = 5000


@dataclass
class Segment:
    keys: np.ndarray  # int64, sorted unique
    starts: np.ndarray  # int64, len(keys) + 1
    docs: np.ndarray  # int32
    tf: np.ndarray  # uint8 weighted term frequency (field-weighted, capped at 255)

    def lookup(self, key: int) -> tuple[np.ndarray, np.ndarray] | None:
        import numpy as np

        i = int(np.searchsorted(self.keys, key))
        if i >= len(self.keys) or int(self.keys[i]) != key:
            return None
        s, e = int(self.starts[i]), int(self.starts[i + 1])
        return self.docs[s:e], self.tf[s:e]


def _csr(keys: np.ndarray, docs: np.ndarray, tf: np.ndarray) -> Segment:
    """Sort postings by (key, doc), summing duplicates (several bigrams, one pinyin key)."""
    import numpy as np

    if len(keys) == 0:
        return Segment(
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(0, np.uint8),
        )
    order = np.lexsort((docs, keys))
    keys, docs, tf = keys[order], docs[order], tf[order]
    new_pair = np.ones(len(keys), dtype=bool)
    new_pair[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
    if not new_pair.all():
        idx = np.flatnonzero(new_pair)
        tf = np.add.reduceat(tf, idx)
        keys, docs = keys[idx], docs[idx]
    new_key = np.ones(len(keys), dtype=bool)
    new_key[1:] = keys[1:] != keys[:-1]
    kidx = np.flatnonzero(new_key)
    starts = np.append(kidx, len(keys)).astype(np.int64)
    tf = np.minimum(tf, 255).astype(np.uint8)
    return Segment(keys[kidx].astype(np.int64), starts, docs.astype(np.int32), tf)


def _segment_from_rows(
    doc_list: list[int], key_chunks: list[bytes], w_chunks: list[bytes]
) -> Segment:
    import numpy as np

    keys = np.frombuffer(b"".join(key_chunks), dtype=np.uint32)
    tf = np.frombuffer(b"".join(w_chunks), dtype=np.uint8)
    counts = np.fromiter((len(k) // 4 for k in key_chunks), dtype=np.int64, count=len(key_chunks))
    docs = np.repeat(np.asarray(doc_list, dtype=np.int32), counts)
    del key_chunks[:], w_chunks[:]
    char = _csr(keys.astype(np.int64), docs, tf.astype(np.int32))
    pk, ok = pinyin_keys_from_bigrams(keys.astype(np.int64))
    pin = _csr(pk[ok], docs[ok], tf[ok].astype(np.int32))
    del pk, ok, keys, docs, tf
    return Segment(
        np.concatenate([char.keys, pin.keys]),
        np.concatenate([char.starts[:-1], pin.starts + len(char.docs)]),
        np.concatenate([char.docs, pin.docs]),
        np.concatenate([char.tf, pin.tf]),
    )


@dataclass
class MemoryIndex:
    """Postings for every live article; see the module docstring for the segment scheme."""

    main: Segment
    delta: Segment | None = None
    delta_rows: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)
    stale_main: set[int] = field(default_factory=set)
    version: int = 0
    phrases: PhraseTable = field(default_factory=PhraseTable)
    doclen: np.ndarray | None = None
    alive: np.ndarray | None = None
    unit_of: dict[int, str] = field(default_factory=dict)
    category_of: dict[int, str] = field(default_factory=dict)
    avglen: float = 1.0
    n_alive: int = 0

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> MemoryIndex:
        import numpy as np

        version = conn.execute("SELECT coalesce(max(version), 0) FROM kb_articles").fetchone()[0]
        doc_list: list[int] = []
        key_chunks: list[bytes] = []
        w_chunks: list[bytes] = []
        lengths: list[int] = []
        phrases = PhraseTable()
        unit_of: dict[int, str] = {}
        category_of: dict[int, str] = {}
        rows = conn.execute(
            "SELECT a.doc, t.keys, t.weights, t.length, a.title, a.tags, a.unit, a.category "
            "FROM kb_articles a JOIN kb_terms t ON t.doc = a.doc WHERE a.deleted = 0 ORDER BY a.doc"
        )
        for doc, keys, weights, length, title, tags, unit, category in rows:
            doc_list.append(doc)
            key_chunks.append(keys)
            w_chunks.append(weights)
            lengths.append(length)
            phrases.add(title, tags)
            unit_of[doc] = unit or ""
            category_of[doc] = category or ""
        size = (max(doc_list) + 1) if doc_list else 1
        doclen = np.zeros(size, dtype=np.float32)
        alive = np.zeros(size, dtype=bool)
        if doc_list:
            doclen[doc_list] = lengths
            alive[doc_list] = True
        index = cls(
            main=_segment_from_rows(doc_list, key_chunks, w_chunks),
            version=int(version),
            phrases=phrases,
            doclen=doclen,
            alive=alive,
            unit_of=unit_of,
            category_of=category_of,
        )
        phrases.finish()
        index._refresh_stats()
        return index

    def _refresh_stats(self) -> None:
        import numpy as np

        assert self.alive is not None and self.doclen is not None
        self.n_alive = int(self.alive.sum())
        live = self.doclen[self.alive]
        self.avglen = float(live.mean()) if len(live) else 1.0
        self.norm = (K1 * (1 - B + B * self.doclen / max(self.avglen, 1.0))).astype(np.float32)

    def _grow(self, doc: int) -> None:
        import numpy as np

        assert self.alive is not None and self.doclen is not None
        if doc >= len(self.alive):
            size = max(doc + 1, len(self.alive) * 2)
            self.alive = np.concatenate([self.alive, np.zeros(size - len(self.alive), bool)])
            self.doclen = np.concatenate(
                [self.doclen, np.zeros(size - len(self.doclen), np.float32)]
            )

    def apply(self, doc: int, row: tuple[bytes, bytes, int, str, str, str, str] | None) -> None:
        """Record one article's new state (``None``: deleted) without touching the others."""
        assert self.alive is not None and self.doclen is not None
        self._grow(doc)
        self.stale_main.add(doc)
        self.delta_rows.pop(doc, None)
        self.delta = None
        if row is None:
            self.alive[doc] = False
        else:
            keys, weights, length, title, tags, unit, category = row
            self.delta_rows[doc] = (keys, weights)
            self.alive[doc] = True
            self.doclen[doc] = length
            self.unit_of[doc] = unit or ""
            self.category_of[doc] = category or ""
            self.phrases.add(title, tags, rebuild=True)
        self._dirty = True
        self.__dict__.pop("_mask_cache", None)

    def needs_compaction(self) -> bool:
        return len(self.delta_rows) > COMPACT_AFTER

    def _delta_segment(self) -> Segment | None:
        if self.delta is None and self.delta_rows:
            docs = list(self.delta_rows)
            self.delta = _segment_from_rows(
                docs, [self.delta_rows[d][0] for d in docs], [self.delta_rows[d][1] for d in docs]
            )
        if getattr(self, "_dirty", False):
            self._refresh_stats()
            self._dirty = False
        return self.delta

    def score(self, terms: dict[int, float], max_terms: int = 24) -> np.ndarray:
        """BM25F scores over doc numbers for weighted query terms (rarest terms first)."""
        import numpy as np

        assert self.alive is not None
        delta = self._delta_segment()
        scores = np.zeros(len(self.alive), dtype=np.float32)
        found: list[tuple[float, float, list[tuple[np.ndarray, np.ndarray, bool]]]] = []
        for key, qweight in terms.items():
            hits = []
            df = 0
            for seg, is_main in ((self.main, True), (delta, False)):
                if seg is None:
                    continue
                got = seg.lookup(key)
                if got is not None:
                    hits.append((got[0], got[1], is_main))
                    df += len(got[0])
            if df:
                n = max(self.n_alive, df)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                found.append((idf * qweight, idf, hits))
        found.sort(key=lambda f: -f[0])
        for weight, _, hits in found[:max_terms]:
            for docs, tf, _ in hits:
                scores[docs] += np.float32(weight * (K1 + 1)) * tf / (tf + self.norm[docs])
        if self.stale_main:
            stale = np.fromiter(self.stale_main, dtype=np.int64)
            scores[stale] = 0.0
            if delta is not None:
                for weight, _, hits in found[:max_terms]:
                    for docs, tf, is_main in hits:
                        if not is_main:
                            scores[docs] += (
                                np.float32(weight * (K1 + 1)) * tf / (tf + self.norm[docs])
                            )
        scores[~self.alive] = 0.0
        return scores

    def filter_mask(self, unit: str | None, category: str | None) -> np.ndarray:
        import numpy as np

        assert self.alive is not None
        cache_key = (unit, category, len(self.alive))
        cache = self.__dict__.setdefault("_mask_cache", {})
        if cache_key in cache:
            return cache[cache_key] & self.alive
        mask = self.alive.copy()
        for wanted, mapping in ((unit, self.unit_of), (category, self.category_of)):
            if wanted:
                w = wanted.strip().casefold()
                keep = np.zeros(len(mask), dtype=bool)
                docs = [d for d, v in mapping.items() if v.casefold() == w]
                keep[docs] = True
                mask &= keep
        cache.clear()
        cache[cache_key] = mask
        return mask
