"""Request and response bodies of the HTTP API (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workstation.wire.commands import Command
from workstation.wire.sync import (  # noqa: F401 (re-exported for the routes)
    CommandResult,
    PullPage,
    PushRequest,
    PushResponse,
    SlimResult,
)

NO_NUL = r"^[^\x00]*$"


class ErrorBody(BaseModel):
    """Every 4xx/5xx: a code and a message in both languages."""

    model_config = ConfigDict(extra="allow")
    error: str
    zh: str
    en: str


class Health(BaseModel):
    status: str
    schema_version: int
    database: str


class SeatInfo(BaseModel):
    seat: str
    prefix: str
    city: str


class LoginRequest(BaseModel):
    user: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)


class LoginResponse(BaseModel):
    token: str
    user: str
    role: str
    unit: str | None
    display_name: str
    expires_at: str
    session_id: str | None = None
    """Names this login's command key in every command it signs."""
    command_key: str | None = None
    """The command key (hex; shown once): the seat signs this user's commands with it."""
    key_expires_at: str | None = None


# The sync bodies are wire shapes, defined once in the domain (seat and server alike).
CommandIn = Command
PullResponse = PullPage


class OrdersPage(BaseModel):
    orders: list[dict[str, Any]]  # each a workstation.wire.order.OrderSnapshot
    total: int
    limit: int
    offset: int


class OrderDetail(BaseModel):
    order: dict[str, Any]  # a workstation.wire.order.OrderSnapshot
    contacts: list[dict[str, Any]]


class ArticleIn(BaseModel):
    """An article as kb_index stores it; the id comes from the path."""

    model_config = ConfigDict(extra="ignore")
    title: str = Field(min_length=1, max_length=500, pattern=NO_NUL)
    body: str = Field(default="", max_length=200_000, pattern=NO_NUL)
    unit: str = Field(default="", max_length=200, pattern=NO_NUL)
    category: str = Field(default="", max_length=200, pattern=NO_NUL)
    tags: list[str] = Field(default_factory=list, max_length=100)
    updated: str = Field(default="", max_length=64, pattern=NO_NUL)


class ArticleOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    version: int


class Deleted(BaseModel):
    id: str
    version: int
    deleted: bool


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer."""
    text = {
        400: "Bad request",
        401: "Not authenticated (log in again)",
        403: "Not allowed for this user or seat",
        404: "Not found (or not in the caller's scope)",
        409: "Conflict (e.g. a gap in mutation ids)",
        413: "Body too large",
        415: "Unsupported content encoding",
        422: "Malformed request",
        429: "Too many attempts: wait (carries Retry-After)",
        503: "Temporarily unavailable: retry (may carry Retry-After)",
    }
    return {c: {"model": ErrorBody, "description": text[c]} for c in codes}
