"""``KnowledgeBase``: articles, versions and the forward index in the seat's SQLite file.

Tables (all prefixed ``kb_`` so they sit beside the offline cache's tables, WAL mode):

- ``kb_articles(doc, id, title, body, unit, category, tags, updated, version, deleted)``:
  one row per article id; a delete keeps a tombstone (``deleted = 1``, text cleared) so
  ``changes_since`` can ship it.  ``version`` is a global sequence: every upsert or delete
  takes ``max(version) + 1``, or the server's number when applied from a delta.
- ``kb_terms(doc, keys, weights, length)``: the article's term keys and weighted counts,
  written in the same transaction as the article.
- ``kb_articles.text_hash`` names the text an article's vector is made from
  (:func:`kb_index.encoder.text_hash`); ``kb_vectors`` holds the vectors themselves and
  ``kb_meta`` small settings (:mod:`kb_index.vector_store`).  A vector counts while its
  encoder version and text hash match, so an edit or a delete invalidates it.

Each change touches only its own article's rows.  The in-memory postings
(:mod:`kb_index.memindex`) are loaded on the first search and then follow changes,
including those made through other connections, by reading rows whose version is newer
than the last one seen.  All methods are serialised by one lock, so the TUI may call
``search`` from a worker thread.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_index import vector_store
from kb_index.article import Article
from kb_index.encoder import TEXT_SCHEME, text_hash
from kb_index.forward import ForwardRow, article_terms, article_terms_many
from kb_index.fusion import FusedResult
from kb_index.ranking import Hit
from kb_index.vector_store import VectorStatus

if TYPE_CHECKING:
    from kb_index.encoder import Encoder

__all__ = ["KnowledgeBase", "FusedResult", "VectorStatus"]

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
    deleted INTEGER NOT NULL DEFAULT 0,
    text_hash TEXT NOT NULL DEFAULT ''
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
        self._dense: Any = None
        self._status_cache: tuple[tuple[int, int, int, str], VectorStatus] | None = None
        with self._lock:
            self._conn.executescript(SCHEMA)
            self._conn.executescript(vector_store.SCHEMA)
            self._migrate_text_hash()

    def _migrate_text_hash(self) -> None:
        """Files made before vectors lack ``kb_articles.text_hash``; files made with an
        earlier ``article_text`` hold hashes of another text: (re)compute them once."""
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(kb_articles)")}
        if "text_hash" not in columns:
            self._conn.execute(
                "ALTER TABLE kb_articles ADD COLUMN text_hash TEXT NOT NULL DEFAULT ''"
            )
        if vector_store.get_meta(self._conn, "text_scheme") == TEXT_SCHEME:
            return
        with self._transaction():
            cursor = self._conn.execute(
                "SELECT id, title, body, unit, category, tags, updated, doc FROM kb_articles"
                " WHERE deleted = 0"
            )
            while rows := cursor.fetchmany(2000):
                self._conn.executemany(
                    "UPDATE kb_articles SET text_hash = ? WHERE doc = ?",
                    [(text_hash(_row_article(r[:7])), r[7]) for r in rows],
                )
            vector_store.set_meta(self._conn, "text_scheme", TEXT_SCHEME)

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
            "INSERT INTO kb_articles (id, title, body, unit, category, tags, updated, version,"
            " deleted, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT(id) DO UPDATE"
            " SET title=excluded.title, body=excluded.body, unit=excluded.unit,"
            " category=excluded.category, tags=excluded.tags, updated=excluded.updated,"
            " version=excluded.version, deleted=0, text_hash=excluded.text_hash RETURNING doc",
            (
                article.id,
                article.title,
                article.body,
                article.unit,
                article.category,
                article.tags_json(),
                article.updated,
                version,
                text_hash(article),
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
            " deleted=1, text_hash='' RETURNING doc",
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

    # --- vectors (the dense stage) -------------------------------------------------------

    def put_vectors(self, version: str, rows: Iterable[tuple[str, str, bytes]]) -> int:
        """Store ``(article_id, text_hash, int8 vector bytes)`` rows made by encoder
        ``version``, replacing earlier ones, in one transaction; returns how many."""
        with self._lock, self._transaction():
            return vector_store.put(self._conn, version, rows)

    def delete_vectors(self, article_ids: Iterable[str]) -> int:
        """Drop the vectors of these articles; returns how many were there."""
        with self._lock, self._transaction():
            return vector_store.delete(self._conn, article_ids)

    def vector_status(self, version: str) -> VectorStatus:
        """How many live articles hold a vector of ``version`` made from their current
        text (cached until articles or vectors change)."""
        with self._lock:
            key = (
                self._max_version(),
                vector_store.max_seq(self._conn),
                vector_store.generation(self._conn),
                version,
            )
            if self._status_cache is None or self._status_cache[0] != key:
                self._status_cache = (key, vector_store.status(self._conn, version))
            return self._status_cache[1]

    def missing_vectors(self, version: str, limit: int | None = None) -> list[Article]:
        """Live articles without a current vector of ``version`` (none, stale text or
        another encoder), in import order."""
        sql = vector_store.MISSING_SQL
        params: tuple[Any, ...] = (version,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (version, max(0, int(limit)))
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_row_article(r) for r in rows]

    def embed_missing(
        self,
        encoder: Encoder,
        progress: Callable[[int, int], None] | None = None,
        batch: int = 16,
    ) -> int:
        """Embed the articles that lack a current vector, ``batch`` at a time, storing each
        batch as it is done (so an interrupted run resumes where it stopped).
        ``progress(done, total)`` is called after each batch; returns how many were made."""
        from kb_index.encoder import article_text, quantize

        total = self.vector_status(encoder.version).missing
        done = 0
        if progress is not None:
            progress(0, total)
        batch = max(1, batch)
        skip: set[str] = set()
        while True:
            todo = [
                a
                for a in self.missing_vectors(encoder.version, batch + len(skip))
                if a.id not in skip
            ][:batch]
            if not todo:
                return done
            vectors = quantize(encoder.embed_passages([article_text(a) for a in todo]))
            rows = [(a.id, text_hash(a), v.tobytes()) for a, v in zip(todo, vectors, strict=True)]
            with self._lock, self._transaction():
                current = {
                    r[0]: r[1]
                    for r in self._conn.execute(
                        "SELECT id, text_hash FROM kb_articles WHERE deleted = 0 AND id IN"
                        f" ({','.join('?' * len(rows))})",
                        [r[0] for r in rows],
                    )
                }
                # An article edited while it was being embedded keeps no stale vector.
                rows = [r for r in rows if current.get(r[0]) == r[1]]
                vector_store.put(self._conn, encoder.version, rows)
            skip.update(a.id for a in todo if current.get(a.id) != text_hash(a))
            done += len(rows)
            if progress is not None:
                progress(min(done, total), max(total, done))

    def search_fused(
        self,
        query: str,
        limit: int = 10,
        *,
        encoder: Encoder | None = None,
        unit: str | None = None,
        category: str | None = None,
        mode: str = "fused",
    ) -> FusedResult:
        """Lexical and dense rankings fused (:mod:`kb_index.fusion`); lexical alone, with
        the reason in ``FusedResult.reason``, for pinyin/ASCII or 1–2 character queries,
        and when this seat lacks current vectors for most articles.  ``mode="dense"``
        ranks by the dense stage alone, for every query (for measurement)."""
        from kb_index import fusion

        if not isinstance(query, str) or not query.strip() or limit <= 0:
            return FusedResult([], False, fusion.EMPTY)
        reason = fusion.skip_reason(query) if mode != "dense" else None
        if reason is None:
            try:
                if encoder is None:
                    from kb_index.encoder import default_encoder

                    encoder = default_encoder()
            except (ImportError, OSError, RuntimeError):
                reason = fusion.NO_ENCODER
        if reason is None and encoder is not None:
            reason = self.vector_status(encoder.version).reason
        if reason is not None or encoder is None:
            return FusedResult(self.search(query, limit, unit, category), False, reason)
        vector = encoder.embed_query(query[: fusion.MAX_QUERY_CHARS])
        return self._fused(query, vector, encoder, limit, unit, category, mode == "dense")

    def _fused(
        self,
        query: str,
        vector: Any,
        encoder: Encoder,
        limit: int,
        unit: str | None,
        category: str | None,
        dense_only: bool = False,
    ) -> FusedResult:
        from kb_index import fusion
        from kb_index.query import analyze
        from kb_index.ranking import build_hits, candidates

        depth = max(fusion.DEPTH, limit)
        with self._lock:
            index = self._current_index()
            dense = self._current_dense(encoder)
            plan = analyze(query, index.phrases)
            mask = index.filter_mask(unit, category) if unit or category else None
            docs, sims = dense.top(vector, depth, mask)
            floor = getattr(encoder, "min_similarity", None)
            if floor is not None and not dense_only:
                docs = docs[sims >= floor]
            if dense_only:
                fused = list(zip(docs.tolist(), sims.tolist(), strict=True))[:limit]
            else:
                lexical = candidates(index, plan, depth, unit, category) if plan else []
                fused = fusion.fuse([d for _, _, d in lexical], docs.tolist())[:limit]
            ranked = [(score, index.ids[doc] or "", doc) for doc, score in fused]
            return FusedResult(build_hits(self._conn, plan, ranked), True, None)

    def _current_dense(self, encoder: Encoder) -> Any:
        from kb_index.dense import DenseIndex

        dense = self._dense
        if (
            dense is None
            or dense.version != encoder.version
            or dense.dim != encoder.dim
            or dense.stale(self._conn)
        ):
            self._dense = DenseIndex.load(self._conn, encoder.version, encoder.dim)
        else:
            dense.follow(self._conn, self._max_version())
        return self._dense

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
