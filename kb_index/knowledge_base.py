"""``KnowledgeBase``: articles, versions and the forward index in the seat's SQLite file.

Tables (all prefixed ``kb_`` so they sit beside the offline cache's tables, WAL mode):

- ``kb_articles(doc, id, title, body, unit, category, tags, updated, version, deleted)``:
  one row per article id; a delete keeps a tombstone (``deleted = 1``, text cleared) so
  ``changes_since`` can ship it.  ``version`` is a global sequence: every upsert or delete
  takes ``max(version) + 1``, or the server's number when applied from a delta.
- ``kb_terms(doc, keys, weights, length)``: the article's term keys and weighted counts,
  written in the same transaction as the article.

Each change touches only its own article's rows.  The in-memory postings
(:mod:`kb_index.memindex`) are loaded on the first search and then follow changes,
including those made through other connections, by reading rows whose version is newer
than the last one seen.  All methods are serialised by one lock, so the TUI may call
``search`` from a worker thread.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kb_index.article import Article
from kb_index.forward import ForwardRow, article_terms, article_terms_many
from kb_index.ranking import Hit

SCHEMA = """
CREATE TABLE IF NOT EXISTS kb_articles (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    updated TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS kb_articles_version ON kb_articles(version);
CREATE TABLE IF NOT EXISTS kb_terms (
    doc INTEGER PRIMARY KEY REFERENCES kb_articles(doc) ON DELETE CASCADE,
    keys BLOB NOT NULL,
    weights BLOB NOT NULL,
    length INTEGER NOT NULL
);
"""

ArticleLike = Article | Mapping[str, Any]


class KnowledgeBase:
    """The knowledge base of one seat (or of the central server): see the module docstring."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        if isinstance(path_or_connection, sqlite3.Connection):
            self._conn = path_or_connection
        else:
            path = Path(path_or_connection)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self._index: Any = None
        with self._lock:
            self._conn.executescript(SCHEMA)

    # --- writing ---------------------------------------------------------------------

    def upsert(self, article: ArticleLike) -> int:
        """Insert or replace one article; returns its new version."""
        return self.upsert_many([article])[0]

    def upsert_many(self, articles: Iterable[ArticleLike]) -> list[int]:
        """Upsert several articles in one transaction; returns their versions, in order."""
        from kb_index.memindex import pin_mmap_threshold

        pin_mmap_threshold()
        items = [Article.from_mapping(a) for a in articles]
        rows = [
            r for i in range(0, len(items), 1000) for r in article_terms_many(items[i : i + 1000])
        ]
        with self._lock, self._transaction():
            version = self._max_version()
            versions = []
            for article, terms in zip(items, rows, strict=True):
                version += 1
                self._write(article, version, terms)
                versions.append(version)
            return versions

    def delete(self, article_id: str) -> int | None:
        """Delete by id, keeping a tombstone; returns its version (``None`` if unknown)."""
        with self._lock, self._transaction():
            row = self._conn.execute(
                "SELECT doc FROM kb_articles WHERE id = ? AND deleted = 0", (article_id,)
            ).fetchone()
            if row is None:
                return None
            version = self._max_version() + 1
            self._tombstone(article_id, version)
            return version

    def apply_delta(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Apply server changes (``changes_since`` items) keeping the server's versions.

        Items older than or equal to what the seat holds for that id are skipped, so a
        delta may be applied twice.  Returns the number of items applied.
        """
        applied = 0
        with self._lock, self._transaction():
            for item in items:
                version = int(item["version"])
                article_id = str(item["id"])
                row = self._conn.execute(
                    "SELECT version FROM kb_articles WHERE id = ?", (article_id,)
                ).fetchone()
                if row is not None and row[0] >= version:
                    continue
                if item.get("deleted"):
                    self._tombstone(article_id, version)
                else:
                    self._write(Article.from_mapping(item["article"]), version)
                applied += 1
        return applied

    def _write(self, article: Article, version: int, terms: ForwardRow | None = None) -> None:
        terms = terms or article_terms(article)
        doc = self._conn.execute(
            "INSERT INTO kb_articles (id, title, body, unit, category, tags, updated, version, deleted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT(id) DO UPDATE SET"
            " title=excluded.title, body=excluded.body, unit=excluded.unit,"
            " category=excluded.category, tags=excluded.tags, updated=excluded.updated,"
            " version=excluded.version, deleted=0 RETURNING doc",
            (
                article.id,
                article.title,
                article.body,
                article.unit,
                article.category,
                article.tags_json(),
                article.updated,
                version,
            ),
        ).fetchone()[0]
        self._conn.execute(
            "INSERT OR REPLACE INTO kb_terms (doc, keys, weights, length) VALUES (?, ?, ?, ?)",
            (doc, terms.keys, terms.weights, terms.length),
        )

    def _tombstone(self, article_id: str, version: int) -> None:
        doc = self._conn.execute(
            "INSERT INTO kb_articles (id, version, deleted) VALUES (?, ?, 1)"
            " ON CONFLICT(id) DO UPDATE SET title='', body='', tags='[]', version=excluded.version,"
            " deleted=1 RETURNING doc",
            (article_id, version),
        ).fetchone()[0]
        self._conn.execute("DELETE FROM kb_terms WHERE doc = ?", (doc,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def _max_version(self) -> int:
        return int(
            self._conn.execute("SELECT coalesce(max(version), 0) FROM kb_articles").fetchone()[0]
        )

    # --- reading ---------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, title, body, unit, category, tags, updated FROM kb_articles"
                " WHERE id = ? AND deleted = 0",
                (article_id,),
            ).fetchone()
        return _row_article(row) if row else None

    def count(self) -> int:
        with self._lock:
            return int(
                self._conn.execute("SELECT count(*) FROM kb_articles WHERE deleted = 0").fetchone()[
                    0
                ]
            )

    def max_version(self) -> int:
        with self._lock:
            return self._max_version()

    def changes_since(self, version: int, limit: int | None = None) -> list[dict[str, Any]]:
        """Upserts and tombstones newer than ``version``, oldest first.

        Each item is ``{"id", "version", "deleted", "article"}`` (``article`` is the
        article's dict, ``None`` for a tombstone): the shape ``apply_delta`` takes.
        """
        sql = (
            "SELECT id, title, body, unit, category, tags, updated, version, deleted"
            " FROM kb_articles WHERE version > ? ORDER BY version"
        )
        params: tuple[int, ...] = (version,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (version, limit)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [
            {
                "id": r[0],
                "version": r[7],
                "deleted": bool(r[8]),
                "article": None if r[8] else _row_article(r[:7]).to_dict(),
            }
            for r in rows
        ]

    def search(
        self, query: str, limit: int = 10, unit: str | None = None, category: str | None = None
    ) -> list[Hit]:
        """Ranked hits with highlight spans; an empty query returns ``[]``."""
        if not isinstance(query, str) or not query.strip() or limit <= 0:
            return []
        from kb_index.ranking import rank

        with self._lock:
            index = self._current_index()
            return rank(self._conn, index, query, limit, unit, category)

    def warm_up(self) -> None:
        """Load the in-memory postings and every lazy table now (e.g. in a worker thread at
        start-up), so the agent's first search is as fast as the others."""
        with self._lock:
            self._current_index()
            self.search("社保卡補辦 sbk shebao 12345", limit=1)

    def _current_index(self) -> Any:
        from kb_index.memindex import MemoryIndex

        if self._index is None or self._index.needs_compaction():
            self._index = MemoryIndex.load(self._conn)
            return self._index
        latest = self._max_version()
        if latest > self._index.version:
            rows = self._conn.execute(
                "SELECT a.doc, a.deleted, t.keys, t.weights, t.length, a.id, a.title, a.tags,"
                " a.unit, a.category FROM kb_articles a LEFT JOIN kb_terms t ON t.doc = a.doc"
                " WHERE a.version > ? ORDER BY a.version",
                (self._index.version,),
            ).fetchall()
            for doc, deleted, keys, *rest in rows:
                self._index.apply(doc, None if deleted or keys is None else (keys, *rest))
            self._index.version = latest
        return self._index

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK``), nesting-safe."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._outer = False

    def __enter__(self) -> None:
        if not self._conn.in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
            self._outer = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._outer:
            self._conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _row_article(row: tuple[Any, ...]) -> Article:
    import json

    return Article(
        id=row[0],
        title=row[1],
        body=row[2],
        unit=row[3],
        category=row[4],
        tags=tuple(json.loads(row[5] or "[]")),
        updated=row[6],
    )
