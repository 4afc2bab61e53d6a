"""REST management of knowledge-base articles (supervisors and admins write; all read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from central.accounts import Session
from central.api_models import ArticleIn, ArticleOut, Deleted, error_responses
from central.auth import SessionDep, StoreDep, require_roles
from central.errors import NotFound
from central.kb import delete_article, get_article, put_article
from central.kb_vectors import embed_status
from workstation.models import Role

router = APIRouter(prefix="/api/v1/kb", tags=["kb"])

ArticleId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
Editor = Annotated[Session, Depends(require_roles(Role.SUPERVISOR, Role.ADMIN))]


@router.get(
    "/articles/{article_id}", response_model=ArticleOut, responses=error_responses(401, 404, 422)
)
def read_article(article_id: ArticleId, store: StoreDep, session: SessionDep) -> dict:  # type: ignore[type-arg]
    with store.db.read() as conn:
        article = get_article(conn, article_id)
    if article is None:
        raise NotFound(f"没有知识条目 {article_id}", f"no article {article_id}")
    return article


@router.put(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses=error_responses(401, 403, 413, 422),
)
def write_article(article_id: ArticleId, body: ArticleIn, store: StoreDep, editor: Editor) -> dict:  # type: ignore[type-arg]
    """Create or replace an article; seats receive it as a ``kb_article`` change."""
    with store.transaction() as tx:
        return put_article(tx, {"id": article_id, **body.model_dump()}, editor.user.name)


@router.delete(
    "/articles/{article_id}", response_model=Deleted, responses=error_responses(401, 403, 404, 422)
)
def remove_article(article_id: ArticleId, store: StoreDep, editor: Editor) -> Deleted:
    """Delete an article: a tombstone change tells the seats to drop it."""
    with store.transaction() as tx:
        version = delete_article(tx, article_id, editor.user.name)
    return Deleted(id=article_id, version=version, deleted=True)


class VectorStatusOut(BaseModel):
    """The embed job's progress: ``current`` of ``articles`` have an up-to-date vector."""

    version: str
    articles: int
    current: int
    pending: int
    running: bool


@router.get("/vectors", response_model=VectorStatusOut, responses=error_responses(401, 403))
def vector_status(store: StoreDep, editor: Editor) -> dict:  # type: ignore[type-arg]
    """Where the article vectors stand (the embed job, ``central.kb_vectors``)."""
    return embed_status(store).to_dict()
