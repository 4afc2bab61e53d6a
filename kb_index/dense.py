"""The dense stage: article vectors in memory, nearest neighbours of a query by numpy.

Rows are indexed by the article's ``doc`` number, like the lexical postings, so the unit
and category filters of :mod:`kb_index.memindex` apply as they are.  A row is live while
the article is live and its stored vector is of this encoder version and made from the
article's current text (``kb_articles.text_hash``).

Two passes keep a query within milliseconds at 100,000 articles: the Hamming distance
between sign bits (of the vectors less their mean, 48 bytes an article) picks
``RERANK`` candidates, then their exact cosine from the int8 vectors (384 bytes an
article) orders them.  A float32 matrix-vector product over all rows reads 154 MB per
query and took 4-8 times longer on the 2-core test machine (numpy has no fast int8 or
float16 product).  After loading, the index follows changes like the postings do:
articles whose ``version`` and vectors whose ``seq`` are newer than the last ones seen
are re-read; a deletion of vectors (``kb_meta.vectors_generation``) makes the caller
reload it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from kb_index import vector_store

CHUNK = 4096
RERANK = 400
"""Candidates of the sign-bit pass that get an exact cosine (at least 8× the depth)."""

_ROWS_SQL = (
    "SELECT a.doc, v.vec FROM kb_articles a JOIN kb_vectors v ON v.id = a.id"
    " WHERE a.deleted = 0 AND v.version = ? AND v.text_hash = a.text_hash"
)


@dataclass
class DenseIndex:
    """Unit vectors of the live articles that hold a current one, by ``doc``."""

    version: str
    dim: int
    matrix: np.ndarray
    """int8 vectors by doc (×127 of the unit vector)."""
    bits: np.ndarray
    """Sign bits of ``matrix - center`` by doc, packed in uint64 words."""
    center: np.ndarray
    live: np.ndarray
    article_version: int = 0
    seq: int = 0
    generation: int = 0
    count: int = 0
    centered_on: int = 0
    """How many vectors ``center`` was the mean of; it is recomputed when they double."""

    @classmethod
    def load(cls, conn: sqlite3.Connection, version: str, dim: int) -> DenseIndex:
        article_version, size, seq = conn.execute(
            "SELECT (SELECT coalesce(max(version), 0) FROM kb_articles),"
            " (SELECT coalesce(max(doc), 0) + 1 FROM kb_articles),"
            " (SELECT coalesce(max(seq), 0) FROM kb_vectors)"
        ).fetchone()
        index = cls(
            version=version,
            dim=dim,
            matrix=np.zeros((size, dim), dtype=np.int8),
            bits=np.zeros((size, _words(dim)), dtype=np.uint64),
            center=np.zeros(dim, dtype=np.float32),
            live=np.zeros(size, dtype=bool),
            article_version=int(article_version),
            seq=int(seq),
            generation=vector_store.generation(conn),
        )
        cursor = conn.execute(_ROWS_SQL, (version,))
        while rows := cursor.fetchmany(CHUNK):
            index._set_rows(rows, with_bits=False)
        index.count = int(index.live.sum())
        index._recenter()
        return index

    def _recenter(self) -> None:
        """Take the mean of the live vectors as the center and recompute every sign bit."""
        live = np.flatnonzero(self.live)
        if len(live) == 0:
            return
        total = np.zeros(self.dim, dtype=np.float64)
        for i in range(0, len(live), 65536):
            total += self.matrix[live[i : i + 65536]].sum(axis=0, dtype=np.float64)
        self.center = (total / len(live)).astype(np.float32)
        for i in range(0, len(live), 65536):
            docs = live[i : i + 65536]
            self.bits[docs] = self._sign_bits(self.matrix[docs])
        self.centered_on = len(live)

    def stale(self, conn: sqlite3.Connection) -> bool:
        """Whether vectors were deleted since loading (reload rather than follow)."""
        return vector_store.generation(conn) != self.generation

    def follow(self, conn: sqlite3.Connection, latest_article_version: int) -> None:
        """Re-read the rows of articles and vectors changed since the last call."""
        latest_seq = vector_store.max_seq(conn)
        if latest_article_version <= self.article_version and latest_seq <= self.seq:
            return
        changed = conn.execute(
            "SELECT doc FROM kb_articles WHERE version > ?"
            " UNION SELECT a.doc FROM kb_vectors v JOIN kb_articles a ON a.id = v.id"
            " WHERE v.seq > ?",
            (self.article_version, self.seq),
        ).fetchall()
        docs = [d for (d,) in changed]
        if docs:
            self._grow(max(docs) + 1)
            self.live[docs] = False
            for i in range(0, len(docs), 500):
                chunk = docs[i : i + 500]
                self._set_rows(
                    conn.execute(
                        _ROWS_SQL + f" AND a.doc IN ({','.join('?' * len(chunk))})",
                        (self.version, *chunk),
                    ).fetchall()
                )
            self.count = int(self.live.sum())
            if self.count > 2 * self.centered_on:
                self._recenter()
        self.article_version = max(self.article_version, latest_article_version)
        self.seq = max(self.seq, latest_seq)

    def _set_rows(self, rows: list[tuple[int, bytes]], with_bits: bool = True) -> None:
        rows = [r for r in rows if len(r[1]) == self.dim]
        if not rows:
            return
        docs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self._grow(int(docs.max()) + 1)
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(-1, self.dim)
        self.matrix[docs] = vecs
        if with_bits:
            self.bits[docs] = self._sign_bits(vecs)
        self.live[docs] = True

    def _sign_bits(self, vecs: np.ndarray) -> np.ndarray:
        signs = (vecs.astype(np.float32) - self.center) > 0
        packed = np.packbits(signs, axis=1)
        pad = _words(self.dim) * 8 - packed.shape[1]
        if pad:
            packed = np.pad(packed, ((0, 0), (0, pad)))
        return np.ascontiguousarray(packed).view(np.uint64)

    def _grow(self, size: int) -> None:
        if size <= len(self.live):
            return
        size = max(size, len(self.live) + len(self.live) // 4 + 64)
        matrix = np.zeros((size, self.dim), dtype=np.int8)
        matrix[: len(self.matrix)] = self.matrix
        bits = np.zeros((size, self.bits.shape[1]), dtype=np.uint64)
        bits[: len(self.bits)] = self.bits
        live = np.zeros(size, dtype=bool)
        live[: len(self.live)] = self.live
        self.matrix, self.bits, self.live = matrix, bits, live

    def top(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` live docs nearest to ``query`` (unit vector), best first, and their
        cosine similarities; ``mask`` (by doc, from the lexical index) restricts them."""
        if self.count == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        allowed = self.live
        if mask is not None:
            n = min(len(mask), len(allowed))
            allowed = allowed.copy()
            allowed[:n] &= mask[:n]
            allowed[n:] = False
        n_allowed = self.count if mask is None else int(allowed.sum())
        k = min(k, n_allowed)
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        rerank = max(RERANK, 8 * k)
        if n_allowed <= rerank:
            cand = np.flatnonzero(allowed)
        else:
            qbits = self._sign_bits(q.reshape(1, -1) * 127.0)[0]
            dist = np.bitwise_count(self.bits ^ qbits).sum(axis=1, dtype=np.uint16)
            dist[~allowed] = np.iinfo(np.uint16).max
            cand = np.argpartition(dist, rerank)[:rerank]
        rows = self.matrix[cand].astype(np.float32)
        scores = (rows @ q) / np.maximum(np.linalg.norm(rows, axis=1), 1e-6)
        best = np.argsort(-scores, kind="stable")[:k]
        return cand[best].astype(np.int64), scores[best].astype(np.float32)


def _words(dim: int) -> int:
    return (dim + 63) // 64
