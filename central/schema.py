"""The central server's tables: one SQLAlchemy ``MetaData`` for SQLite and PostgreSQL.

Documents (order snapshots, events, contacts, articles) are stored as JSON text so the
same schema works on both databases; the columns beside them are what queries filter on.
Times are timezone-aware UTC (:class:`UTCDateTime`) so comparisons agree on both.
A change here needs a new frozen migration in ``central/migrations`` (docs/migrations.md);
a test fails until the migrations' head equals these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; SQLite stores them as naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

change_counter = Table(
    "change_counter",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
)
"""One row; every writing transaction bumps it, so commits happen in seq order."""

changes = Table(
    "changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entity", String(32), nullable=False),
    Column("key", String(200), nullable=False),
    Column("op", String(10), nullable=False),
    Column("data", Text, nullable=False),
    Column("everyone", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""The change feed pulled by seats. ``everyone``: visible to unit users too (units, KB)."""

change_units = Table(
    "change_units",
    metadata,
    Column("unit", String(80), nullable=False),
    Column("seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit", "seq"),
)
"""The scope keys of a change (``unit`` holds a key, not only a unit code): ``*``
everyone, ``unit:U001`` a unit's users, ``seat:S01`` / ``user:alice`` the seat and user
that made it, ``intake`` every agent's triage queue. A change with no key is for the board
(supervisors, callback operators, admins) only; the board reads every change."""

counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
"""Named counters, e.g. notice numbers per kind and year."""

