"""Applying what the server said, each in one local transaction.

Push results mark outbox rows applied or rejected (a rejection becomes a sync problem and
the server's order replaces the optimistic one); a pull page is stored together with its
cursor. Both end by recomputing the touched orders: server snapshot + the commands not in
it yet (``order_view.rebuild_order``).

Slim push results (an applied command without its order, docs/sync-protocol.md) keep the
order's version in the outbox row: until a pulled snapshot reaches that version the
command is still replayed on top, so the view an acknowledgement leaves is the view it
found, and the order is not recomputed (nor decoded) at all.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from offline_cache.db import get_meta, set_meta
from offline_cache.order_view import (
    Known,
    rebuild_order,
    refresh_pending_flag,
    server_version,
    store_server_order,
    upsert_contact,
    upsert_entity,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Callable

    from offline_cache.db import SeatDB
    from workstation.rule_checks import Context
    from workstation.wire.sync import Change, PullPage, PushResponse


def pending_rows(
    db: SeatDB, limit: int, start: int | None = None, after: int = 0
) -> list[dict[str, Any]]:
    """The next commands to push; from ``start`` (a 409 gap) even if already acknowledged.

    ``after``: the last mutation id of the batches already in flight (pipelining).
    """
    if start is not None:
        return db.query(
            "SELECT * FROM outbox WHERE mutation_id >= ? ORDER BY mutation_id LIMIT ?",
            (start, limit),
        )
    return db.query(
        "SELECT * FROM outbox WHERE status='pending' AND mutation_id > ? ORDER BY mutation_id"
        " LIMIT ?",
        (after, limit),
    )


def apply_results(
    db: SeatDB, response: PushResponse, ctx: Context, now: datetime
) -> tuple[list[str], int]:
    """Record push results; returns (the order ids whose view changed, rejections)."""
    touched: set[str] = set()
    acked: set[str] = set()  # slim acknowledgements: only the pending flag changes
    known: Known = {}
    rejections = 0
    at = now.isoformat()
    with db.transaction() as conn:
        for result in response.results:
            row = conn.execute(
                "SELECT mutation_id, order_id, command, args, user, status FROM outbox"
                " WHERE op_id=?",
                (result.op_id,),
            ).fetchone()
            if row is None:
                continue
            mutation_id, order_id, command, args, user, status = row
            order = getattr(result, "order", None)
            if order:
                store_server_order(conn, order, known)
                touched.add(order["order_id"])
            if order_id:
                touched.add(order_id)
            record = result.record
            if isinstance(record, dict) and record.get("contact_id"):
                upsert_contact(conn, record, pending=False)
            elif isinstance(record, dict) and record.get("proposal_id"):
                upsert_entity(conn, "kb_proposal", str(record["proposal_id"]), record)
            if status != "pending":
                continue
            rejected = result.status == "rejected"
            reason_model = getattr(result, "reason", None)
            reason = reason_model.model_dump() if reason_model is not None else {}
            stored = json.dumps(reason, ensure_ascii=False) if rejected else None
            rejections += rejected
            version = getattr(result, "version", None)
            if not rejected and not order and isinstance(version, int) and order_id:
                stored = json.dumps({"version": version})  # replayed until pulled
                if server_version(conn, order_id) < version:
                    acked.add(order_id)
                else:
                    touched.add(order_id)
            conn.execute(
                "UPDATE outbox SET status=?, result=?, acked_at=? WHERE mutation_id=?",
                ("rejected" if rejected else "applied", stored, at, mutation_id),
            )
            if rejected:
                conn.execute(
                    "INSERT OR IGNORE INTO problems(op_id, mutation_id, command, order_id, user,"
                    " args, reason, at) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        result.op_id,
                        mutation_id,
                        command,
                        order_id,
                        user,
                        args,
                        json.dumps(reason, ensure_ascii=False),
                        at,
                    ),
                )
                _settle_contact(conn, args, result.op_id, "DELETE FROM contacts")
            else:
                _settle_contact(conn, args, result.op_id, "UPDATE contacts SET pending=0")
            if command in ("propose_article", "publish_article", "reject_proposal"):
                _settle_proposal(conn, json.loads(args), command, rejected)
        set_meta(conn, "server_last_mutation_id", response.last_mutation_id)
        for order_id in touched:
            rebuild_order(conn, order_id, ctx, fold=False, known=known)
        for order_id in acked - touched:
            refresh_pending_flag(conn, order_id)
    return sorted(touched | acked), rejections


def _settle_contact(conn: Any, args: str, op_id: str, action: str) -> None:
    """Settle the contact this command wrote (by its primary key, not a scan by op_id)."""
    contact_id = json.loads(args).get("contact_id")
    if isinstance(contact_id, str):
        extra = " AND pending=1" if action.startswith("DELETE") else ""
        conn.execute(f"{action} WHERE contact_id=? AND op_id=?{extra}", (contact_id, op_id))


def _settle_proposal(conn: Any, args: dict[str, Any], command: str, rejected: bool) -> None:
    key = args.get("proposal_id")
    raw = conn.execute(
        "SELECT data FROM entities WHERE entity='kb_proposal' AND key=?", (key,)
    ).fetchone()
    if raw is None:
        return
    if rejected and command == "propose_article":
        conn.execute("DELETE FROM entities WHERE entity='kb_proposal' AND key=?", (key,))
        return
    data = json.loads(raw[0])
    data.pop("_pending", None)
    upsert_entity(conn, "kb_proposal", str(key), data)


def apply_page(
    db: SeatDB,
    cursor: int,
    page: PullPage,
    ctx: Context,
    kb_writer: Callable[[], Any] | None = None,
) -> list[str]:
    """Store one pull page and its cursor in one transaction, KB deltas included.

    ``kb_article`` changes go to kb_index (``KnowledgeBase.apply_delta``, from
    ``kb_writer()``) on the seat database's own connection, inside the same transaction as
    the cursor: the search index never runs ahead of or behind the cursor, and a crash
    re-pulls both. ``kb_vector`` changes (article vectors from the server's embed job) go
    the same way, through ``KnowledgeBase.put_vectors`` / ``delete_vectors``. Each order snapshot is used as decoded from the page (stored as text
    once, never read back and decoded again).
    """
    changes = page.changes
    kb = _kb_writer(kb_writer) if any(c.entity in _KB_ENTITIES for c in changes) else None
    touched: set[str] = set()
    known: Known = {}
    with db.transaction() as conn:
        current = int(get_meta(conn, "cursor") or 0)
        if current != cursor:
            return []  # another round applied this page already
        kb_items: list[dict[str, Any]] = []
        vectors: dict[str, tuple[str, str, bytes] | None] = {}
        for change in changes:
            entity, key, op, data = change.entity, change.key, change.op, change.data
            if entity == "order":
                if op == "delete":
                    conn.execute("DELETE FROM server_orders WHERE order_id=?", (key,))
                    known.pop(key, None)
                else:
                    store_server_order(conn, data, known)
                touched.add(key)
            elif entity == "contact":
                if op == "delete":
                    conn.execute("DELETE FROM contacts WHERE contact_id=?", (key,))
                else:
                    upsert_contact(conn, data, pending=False)
            elif entity == "unit":
                if op == "delete":
                    conn.execute("DELETE FROM units WHERE code=?", (key,))
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO units(code, data) VALUES (?, ?)",
                        (key, json.dumps(data, ensure_ascii=False)),
                    )
            elif entity == "kb_article" and kb is not None and _kb_item(change, kb_items):
                continue
            elif entity == "kb_vector":
                if kb is not None:
                    _vector_item(change, vectors)
                continue
            elif op == "delete":
                conn.execute("DELETE FROM entities WHERE entity=? AND key=?", (entity, key))
            else:
                upsert_entity(conn, entity, str(key), data)
        if kb_items:
            assert kb is not None
            _apply_kb(kb, kb_items)
        if vectors:
            assert kb is not None
            _apply_vectors(kb, vectors)
        _bump_counter(conn, touched)
        set_meta(conn, "cursor", page.cursor)
        for order_id in touched:
            rebuild_order(conn, order_id, ctx, fold=False, known=known)
    return sorted(touched)


def _bump_counter(conn: Any, order_ids: set[str]) -> None:
    """Never reuse a number this seat already issued (e.g. from a reinstalled database)."""
    prefix = get_meta(conn, "prefix")
    if not prefix:
        return
    counter = int(get_meta(conn, "order_counter") or 0)
    top = counter
    for order_id in order_ids:
        head, _, tail = order_id.rpartition("-")
        if head.rpartition("-")[0] == prefix and tail.isdigit():
            top = max(top, int(tail))
    if top > counter:
        set_meta(conn, "order_counter", top)


def _kb_writer(kb_writer: Callable[[], Any] | None) -> Any | None:
    """kb_index's KnowledgeBase on the seat connection; None when kb_index is missing."""
    if kb_writer is None:
        return None
    try:
        return kb_writer()
    except (ImportError, AttributeError):
        return None


def _kb_item(change: Change, items: list[dict[str, Any]]) -> bool:
    """Queue a ``kb_article`` change as an ``apply_delta`` item; False if malformed."""
    from kb_index.article import Article

    data = change.data or {}
    deleted = change.op == "delete" or bool(data.get("deleted"))
    item: dict[str, Any] = {"id": str(change.key), "seq": int(change.seq)}
    if deleted:
        item.update(deleted=True, article=None)
    else:
        try:
            article = Article.from_mapping({**data, "id": str(change.key)})
        except Exception:  # kb_index's InvalidArticle: kept in ``entities`` instead
            return False
        item.update(deleted=False, article=article.to_dict())
    items.append(item)
    return True


def _apply_kb(kb: Any, items: list[dict[str, Any]]) -> None:
    """Apply KB deltas in the caller's transaction (kb_index joins an open transaction).

    kb_index versions are one sequence per seat file (its in-memory index follows rows
    with a newer version); the server's change seq is used, or the next free version if a
    locally imported article already holds a higher one. The cursor transaction makes
    each page apply exactly once, so every item here is newer than what the seat holds.
    """
    version = kb.max_version()
    for item in items:
        version = max(item.pop("seq"), version + 1)
        item["version"] = version
    kb.apply_delta(items)


_KB_ENTITIES = ("kb_article", "kb_vector")


def _vector_item(change: Change, vectors: dict[str, tuple[str, str, bytes] | None]) -> None:
    """Note a ``kb_vector`` change (the last one of an article wins); None: delete it.

    A malformed one is dropped (logged): the article stays searchable lexically and the
    KB panel counts it as missing."""
    key = str(change.key)
    data = change.data or {}
    if change.op == "delete" or data.get("deleted"):
        vectors[key] = None
        return
    try:
        vec = base64.b64decode(str(data["vec"]), validate=True)
        version, text_hash, dim = str(data["version"]), str(data["text_hash"]), int(data["dim"])
    except (KeyError, ValueError, TypeError, binascii.Error):
        log.warning("malformed kb_vector change for %s dropped", key)
        return
    if len(vec) != dim or not version or not text_hash:
        log.warning("malformed kb_vector change for %s dropped", key)
        return
    vectors[key] = (version, text_hash, vec)


def _apply_vectors(kb: Any, vectors: dict[str, tuple[str, str, bytes] | None]) -> None:
    """Store pulled article vectors through kb_index (in the pull's transaction)."""
    gone = [key for key, item in vectors.items() if item is None]
    if gone:
        kb.delete_vectors(gone)
    by_version: dict[str, list[tuple[str, str, bytes]]] = {}
    for key, item in vectors.items():
        if item is not None:
            by_version.setdefault(item[0], []).append((key, item[1], item[2]))
    for version, rows in by_version.items():
        kb.put_vectors(version, rows)


def mark_success(db: SeatDB, now: datetime) -> None:
    with db.transaction() as conn:
        set_meta(conn, "last_success", now.isoformat())


def set_needs_login(db: SeatDB) -> None:
    with db.transaction() as conn:
        set_meta(conn, "needs_login", 1)
