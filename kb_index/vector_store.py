"""The article vectors in the seat's SQLite file: ``kb_vectors`` and what is missing.

``kb_vectors(id, version, text_hash, vec, seq)``: one int8 vector per article id, tagged
with the encoder's ``version`` and the ``text_hash`` of the article text it was made
from.  A vector counts only while both match: the encoder the seat uses, and the hash
``kb_articles.text_hash`` holds for the article's current text, so editing or deleting an
article invalidates its vector without touching ``kb_vectors``.  ``seq`` grows with every
write so the in-memory matrix (:mod:`kb_index.dense`) can follow changes; a deletion
bumps ``kb_meta.vectors_generation`` instead, which makes the matrix reload.

The functions here take a connection and run inside the caller's lock and transaction
(:class:`kb_index.knowledge_base.KnowledgeBase` wraps them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from kb_index.errors import InvalidVector

SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_vectors (
    id TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vec BLOB NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS kb_vectors_seq ON kb_vectors(seq);
CREATE TABLE IF NOT EXISTS kb_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

MAX_ID_CHARS = 512
MAX_HASH_CHARS = 64
MAX_VERSION_CHARS = 200
MAX_VECTOR_BYTES = 4096
COMPLETE_ENOUGH = 0.9
"""The share of live articles that must hold a current vector before the dense stage
runs: below it, articles without one would be pushed down by those with one."""


@dataclass(frozen=True, slots=True)
class VectorStatus:
    """How many live articles hold a vector of ``version`` made from their current text."""

    articles: int
    with_vectors: int
    version: str
    other_version: int = 0
    """Live articles whose vector is of another encoder version (current text)."""

    @property
    def missing(self) -> int:
        return self.articles - self.with_vectors

    @property
    def complete(self) -> bool:
        return self.articles > 0 and self.with_vectors >= self.articles

    @property
    def usable(self) -> bool:
        """Enough vectors for the dense stage to help rather than skew the ranking."""
        return self.articles > 0 and self.with_vectors >= COMPLETE_ENOUGH * self.articles

    @property
    def reason(self) -> str | None:
        """Why the dense stage does not run (``None`` when it does)."""
        if self.usable:
            return None
        if self.articles == 0:
            return "no_articles"
        if self.with_vectors == 0:
            return "other_version" if self.other_version else "no_vectors"
        return "partial"


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM kb_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO kb_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def generation(conn: sqlite3.Connection) -> int:
    return int(get_meta(conn, "vectors_generation") or 0)


def max_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM kb_vectors").fetchone()[0])


def put(conn: sqlite3.Connection, version: str, rows: Iterable[tuple[str, str, bytes]]) -> int:
    """Insert or replace vectors; every row is checked before any is written."""
    _check_text("version", version, MAX_VERSION_CHARS)
    checked = []
    size: int | None = None
    for row in rows:
        if not isinstance(row, tuple | list) or len(row) != 3:
            raise InvalidVector(
                "row", "向量行应为 (id, text_hash, vec)", "a vector row is (id, text_hash, vec)"
            )
        article_id, digest, vec = row
        _check_text("id", article_id, MAX_ID_CHARS)
        _check_text("text_hash", digest, MAX_HASH_CHARS)
        if isinstance(vec, memoryview | bytearray):
            vec = bytes(vec)
        if not isinstance(vec, bytes) or not 0 < len(vec) <= MAX_VECTOR_BYTES:
            raise InvalidVector(
                "vec",
                f"向量应为 1–{MAX_VECTOR_BYTES} 字节",
                f"a vector is 1 to {MAX_VECTOR_BYTES} bytes",
            )
        if size is not None and len(vec) != size:
            raise InvalidVector(
                "vec", "同一批向量长度不一致", "vectors of one batch differ in length"
            )
        size = len(vec)
        checked.append((article_id, digest, vec))
    seq = max_seq(conn)
    conn.executemany(
        "INSERT INTO kb_vectors (id, version, text_hash, vec, seq) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET version = excluded.version,"
        " text_hash = excluded.text_hash, vec = excluded.vec, seq = excluded.seq",
        [(a, version, h, v, seq + i) for i, (a, h, v) in enumerate(checked, 1)],
    )
    return len(checked)


def delete(conn: sqlite3.Connection, article_ids: Iterable[str]) -> int:
    ids = [a for a in article_ids if isinstance(a, str)]
    removed = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        removed += conn.execute(
            f"DELETE FROM kb_vectors WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).rowcount
    if removed:
        set_meta(conn, "vectors_generation", str(generation(conn) + 1))
    return removed


def status(conn: sqlite3.Connection, version: str) -> VectorStatus:
    articles, current, other = conn.execute(
        "SELECT count(*),"
        " coalesce(sum(v.version = ? AND v.text_hash = a.text_hash), 0),"
        " coalesce(sum(v.version != ? AND v.text_hash = a.text_hash), 0)"
        " FROM kb_articles a LEFT JOIN kb_vectors v ON v.id = a.id WHERE a.deleted = 0",
        (version, version),
    ).fetchone()
    return VectorStatus(int(articles), int(current), version, int(other))


MISSING_SQL = (
    "SELECT a.id, a.title, a.body, a.unit, a.category, a.tags, a.updated"
    " FROM kb_articles a LEFT JOIN kb_vectors v ON v.id = a.id"
    " WHERE a.deleted = 0 AND (v.id IS NULL OR v.version != ? OR v.text_hash != a.text_hash)"
    " ORDER BY a.doc"
)


def _check_text(name: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidVector(
            name,
            f"{name} 应为 1–{limit} 个字符的文本",
            f"{name} must be text of 1 to {limit} characters",
        )
