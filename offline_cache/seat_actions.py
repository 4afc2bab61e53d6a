"""What a person does at a seat, each as ONE local transaction: check with the domain
rules (nothing is written when they refuse), then the optimistic view, the contact record
and the outbox command with its mutation id. ``SeatServices`` composes one
:class:`SeatActions` and hands it what it needs: the database, the settings, the current
session, the clock, the rules' context and what to do after a commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from offline_cache.db import SeatDB, get_meta, set_meta
from offline_cache.ids import order_number, uuid7
from offline_cache.order_view import append_command, upsert_contact, upsert_entity, write_order_row
from workstation.errors import DomainError
from workstation.models import Actor

if TYPE_CHECKING:
    from workstation.config import Settings
    from workstation.intake_form import IntakeForm
    from workstation.orders import WorkOrder
    from workstation.rule_checks import Context
    from workstation.seat_api import SeatInfo, Session


class PublicationRefused(DomainError):
    """The order cannot be published or withheld now (不能公开), with the reason."""

    code = "publication_refused"


def read_order(db: SeatDB, order_id: str) -> WorkOrder | None:
    """The order as the seat sees it (server state + pending commands)."""
    from workstation.orders import from_snapshot

    raw = db.scalar("SELECT snapshot FROM orders WHERE order_id=?", (order_id,))
    return from_snapshot(json.loads(raw)) if raw else None


class SeatActions:
    """Intake, order commands, KB proposals and drafts on the seat's database."""

    def __init__(
        self,
        db: SeatDB,
        settings: Settings,
        session: Callable[[], Session | None],
        *,
        clock: Callable[[], datetime],
        context: Callable[[], Context],
        after_write: Callable[[list[str]], None],
    ) -> None:
        self.db = db
        self.settings = settings
        self._session = session
        self.now = clock
        self.context = context
        self._after_write = after_write

    def seat(self) -> SeatInfo | None:
        from offline_cache.session import seat_info

        return seat_info(self.db)

    def actor(self) -> Actor:
        """Who acts: the logged-in user at this seat; ``LoginRequired`` when nobody is."""
        from offline_cache.session import LoginRequired

        session = self._session()
        if session is None:
            raise LoginRequired("请先登录", "log in first")
        info = self.seat()
        return Actor(session.user, session.role, session.unit, info.seat if info else None)

    def order(self, order_id: str) -> WorkOrder | None:
        return read_order(self.db, order_id)

    # ------------------------------------------------------------------------

    def new_contact_id(self) -> str:
        return f"C-{uuid7()}"

    def _form_args(self, form: IntakeForm) -> dict[str, Any]:
        args = form.to_args()
        args["contact_id"] = form.contact_id or self.new_contact_id()
        return args

    def _contact(self, command: str, args: dict[str, Any], actor: Actor, now: datetime) -> Any:
        from workstation.contacts import build_contact, contact_to_dict

        return contact_to_dict(build_contact(command, args, actor, now))

    def dispatch(self, form: IntakeForm) -> str:
        """Create a work order (派单); returns its readable number, e.g. QD-S07-2611-0042."""
        from workstation.workflow import execute

        actor, now, ctx = self.actor(), self.now(), self.context()
        args = self._form_args(form)
        info = self.seat()
        prefix = info.prefix if info else f"{self.settings.order_prefix}-LOCAL"
        with self.db.transaction() as conn:
            counter = int(get_meta(conn, "order_counter") or 0) + 1
            number = order_number(prefix, now, counter)
            order, _ = execute(None, "dispatch", args, actor, now, ctx, order_id=number)
            contact = self._contact("dispatch", {**args, "order_id": number}, actor, now)
            set_meta(conn, "order_counter", counter)
            row = append_command(
                conn,
                command="dispatch",
                args=args,
                actor=actor,
                now=now,
                order_id=number,
                base_version=None,
            )
            upsert_contact(conn, contact, pending=True, op_id=row["op_id"])
            write_order_row(conn, order, pending=True)  # the view just computed
        self._after_write([number])
        return number

    def _contact_command(self, command: str, args: dict[str, Any]) -> str:
        actor, now = self.actor(), self.now()
        contact = self._contact(command, args, actor, now)
        with self.db.transaction() as conn:
            row = append_command(
                conn, command=command, args=args, actor=actor, now=now, order_id=None,
                base_version=None,
            )  # fmt: skip
            upsert_contact(conn, contact, pending=True, op_id=row["op_id"])
        self._after_write([])
        return str(args["contact_id"])

    def answer(self, form: IntakeForm, article_ids: list[str], answer_text: str = "") -> str:
        """Answer a consultation on the call from the KB (直接答复办结); returns the contact id."""
        args = {**self._form_args(form), "article_ids": list(article_ids)}
        args["explanation"] = answer_text
        return self._contact_command("answer_contact", args)

    def reject(
        self, form: IntakeForm, reason: str, explanation: str, transfer_to: str | None
    ) -> str:
        """Log a contact that is not accepted (不予受理) with the agent's explanation."""
        args = {**self._form_args(form), "reason": reason, "explanation": explanation}
        args["transfer_to"] = transfer_to
        return self._contact_command("reject_contact", args)

    def link(self, form: IntakeForm, order_id: str) -> str:
        """Join a repeat call to the open order about the same matter (关联工单)."""
        args = self._form_args(form)
        self.order_command(order_id, "link_contact", args, contact=True)
        return str(args["contact_id"])

    def order_command(
        self, order_id: str, command: str, args: dict[str, Any], contact: bool = False
    ) -> WorkOrder:
        """Sign, return, reply, … on an order: checked locally, then one local transaction."""
        from workstation.workflow import execute

        actor, now, ctx = self.actor(), self.now(), self.context()
        args = dict(args)
        with self.db.transaction() as conn:
            current = self.order(order_id)
            order, _ = execute(current, command, args, actor, now, ctx, order_id=order_id)
            record = None
            if contact:
                record = self._contact(command, {**args, "order_id": order_id}, actor, now)
            row = append_command(
                conn,
                command=command,
                args=args,
                actor=actor,
                now=now,
                order_id=order_id,
                base_version=current.version if current else None,
            )
            if record is not None:
                upsert_contact(conn, record, pending=True, op_id=row["op_id"])
            write_order_row(conn, order, pending=True)  # the view just computed
        self._after_write([order_id])
        return order

    def propose_article(self, article: dict[str, Any], policy_basis: str) -> str:
        """A unit proposes a KB article (提交知识); the supervision center publishes it."""
        from workstation.errors import ValidationError
        from workstation.permissions import require_permission

        actor, now = self.actor(), self.now()
        require_permission("propose_article", actor)
        if not str(article.get("title") or "").strip():
            raise ValidationError("title", "请填写标题", "the title is required")
        if not policy_basis.strip():
            raise ValidationError("policy_basis", "请填写政策依据", "the policy basis is required")
        proposal_id = f"P-{uuid7()}"
        args = {
            "proposal_id": proposal_id,
            "article": article,
            "policy_basis": policy_basis,
            "reason": policy_basis,
        }
        with self.db.transaction() as conn:
            append_command(
                conn, command="propose_article", args=args, actor=actor, now=now,
                order_id=None, base_version=None,
            )  # fmt: skip
            data = {
                **args,
                "reason": policy_basis,
                "status": "pending",
                "unit": actor.unit,
                "_pending": True,
            }
            upsert_entity(conn, "kb_proposal", proposal_id, data)
        self._after_write([])
        return proposal_id

    def review_proposal(self, proposal_id: str, publish: bool, comment: str = "") -> None:
        from workstation.permissions import require_permission

        command = "publish_article" if publish else "reject_proposal"
        actor, now = self.actor(), self.now()
        require_permission(command, actor)
        args = {"proposal_id": proposal_id, "comment": comment}
        with self.db.transaction() as conn:
            append_command(
                conn, command=command, args=args, actor=actor, now=now, order_id=None,
                base_version=None,
            )  # fmt: skip
            raw = conn.execute(
                "SELECT data FROM entities WHERE entity='kb_proposal' AND key=?", (proposal_id,)
            ).fetchone()
            if raw:
                data = json.loads(raw[0])
                data.update(status="published" if publish else "rejected", _pending=True)
                upsert_entity(conn, "kb_proposal", proposal_id, data)
        self._after_write([])

    def set_publication(self, order_id: str, published: bool) -> None:
        """Publish a closed order on the citizens' page, or withhold it (公开 / 不公开).

        The supervision center decides; a confidential order (保密) is never published.
        The seat shows the decision at once (entity ``publication``, pending until the
        server's change replaces it); the server checks the same rules again."""
        from workstation.errors import ValidationError
        from workstation.models import OrderState, Role

        actor, now = self.actor(), self.now()
        if actor.role is not Role.SUPERVISOR:
            raise PublicationRefused(
                "只有督查中心可以决定是否公开", "only the supervision center decides publication"
            )
        order = self.order(order_id)
        if order is None:
            raise ValidationError("order_id", f"没有工单 {order_id}", f"no order {order_id}")
        if order.state is not OrderState.CLOSED:
            raise PublicationRefused(
                "只有已办结的工单可以公开", "only closed orders can be published"
            )
        if published and order.confidential:
            raise PublicationRefused(
                "来电人要求保密，此工单不能公开",
                "the caller asked for confidentiality: this order is never published",
            )
        args = {"order_id": order_id, "published": bool(published)}
        with self.db.transaction() as conn:
            append_command(
                conn, command="set_publication", args=args, actor=actor, now=now,
                order_id=order_id, base_version=None,
            )  # fmt: skip
            data = {**args, "_pending": True}
            upsert_entity(conn, "publication", order_id, data)
        self._after_write([order_id])

    # -- drafts -------------------------------------------------------------------------

    def save_draft(self, key: str, data: dict[str, Any]) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO drafts(key, data, saved_at) VALUES (?, ?, ?)",
                (key, json.dumps(data, ensure_ascii=False, default=str), self.now().isoformat()),
            )

    def load_draft(self, key: str) -> dict[str, Any] | None:
        raw = self.db.scalar("SELECT data FROM drafts WHERE key=?", (key,))
        return json.loads(raw) if raw else None

    def clear_draft(self, key: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM drafts WHERE key=?", (key,))
