"""Knowledge-base distribution: articles managed on the server, proposals from units.

Each write bumps the article's ``version`` and emits a ``kb_article`` change (everyone
sees it), so seats pull deltas; a delete leaves a tombstone row and a ``delete`` change.
The article's vector follows on its own: the embed job (``central.kb_vectors``) finds
articles whose vector is missing or stale and sends ``kb_vector`` changes.
Units propose articles (``propose_article``); supervisors publish or reject them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from central import schema
from central.changes import Change, Tx, dumps
from central.errors import NotFound
from central.kb_vectors import delete_vector
from workstation.errors import InvalidTransition, ValidationError
from workstation.models import Actor
from workstation.permissions import require_permission

KB_COMMANDS = frozenset({"propose_article", "publish_article", "reject_proposal"})


def validate_article(data: Any) -> dict[str, Any]:
    """The article as kb_index reads it (id, title, body, unit, category, tags, updated)."""
    from kb_index.article import Article

    return Article.from_mapping(data).to_dict()


def put_article(tx: Tx, data: dict[str, Any], user: str) -> dict[str, Any]:
    """Create or replace an article; returns it with its new ``version``."""
    article = validate_article(data)
    t = schema.kb_articles
    row = tx.conn.execute(
        tx.db.for_update(select(t.c.version, t.c.data).where(t.c.id == article["id"]))
    ).first()
    if row is not None and json.loads(row.data) == {**article, "version": row.version}:
        return {**article, "version": row.version}  # unchanged: no new version
    version = 1 if row is None else row.version + 1
    stored = {**article, "version": version}
    values = {
        "version": version,
        "deleted": False,
        "data": dumps(stored),
        "updated_at": tx.now,
        "updated_by": user,
    }
    if row is None:
        tx.conn.execute(t.insert().values(id=article["id"], **values))
    else:
        tx.conn.execute(update(t).where(t.c.id == article["id"]).values(**values))
    tx.emit(Change("kb_article", article["id"], stored, everyone=True))
    return stored


def delete_article(tx: Tx, article_id: str, user: str) -> int:
    """Tombstone an article; returns the tombstone's version."""
    t = schema.kb_articles
    row = tx.conn.execute(
        tx.db.for_update(select(t.c.version, t.c.deleted).where(t.c.id == article_id))
    ).first()
    if row is None or row.deleted:
        raise NotFound(f"没有知识条目 {article_id}", f"no article {article_id}")
    version = row.version + 1
    tomb = {"id": article_id, "version": version, "deleted": True}
    tx.conn.execute(
        update(t)
        .where(t.c.id == article_id)
        .values(version=version, deleted=True, data=dumps(tomb), updated_at=tx.now, updated_by=user)
    )
    tx.emit(Change("kb_article", article_id, tomb, op="delete", everyone=True))
    delete_vector(tx, article_id)
    return version


def get_article(conn: Connection, article_id: str) -> dict[str, Any] | None:
    t = schema.kb_articles
    row = conn.execute(select(t.c.data, t.c.deleted).where(t.c.id == article_id)).first()
    return None if row is None or row.deleted else json.loads(row.data)


class _Collector:
    """Stands in for kb_index's KnowledgeBase so its importers can feed the server."""

    def __init__(self) -> None:
        self.articles: list[dict[str, Any]] = []

    def upsert_many(self, articles: Any) -> None:
        self.articles.extend(a.to_dict() for a in articles)


def read_articles(path: str | Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Articles from a file or folder, using kb_index's importers (JSONL, CSV, Markdown)."""
    from kb_index.importers import import_path

    collector = _Collector()
    report = import_path(collector, path)  # type: ignore[arg-type]
    return collector.articles, report.lines()


# -- proposals (commands pushed by seats) ---------------------------------------------


def apply_kb_command(tx: Tx, command: str, args: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Run a KB command; returns the proposal as stored."""
    require_permission(command, actor)
    proposal_id = args.get("proposal_id")
    if not isinstance(proposal_id, str) or not proposal_id.strip():
        raise ValidationError("proposal_id", "缺少知识提案编号", "the proposal id is missing")
    p = schema.kb_proposals
    if command == "propose_article":
        article = args.get("article")
        if not isinstance(article, dict):
            raise ValidationError("article", "缺少知识条目内容", "the article is missing")
        draft = validate_article({"id": article.get("id") or f"KB-P-{proposal_id}", **article})
        row = {
            "proposal_id": proposal_id,
            "unit": actor.unit,
            "user": actor.user,
            "status": "pending",
            "article_id": draft["id"],
            "data": dumps(draft),
            "created_at": tx.now,
            "reason": str(args.get("reason") or ""),
        }
        if not tx.db.insert_ignore(tx.conn, p, row):
            raise ValidationError(
                "proposal_id", f"知识提案 {proposal_id} 已存在", f"proposal {proposal_id} exists"
            )
        return _emit_proposal(tx, proposal_id)
    current = tx.conn.execute(
        tx.db.for_update(select(p).where(p.c.proposal_id == proposal_id))
    ).first()
    if current is None:
        raise ValidationError(
            "proposal_id", f"没有知识提案 {proposal_id}", f"no proposal {proposal_id}"
        )
    if current.status != "pending":
        raise InvalidTransition(
            f"知识提案 {proposal_id} 已处理（{current.status}）",
            f"proposal {proposal_id} was already decided ({current.status})",
        )
    values: dict[str, Any] = {"decided_at": tx.now, "decided_by": actor.user}
    if command == "publish_article":
        raw_edits = args.get("article")
        edits: dict[str, Any] = raw_edits if isinstance(raw_edits, dict) else {}
        published = put_article(tx, {**json.loads(current.data), **edits}, actor.user)
        values.update(status="published", article_id=published["id"])
    else:
        reason = str(args.get("reason") or "").strip()
        if not reason:
            raise ValidationError("reason", "请填写退回理由", "give a reason")
        values.update(status="rejected", reason=reason)
    tx.conn.execute(update(p).where(p.c.proposal_id == proposal_id).values(**values))
    return _emit_proposal(tx, proposal_id)


def _emit_proposal(tx: Tx, proposal_id: str) -> dict[str, Any]:
    p = schema.kb_proposals
    row = tx.conn.execute(select(p).where(p.c.proposal_id == proposal_id)).one()
    data = {
        "proposal_id": row.proposal_id,
        "unit": row.unit,
        "user": row.user,
        "status": row.status,
        "article_id": row.article_id,
        "article": json.loads(row.data),
        "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": row.decided_by,
        "reason": row.reason,
    }
    tx.emit(Change("kb_proposal", proposal_id, data, units=(row.unit,) if row.unit else ()))
    return data
