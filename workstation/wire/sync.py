"""Push and pull bodies (docs/sync-protocol.md): what a seat sends and what it gets back.

The server serialises its answers through these models (``dump``) and the seat decodes
them with the same models (``PUSH_RESPONSE.validate_json``, ``PullPage``), straight from
the bytes received: decoded once, typed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict

from workstation.wire.commands import Command
from workstation.wire.text import Limits, RequiredId, Wire


class PushRequest(Wire):
    client_id: RequiredId
    commands: list[Command] = Field(max_length=Limits.COMMANDS)


class Reason(BaseModel):
    """Why a command was rejected: a code, both languages, and details (``field``, ...)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    code: str
    zh: str
    en: str


class CommandResult(BaseModel):
    """The full result of one command: the order (as the pusher may see it) or a record."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op_id: str
    mutation_id: int
    status: Literal["applied", "rejected"]
    reason: Reason | None = None
    order: dict[str, Any] | None = None
    record: dict[str, Any] | None = None


class SlimResult(BaseModel):
    """An applied command without its order (``?results=slim``): the pull brings it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op_id: str
    mutation_id: int
    status: Literal["applied"]
    version: int | None = None
    record: dict[str, Any] | None = None


class PushResponse(BaseModel):
    last_mutation_id: int
    # slim first: an applied full result (with ``order``) does not fit it (no ``order``)
    results: list[SlimResult | CommandResult]


class Change(BaseModel):
    """One row of the change feed; ``data`` by entity (``order``: an order snapshot)."""

    seq: int
    entity: str
    key: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any]


class PullPage(BaseModel):
    changes: list[Change]
    cursor: int
    has_more: bool


RESULT = TypeAdapter(CommandResult)
SLIM = TypeAdapter(SlimResult)
PUSH_RESPONSE = TypeAdapter(PushResponse)
PULL_PAGE = TypeAdapter(PullPage)


def dump(model: BaseModel, exclude_none: bool = False) -> str:
    """A model as the compact UTF-8 JSON the server stores and sends."""
    return model.model_dump_json(exclude_none=exclude_none)


# -- bodies with parts serialised earlier ---------------------------------------------------
#
# A push result is serialised once, stored, and sent (and re-sent on a replay) as that same
# text; a change's data is serialised once when it is written and sent to every seat that
# pulls it. The two bodies below are therefore assembled from those texts: each part went
# through its model, and only the list around them is joined here (tests check the whole
# body against ``PushResponse`` and ``PullPage``).


class ChangeHead(TypedDict):
    """A ``Change`` without its data (the serialiser of the pull page's stored parts)."""

    seq: int
    entity: str
    key: str
    op: Literal["upsert", "delete"]


_HEAD = TypeAdapter(ChangeHead).serializer


def push_response_json(last_mutation_id: int, results: list[str]) -> str:
    """A ``PushResponse`` from result texts (``CommandResult`` / ``SlimResult`` JSON)."""
    head = PushResponse(last_mutation_id=last_mutation_id, results=[]).model_dump_json()
    return head[:-3] + "[" + ",".join(results) + "]}"


def pull_page_json(rows: list[tuple[int, str, str, str, str]], cursor: int, more: bool) -> str:
    """A ``PullPage`` from ``(seq, entity, key, op, data JSON)`` rows of the change feed."""
    parts = []
    for seq, entity, key, op, data in rows:
        head = _HEAD.to_json({"seq": seq, "entity": entity, "key": key, "op": op})
        parts.append(head[:-1].decode() + ',"data":' + data + "}")
    tail = PullPage(changes=[], cursor=cursor, has_more=more).model_dump_json()
    return '{"changes":[' + ",".join(parts) + "]" + tail[len('{"changes":[]') :]
