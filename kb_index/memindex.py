"""In-memory postings built lazily from the ``kb_terms`` rows, maintained incrementally.

A large immutable *main* segment (:mod:`kb_index.postings`) is built once from SQLite in
chunks; later upserts and deletes go to a small *delta* segment and a stale mask, so one
changed article never rebuilds the index.  When the delta grows past ``COMPACT_AFTER``
articles, the owner reloads main from SQLite (the forward rows, no re-tokenising).
Scoring is BM25F over character bigrams plus pinyin bigrams derived from them at load
time.  Titles and ids stay in memory so ranking needs no SQLite round trip per candidate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb_index.phrases import PhraseCounter, PhraseTable
from kb_index.postings import (
    CHUNK_DOCS,
    HEAD_POSTINGS,
    IMPACT_LEVELS,
    Segment,
    _Chunk,
    chunk_postings,
    merge_chunks,
)

if TYPE_CHECKING:
    import sqlite3

    import numpy as np

K1 = 1.2
B = 0.75
COMPACT_AFTER = 5000
#: Best articles of the head scan whose scores are completed from the list tails.
TAIL_CANDIDATES = 400

_ROWS_SQL = (
    "SELECT a.doc, a.id, t.keys, t.weights, t.length, a.title, a.tags, a.unit, a.category "
    "FROM kb_articles a JOIN kb_terms t ON t.doc = a.doc WHERE a.deleted = 0 ORDER BY a.doc"
)


class _Codes:
    """Small vocabulary of field values (units, categories) stored as int32 per article."""

    def __init__(self) -> None:
        self.names: list[str] = [""]
        self.ids: dict[str, int] = {"": 0}

    def code(self, name: str | None) -> int:
        name = name or ""
        got = self.ids.get(name)
        if got is None:
            got = self.ids[name] = len(self.names)
            self.names.append(name)
        return got

    def matching(self, wanted: str) -> list[int]:
        w = wanted.strip().casefold()
        return [i for i, n in enumerate(self.names) if n.casefold() == w]


@dataclass
class MemoryIndex:
    """Postings for every live article; see the module docstring for the segment scheme."""

    main: Segment
    doclen: np.ndarray
    alive: np.ndarray
    ids: list[str | None]
    titles: list[str]
    unit_code: np.ndarray
    category_code: np.ndarray
    units: _Codes = field(default_factory=_Codes)
    categories: _Codes = field(default_factory=_Codes)
    delta: Segment | None = None
    delta_rows: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)
    stale_main: set[int] = field(default_factory=set)
    version: int = 0
    phrases: PhraseTable = field(default_factory=PhraseTable)
    avglen: float = 1.0
    n_alive: int = 0

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> MemoryIndex:
        import numpy as np

        pin_mmap_threshold()
        version, size, avglen = conn.execute(
            "SELECT (SELECT coalesce(max(version), 0) FROM kb_articles),"
            " (SELECT coalesce(max(doc), 0) + 1 FROM kb_articles),"
            " (SELECT coalesce(avg(t.length), 1.0) FROM kb_terms t)"
        ).fetchone()
        doclen = np.zeros(size, dtype=np.float32)
        alive = np.zeros(size, dtype=bool)
        ids: list[str | None] = [None] * size
        titles: list[str] = [""] * size
        phrases = PhraseCounter()
        units, categories = _Codes(), _Codes()
        unit_code = np.zeros(size, dtype=np.int32)
        category_code = np.zeros(size, dtype=np.int32)
        avglen = max(float(avglen), 1.0)
        first_pass = []
        cursor = conn.execute(_ROWS_SQL)
        while rows := cursor.fetchmany(CHUNK_DOCS):
            docs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            lengths = np.fromiter((r[4] for r in rows), dtype=np.float32, count=len(rows))
            doclen[docs] = lengths
            alive[docs] = True
            for doc, aid, _, _, _, title, _, unit, category in rows:
                ids[doc] = aid
                titles[doc] = title
                unit_code[doc] = units.code(unit)
                category_code[doc] = categories.code(category)
            phrases.add_chunk([r[5] for r in rows], [r[6] for r in rows])
            norm = _norm(lengths, avglen)
            full = chunk_postings(docs, [r[2] for r in rows], [r[3] for r in rows], norm)
            first_pass.append(full.slim())
            del rows

        def chunks() -> Iterator[_Chunk]:
            if first_pass:  # the first pass's chunks, computed above
                yield from first_pass
                first_pass.clear()
                return
            again = conn.execute(
                "SELECT a.doc, t.keys, t.weights, t.length FROM kb_articles a JOIN kb_terms t"
                " ON t.doc = a.doc WHERE a.deleted = 0 ORDER BY a.doc"
            )
            while rows := again.fetchmany(CHUNK_DOCS):
                docs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                lengths = np.fromiter((r[3] for r in rows), dtype=np.float32, count=len(rows))
                yield chunk_postings(
                    docs, [r[1] for r in rows], [r[2] for r in rows], _norm(lengths, avglen)
                )

        index = cls(
            main=merge_chunks(chunks),
            doclen=doclen,
            alive=alive,
            ids=ids,
            titles=titles,
            unit_code=unit_code,
            category_code=category_code,
            units=units,
            categories=categories,
            version=int(version),
            phrases=phrases.table(),
        )
        index._refresh_stats()
        _release_freed_memory()
        return index

    def _refresh_stats(self) -> None:
        self.n_alive = int(self.alive.sum())
        live = self.doclen[self.alive]
        self.avglen = max(float(live.mean()), 1.0) if len(live) else 1.0

    def _grow(self, doc: int) -> None:
        import numpy as np

        if doc < len(self.alive):
            return
        extra = max(doc + 1, len(self.alive) * 2) - len(self.alive)
        self.alive = np.concatenate([self.alive, np.zeros(extra, bool)])
        self.doclen = np.concatenate([self.doclen, np.zeros(extra, np.float32)])
        self.unit_code = np.concatenate([self.unit_code, np.zeros(extra, np.int32)])
        self.category_code = np.concatenate([self.category_code, np.zeros(extra, np.int32)])
        self.ids.extend([None] * extra)
        self.titles.extend([""] * extra)

    def apply(
        self, doc: int, row: tuple[bytes, bytes, int, str, str, str, str, str] | None
    ) -> None:
        """Record one article's new state (``None``: deleted) without touching the others."""
        self._grow(doc)
        self.stale_main.add(doc)
        self.delta_rows.pop(doc, None)
        self.delta = None
        if row is None:
            self.alive[doc] = False
            self.ids[doc] = None
            self.titles[doc] = ""
        else:
            keys, weights, length, aid, title, tags, unit, category = row
            self.delta_rows[doc] = (keys, weights)
            self.alive[doc] = True
            self.doclen[doc] = length
            self.ids[doc] = aid
            self.titles[doc] = title
            self.unit_code[doc] = self.units.code(unit)
            self.category_code[doc] = self.categories.code(category)
            self.phrases.add(title, tags, rebuild=True)
        self._dirty = True
        self.__dict__.pop("_mask_cache", None)
        self.__dict__.pop("_stale_array", None)

    def needs_compaction(self) -> bool:
        return len(self.delta_rows) > COMPACT_AFTER

    def _delta_segment(self) -> Segment | None:
        import numpy as np

        if getattr(self, "_dirty", False):
            self._refresh_stats()
            self._dirty = False
        if self.delta is None and self.delta_rows:
            docs = np.fromiter(self.delta_rows, dtype=np.int64, count=len(self.delta_rows))
            norm = _norm(self.doclen[docs], self.avglen)
            rows = [self.delta_rows[int(d)] for d in docs]
            chunk = chunk_postings(docs, [r[0] for r in rows], [r[1] for r in rows], norm)
            self.delta = merge_chunks(lambda: [chunk])
        return self.delta

    def score(
        self, terms: dict[int, float], mask: np.ndarray | None = None, max_terms: int = 24
    ) -> tuple[np.ndarray, np.ndarray]:
        """(docs, exact BM25F scores) of the best ``CANDIDATES`` articles for the query terms.

        Heavy terms first; every posting list's head is scanned, and list tails (common
        bigrams) are added only to the best candidates of that scan.  ``mask``: articles
        allowed by the unit/category filter.
        """
        import numpy as np

        delta = self._delta_segment()
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float64))
        if not terms:
            return empty
        keys = np.fromiter(terms, dtype=np.int64, count=len(terms))
        qweight = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
        mstart, mdf = self.main.locate(keys)
        dstart, ddf = delta.locate(keys) if delta is not None else (mstart * 0, mdf * 0)
        df = mdf + ddf
        found = np.flatnonzero(df > 0)
        if len(found) == 0:
            return empty
        n = np.maximum(self.n_alive, df[found])
        idf = np.log1p((n - df[found] + 0.5) / (df[found] + 0.5))
        weight = idf * qweight[found]
        best = np.argsort(-weight, kind="stable")[:max_terms]
        sel, scale = found[best].tolist(), (weight[best] * ((K1 + 1) / IMPACT_LEVELS)).tolist()
        m = self.main
        heads = [(int(mstart[t]), min(int(mdf[t]), HEAD_POSTINGS)) for t in sel]
        docs = np.concatenate([m.docs[s : s + k] for s, k in heads])
        vals = np.concatenate([m.impact[s : s + k] for s, k in heads]) * np.repeat(
            scale, [k for _, k in heads]
        )
        scores = np.bincount(docs, weights=vals, minlength=len(self.alive))
        if self.stale_main:
            scores[self._stale()] = 0.0
            if delta is not None:
                for t, w in zip(sel, scale, strict=True):
                    s, k = int(dstart[t]), int(ddf[t])
                    if k:
                        np.add.at(scores, delta.docs[s : s + k], delta.impact[s : s + k] * w)
        if mask is not None:
            scores *= mask
        # Partition only the matching articles: numpy's introselect crawls on the zeros.
        cand = np.flatnonzero(scores > 0)
        if len(cand) > TAIL_CANDIDATES:
            top = np.argpartition(scores[cand], len(cand) - TAIL_CANDIDATES)
            cand = cand[top[len(cand) - TAIL_CANDIDATES :]]
        cand.sort()  # sorted needles: the tail searches walk memory forwards
        total = scores[cand]
        for t, w in zip(sel, scale, strict=True):
            if mdf[t] > HEAD_POSTINGS:
                s, e = int(mstart[t]) + HEAD_POSTINGS, int(mstart[t] + mdf[t])
                tail = m.docs[s:e]
                pos = np.searchsorted(tail, cand)
                hit = tail.take(pos, mode="clip") == cand
                total += np.where(hit, m.impact[s:e].take(pos, mode="clip") * w, 0.0)
        return cand, total

    def _stale(self) -> np.ndarray:
        import numpy as np

        got = self.__dict__.get("_stale_array")
        if got is None:
            got = self.__dict__["_stale_array"] = np.fromiter(self.stale_main, dtype=np.int64)
        return got

    def filter_mask(self, unit: str | None, category: str | None) -> np.ndarray:
        import numpy as np

        cache_key = (unit, category, len(self.alive))
        cache = self.__dict__.setdefault("_mask_cache", {})
        if cache_key in cache:
            return cache[cache_key]
        mask = self.alive.copy()
        for wanted, codes, values in (
            (unit, self.units, self.unit_code),
            (category, self.categories, self.category_code),
        ):
            if wanted:
                mask &= np.isin(values, codes.matching(wanted))
        cache.clear()
        cache[cache_key] = mask
        return mask


def pin_mmap_threshold() -> None:
    """Keep glibc from raising its mmap threshold after big numpy temporaries are freed.

    Otherwise later temporaries of up to 32 MB land on the heap between long-lived small
    objects and, once freed, cannot be returned: a 100,000-article load then keeps
    ~250 MB it no longer uses.  Best effort: a no-op without glibc.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name:
        try:
            ctypes.CDLL(name).mallopt(-3, 256 * 1024)  # M_MMAP_THRESHOLD
        except (OSError, AttributeError):
            pass


def _release_freed_memory() -> None:
    """Give the load's freed temporaries back to the system (glibc keeps them otherwise).

    No ``gc.collect()`` here: the load's temporaries are numpy arrays and lists without
    reference cycles, freed by reference counting already, and a full collection walks
    every object of the process holding the GIL (a 240-320 ms freeze of the TUI's event
    loop when the KB warms up after login).  ``malloc_trim`` runs through ctypes, which
    releases the GIL.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name:
        try:
            ctypes.CDLL(name).malloc_trim(0)
        except (OSError, AttributeError):
            pass


def _norm(lengths: np.ndarray, avglen: float) -> np.ndarray:
    import numpy as np

    return (K1 * (1 - B + B * lengths / avglen)).astype(np.float32)
