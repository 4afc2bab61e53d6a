"""The dense stage: article vectors in memory, nearest neighbours of a query by numpy.

Rows are indexed by the article's ``doc`` number, like the lexical postings, so the unit
and category filters of :mod:`kb_index.memindex` apply as they are.  A row is live while
the article is live and its stored vector is of this encoder version and made from the
article's current text (``kb_articles.text_hash``).

The matrix is float32: one BLAS matrix-vector product over 100,000 × 384 takes a few
milliseconds, where int8 or float16 arithmetic in numpy would take ten times longer; it
costs 1.5 kB per article in memory (int8 on disk and on the wire).  After loading, the
index follows changes like the postings do: articles whose ``version`` and vectors whose
``seq`` are newer than the last ones seen are re-read; a deletion of vectors
(``kb_meta.vectors_generation``) makes the caller reload it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from kb_index import vector_store

CHUNK = 4096

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
    live: np.ndarray
    article_version: int = 0
    seq: int = 0
    generation: int = 0
    count: int = 0

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
            matrix=np.zeros((size, dim), dtype=np.float32),
            live=np.zeros(size, dtype=bool),
            article_version=int(article_version),
            seq=int(seq),
            generation=vector_store.generation(conn),
        )
        cursor = conn.execute(_ROWS_SQL, (version,))
        while rows := cursor.fetchmany(CHUNK):
            index._set_rows(rows)
        index.count = int(index.live.sum())
        return index

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
        self.article_version = max(self.article_version, latest_article_version)
        self.seq = max(self.seq, latest_seq)

    def _set_rows(self, rows: list[tuple[int, bytes]]) -> None:
        rows = [r for r in rows if len(r[1]) == self.dim]
        if not rows:
            return
        docs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self._grow(int(docs.max()) + 1)
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(-1, self.dim)
        self.matrix[docs] = _unit(vecs.astype(np.float32))
        self.live[docs] = True

    def _grow(self, size: int) -> None:
        if size <= len(self.live):
            return
        size = max(size, len(self.live) + len(self.live) // 4 + 64)
        matrix = np.zeros((size, self.dim), dtype=np.float32)
        matrix[: len(self.matrix)] = self.matrix
        live = np.zeros(size, dtype=bool)
        live[: len(self.live)] = self.live
        self.matrix, self.live = matrix, live

    def top(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` live docs nearest to ``query`` (unit vector), best first, and their
        cosine similarities; ``mask`` (by doc, from the lexical index) restricts them."""
        if self.count == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        scores = self.matrix @ q
        allowed = self.live
        if mask is not None:
            n = min(len(mask), len(allowed))
            allowed = allowed.copy()
            allowed[:n] &= mask[:n]
            allowed[n:] = False
        scores[~allowed] = -np.inf
        k = min(k, int(allowed.sum()))
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        part = np.argpartition(scores, len(scores) - k)[len(scores) - k :]
        order = part[np.argsort(-scores[part], kind="stable")]
        return order.astype(np.int64), scores[order]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-6)