units = Table(
    "units",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("leader", String(200), nullable=False, default=""),
    Column("data", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("unit", String(32), nullable=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)

seats = Table(
    "seats",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("prefix", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user", String(64), nullable=False),
    Column("seat", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("session_id", String(64), nullable=True),
    Column("command_key", String(64), nullable=True),
    Column("key_expires_at", UTCDateTime, nullable=True),
    Index("ux_sessions_session_id", "session_id", unique=True),
)
"""Login sessions: the bearer token (digest) for requests, and the command key (hex) that
signs this user's commands (``session_id`` names it in a command; docs/sync-protocol.md).
The key outlives the bearer token (``key_expires_at``) so commands queued offline still
sync; ``revoked`` ends both."""

seat_logins = Table(
    "seat_logins",
    metadata,
    Column("user", String(64), nullable=False),
    Column("seat", String(32), nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("user", "seat"),
)
"""Who logged in where: a pushed command's user must have logged in on its seat."""

auth_events = Table(
    "auth_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),  # login, login_failed, lockout
    Column("user", String(64), nullable=False),  # the name tried, known or not
    Column("address", String(64), nullable=False),
    Column("seat", String(32), nullable=True),
    Column("until", UTCDateTime, nullable=True),  # a lockout's end
    Column("detail", String(200), nullable=False, default=""),
    Index("ix_auth_events_user_at", "user", "at"),
    Index("ix_auth_events_address_at", "address", "at"),
    Index("ix_auth_events_at", "at"),  # pruning (revision 0005)
)
"""The login audit: each login, failure and lockout; throttling counts failures here, so
every server process sees the same count (``central.login_guard``)."""

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("bucket", String(200), nullable=False),
    Column("window_start", BigInteger, nullable=False),  # epoch seconds
    Column("hits", Integer, nullable=False),
    Column("expires_at", BigInteger, nullable=False),  # epoch seconds: prunable from then
    PrimaryKeyConstraint("bucket", "window_start"),
    Index("ix_rate_buckets_expires_at", "expires_at"),
)
"""Request counts per bucket and window, shared by all server processes
(``central.rate_limit``: Open311 posts, the citizen pages)."""

clients = Table(
    "clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("seat", String(32), nullable=False),
    Column("last_mutation_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

mutations = Table(
    "mutations",
    metadata,
    Column("client_id", String(64), nullable=False),
    Column("mutation_id", BigInteger, nullable=False),
    Column("op_id", String(64), nullable=False),
    Column("user", String(64), nullable=False),
    Column("command", String(40), nullable=False),
    Column("status", String(10), nullable=False),
    Column("result", Text, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
    Column("proof", String(64), nullable=True),
    PrimaryKeyConstraint("client_id", "mutation_id"),
    Index("ux_mutations_op_id", "op_id", unique=True),
)
"""The stored result of every pushed command, returned on a replay that carries the same
proof, filtered for the reader. An ``op_id`` is applied once: a second use is refused (its
mutation id consumed, no row stored)."""

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", String(24), nullable=False),
    Column("type", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("co_units", Text, nullable=False, default="[]"),
    Column("caller_phone", String(64), nullable=False, default=""),
    Column("confidential", Boolean, nullable=False, default=False),
    Column("leader_instructed", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("dispatched_at", UTCDateTime, nullable=False),
    Column("deadline", UTCDateTime, nullable=False),
    Column("signed_at", UTCDateTime, nullable=True),
    Column("replied_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("urged_at", UTCDateTime, nullable=True),
    Column("criticised", Boolean, nullable=False, default=False),
    Column("next_callback_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("snapshot", Text, nullable=False),
    Index("ix_orders_state_deadline", "state", "deadline"),
    Index("ix_orders_caller_phone", "caller_phone"),
    Index("ix_orders_state_closed_at", "state", "closed_at"),
)

order_units = Table(
    "order_units",
    metadata,
    Column("unit", String(32), nullable=False),
    Column("order_id", String(64), nullable=False),
    PrimaryKeyConstraint("unit", "order_id"),
)
"""The handling unit and co-handlers of each order, for scope-filtered reads."""

order_events = Table(
    "order_events",
    metadata,
    Column("order_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("unit", String(32), nullable=True),
    Column("seat", String(32), nullable=True),
    Column("event", Text, nullable=False),
    PrimaryKeyConstraint("order_id", "seq"),
    Index("ix_order_events_kind_at", "kind", "at"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("contact_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=True, index=True),
    Column("outcome", String(16), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("seat", String(32), nullable=True),
    Column("agent", String(64), nullable=True),
    Column("caller_phone", String(64), nullable=False, default=""),
    Column("data", Text, nullable=False),
    Index("ix_contacts_caller_phone", "caller_phone", "received_at"),
)

notices = Table(
    "notices",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("serial", Integer, nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    Column("unit", String(32), nullable=False, index=True),
    Column("copied_to", String(200), nullable=False, default=""),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("text", Text, nullable=False),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("queue", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", UTCDateTime, nullable=True),
    Column("announced_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Callback tasks (回访) per order; ``announced_at``: the due time last sent to seats."""

kb_articles = Table(
    "kb_articles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)

kb_vectors = Table(
    "kb_vectors",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("version", String(64), nullable=False),
    Column("text_hash", String(32), nullable=False),
    Column("article_version", Integer, nullable=False),
    Column("vec", LargeBinary, nullable=False),
    Column("made_at", UTCDateTime, nullable=False),
)
"""An article's vector (int8) as the embed job made it (``central.kb_vectors``): ``version``
is the encoder's, ``text_hash`` names the text it was made from, ``article_version`` the
article row it was checked against (a newer one is looked at again)."""

kb_proposals = Table(
    "kb_proposals",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("unit", String(32), nullable=True),
    Column("user", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("article_id", String(64), nullable=True),
    Column("data", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("reason", Text, nullable=False, default=""),
)

job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
"""One server process runs the periodic jobs at a time (the others skip a round)."""

assist_models = Table(
    "assist_models",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("bytes", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("metrics", Text, nullable=False),
)
"""Intake-assist models trained from closed orders (``.npz`` bytes); seats download them."""

order_publication = Table(
    "order_publication",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("published", Boolean, nullable=False),
    Column("decided_by", String(64), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
)
"""A supervisor's publish/withhold decision for a closed order on the public answers page
(公开); an order without a row follows ``[web] publish_by_default`` for its type."""

web_lookups = Table(
    "web_lookups",
    metadata,
    Column("contact_id", String(64), primary_key=True),
    Column("code_hash", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""The lookup code (查询码) of a request submitted on the citizen's web page, as a keyed
digest: the follow page (办理进度) shows a request only to whoever holds its code."""

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""Secrets the server makes itself when the configuration names none (``web``: signs the
citizen pages' CSRF tokens and keys the lookup-code digests), shared by every process."""

public_search = Table(
    "public_search",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)
"""A closed order's content and reply, written when it closes: the public list's search
narrows here (a short text, not the whole snapshot), then keeps only what still matches
once masked (``central.web.public_list``)."""

sms_messages = Table(
    "sms_messages",
    metadata,
    Column("message_id", String(128), primary_key=True),
    Column("sender", String(32), nullable=False),
    Column("contact_id", String(64), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
)
"""Inbound SMS by the gateway's message id: one contact per message, retries answer it."""
