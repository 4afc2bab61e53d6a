"""The seat works fully offline: schema, one-transaction actions, outbox, views, login."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

import pytest
from argon2 import PasswordHasher

from offline_cache.db import SCHEMA_VERSION, SeatDB
from offline_cache.services import SeatServices
from offline_cache.session import LoginFailed
from tests.offline_cache.conftest import FORM
from tests.offline_cache.helpers import pull_page, push_results
from workstation.errors import AlreadySigned, NotPermitted, ValidationError
from workstation.intake_form import IntakeForm
from workstation.seat_api import SeatChange


def test_database_is_wal_full_sync_and_versioned(seat):
    s = seat()
    conn = s.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert s.db.get_meta("schema_version") == str(SCHEMA_VERSION)
    again = SeatDB(s.db.path)  # migrating twice is a no-op
    assert again.get_meta("schema_version") == str(SCHEMA_VERSION)
    again.close()


def test_coexists_with_kb_tables(seat):
    s = seat()
    s.db.conn.execute("CREATE TABLE kb_articles (id TEXT PRIMARY KEY)")
    s.db.conn.execute("PRAGMA user_version=42")  # kb_index may use it: we do not
    s.close()
    reopened = SeatServices.open(s.data_dir)
    assert reopened.db.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert reopened.db.scalar("SELECT COUNT(*) FROM kb_articles") == 0
    reopened.close()


def test_dispatch_is_one_transaction_with_outbox_and_view(seat):
    s = seat()
    number = s.dispatch(IntakeForm.parse(FORM))
    assert re.fullmatch(r"QD-S07-\d{4}-0001", number)
    order = s.order(number)
    assert order is not None and order.state.value == "dispatched" and order.unit == "U001"
    rows = s.db.query("SELECT * FROM outbox")
    assert len(rows) == 1
    row = rows[0]
    assert row["command"] == "dispatch" and row["order_id"] == number
    assert row["mutation_id"] == 1 and row["user"] == "agent1" and row["seat"] == "S07"
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", row["op_id"]
    )
    history = s.caller_history("13912346025")
    assert [h.order_id for h in history] == [number] and history[0].pending
    intake = s.my_intake_history()
    assert intake[0].order_id == number and intake[0].outcome == "dispatched"
    assert s.status().pending == 1


def test_refused_action_writes_nothing(seat):
    s = seat()
    with pytest.raises(ValidationError) as err:
        s.dispatch(IntakeForm.parse({**FORM, "content": "  "}))
    assert err.value.field == "content"
    assert s.db.scalar("SELECT COUNT(*) FROM outbox") == 0
    assert s.db.scalar("SELECT COUNT(*) FROM orders") == 0
    number = s.dispatch(IntakeForm.parse(FORM))
    assert number.endswith("-0001")  # the refused attempt used no number


def test_mutation_ids_and_numbers_increase_across_restarts(seat, tmp_path):
    s = seat("a")
    first = [s.dispatch(IntakeForm.parse(FORM)) for _ in range(3)]
    # acknowledged rows may be pruned one day: the counter must not go back
    s.db.conn.execute("DELETE FROM outbox")
    s.close()
    s2 = SeatServices.open(tmp_path / "a")
    second = s2.dispatch(IntakeForm.parse(FORM))
    assert s2.db.scalar("SELECT mutation_id FROM outbox") == 4
    assert second not in first and second.endswith("-0004")
    s2.close()


def test_unit_user_signs_and_replies_offline(seat):
    agent = seat("desk")
    number = agent.dispatch(IntakeForm.parse(FORM))
    snap = json.loads(agent.db.scalar("SELECT snapshot FROM orders"))
    unit = seat("unit", user="u1", role="unit", unit="U001", seat="S09")
    pull_page(
        unit,
        0,
        {
            "changes": [{"seq": 1, "entity": "order", "key": number, "op": "upsert", "data": snap}],
            "cursor": 1,
            "has_more": False,
        },
    )
    inbox = unit.unit_inbox()
    assert [r.bucket for r in inbox] == ["new"] and inbox[0].working_days_left is not None
    unit.order_command(number, "sign", {})
    with pytest.raises(AlreadySigned):
        unit.order_command(number, "sign", {})
    order = unit.order_command(number, "reply", {"result": "已协调施工单位整改"})
    assert order.state.value == "replied" and order.version == 3
    assert [r["command"] for r in unit.db.query("SELECT command FROM outbox")] == ["sign", "reply"]
    with pytest.raises(NotPermitted):
        agent.order_command(number, "sign", {})


def test_rejection_becomes_a_problem_and_view_falls_back(seat):
    unit = seat("unit", user="u1", role="unit", unit="U001")
    agent = seat("desk")
    number = agent.dispatch(IntakeForm.parse(FORM))
    snap = json.loads(agent.db.scalar("SELECT snapshot FROM orders"))
    pull_page(
        unit,
        0,
        {
            "changes": [{"seq": 1, "entity": "order", "key": number, "op": "upsert", "data": snap}],
            "cursor": 1,
            "has_more": False,
        },
    )
    unit.order_command(number, "sign", {})
    assert unit.order(number).state.value == "signed"
    op = unit.db.scalar("SELECT op_id FROM outbox")
    reason = {"code": "already_signed", "zh": "已被其他座席签收", "en": "already signed"}
    push_results(
        unit,
        {
            "last_mutation_id": 1,
            "results": [
                {
                    "op_id": op,
                    "mutation_id": 1,
                    "status": "rejected",
                    "reason": reason,
                    "order": snap,
                }
            ],
        },
    )
    assert unit.order(number).state.value == "dispatched"
    problems = unit.problems()
    assert len(problems) == 1 and problems[0].reason["code"] == "already_signed"
    assert problems[0].command == "sign" and unit.status().pending == 0
    unit.dismiss_problem(op)
    assert unit.problems() == []


def test_pull_page_and_cursor_commit_together(seat, monkeypatch):
    s = seat()
    number = s.dispatch(IntakeForm.parse(FORM))
    snap = json.loads(s.db.scalar("SELECT snapshot FROM orders"))
    page: dict[str, Any] = {
        "changes": [
            {
                "seq": 5,
                "entity": "unit",
                "key": "U001",
                "op": "upsert",
                "data": {"code": "U001", "name": "汇龙镇"},
            },
            {
                "seq": 6,
                "entity": "order",
                "key": "X-1",
                "op": "upsert",
                "data": {"order_id": "X-1"},
            },
        ],
        "cursor": 6,
        "has_more": False,
    }
    with pytest.raises(KeyError):  # a snapshot without its fields, half-way through the page
        pull_page(s, 0, page)
    assert s.db.get_meta("cursor") is None  # nothing of the page, no cursor
    assert s.db.scalar("SELECT COUNT(*) FROM units") == 0
    page["changes"][1] = {
        "seq": 6,
        "entity": "order",
        "key": number,
        "op": "upsert",
        "data": {**snap, "version": 1},
    }
    pull_page(s, 0, page)
    assert s.db.get_meta("cursor") == "6" and s.unit("U001").name == "汇龙镇"
    assert s.order(number).state.value == "dispatched"  # pending dispatch not doubled
    assert pull_page(s, 0, page) == []  # an old cursor: page already applied


def test_offline_login_uses_cached_hash_only(seat):
    s = seat()
    stored = s.db.scalar("SELECT password_hash FROM users WHERE user='agent1'")
    # A hash of the password, never the password: its random salt and digest may well
    # contain the two letters "pw", so check what it verifies rather than what it contains.
    assert stored.startswith("$argon2") and PasswordHasher().verify(stored, "pw")
    with pytest.raises(LoginFailed):
        s.login("agent1", "wrong")
    with pytest.raises(LoginFailed):
        s.login("stranger", "pw")
    assert s.login("agent1", "pw").online is False


def test_pending_commands_keep_their_user(seat):
    s = seat()
    s.dispatch(IntakeForm.parse(FORM))
    offline_seat_user2 = seat("seat", user="agent2")  # same DB, another user logs in
    offline_seat_user2.dispatch(IntakeForm.parse(FORM))
    users = [
        r["user"]
        for r in offline_seat_user2.db.query("SELECT user FROM outbox ORDER BY mutation_id")
    ]
    assert users == ["agent1", "agent2"]


def test_answer_reject_link_and_drafts(seat):
    s = seat()
    cid = s.answer(
        IntakeForm.parse({"type": "consultation", "content": "公积金怎么提取"}), ["KB-1"]
    )
    rid = s.reject(IntakeForm.parse({"content": "着火了"}), "emergency", "请拨打119", "119")
    number = s.dispatch(IntakeForm.parse(FORM))
    lid = s.link(IntakeForm.parse({"content": "又来电催问", "caller_phone": "13912346025"}), number)
    assert s.order(number).contact_ids[-1] == lid
    outcomes = {c.contact_id: c.outcome for c in s.my_intake_history()}
    assert outcomes[cid] == "answered" and outcomes[rid] == "rejected" and outcomes[lid] == "linked"
    s.save_draft("intake", {"content": "半句话"})
    assert s.load_draft("intake") == {"content": "半句话"}
    s.clear_draft("intake")
    assert s.load_draft("intake") is None
    assert [r["mutation_id"] for r in s.db.query("SELECT mutation_id FROM outbox")] == [1, 2, 3, 4]


def test_supervision_board_and_callback_queue(seat):
    s = seat(role="supervisor")
    number = s.dispatch(IntakeForm.parse(FORM))
    s.order_command(number, "recall", {"reason": "重复件"})
    assert s.order(number).state.value == "recalled"
    board = s.supervision_board()
    assert board.overdue == [] and board.extension_requests == []
    assert s.callback_queue() == []


def test_listener_hears_local_writes(seat):
    s = seat()
    heard: list[SeatChange] = []
    s.add_listener(heard.append)
    number = s.dispatch(IntakeForm.parse(FORM))
    assert heard == [SeatChange("local_write", (number,))]


def test_database_file_is_plain_sqlite(seat):
    s = seat()
    s.dispatch(IntakeForm.parse(FORM))
    other = sqlite3.connect(s.db.path)
    assert other.execute("SELECT COUNT(*) FROM outbox WHERE status='pending'").fetchone()[0] == 1
    other.close()


def test_seat_refuses_what_the_server_would_refuse_before_the_outbox(seat):
    """The wire models check args on the seat too: nothing is written when they refuse."""
    agent = seat("desk")
    with pytest.raises(ValidationError) as info:
        agent.dispatch(IntakeForm.parse({**FORM, "confidential": "no"}))
    assert info.value.field == "confidential"
    with pytest.raises(ValidationError) as info:
        agent.dispatch(IntakeForm.parse({**FORM, "address": "路" * 5000}))
    assert info.value.field == "address"
    assert agent.db.scalar("SELECT COUNT(*) FROM outbox") == 0
    assert agent.db.scalar("SELECT COUNT(*) FROM orders") == 0
    assert agent.db.get_meta("order_counter") is None
    number = agent.dispatch(IntakeForm.parse(FORM))
    with pytest.raises(ValidationError) as info:
        agent.order_command(
            number, "link_contact", {"contact_id": "C-9", "content": "又来电", "note": "x"}
        )
    assert info.value.field == "note"
    assert agent.db.scalar("SELECT COUNT(*) FROM outbox") == 1


def test_local_command_view_equals_the_replayed_view(seat):
    """One workflow run per local command: its view is what replaying the outbox gives."""
    from offline_cache.order_view import rebuild_order

    unit = seat("unit", user="u1", role="unit", unit="U001", seat="S09")
    agent = seat("desk")
    number = agent.dispatch(IntakeForm.parse(FORM))
    snap = json.loads(agent.db.scalar("SELECT snapshot FROM orders"))
    pull_page(
        unit,
        0,
        {
            "changes": [{"seq": 1, "entity": "order", "key": number, "op": "upsert", "data": snap}],
            "cursor": 1,
        },
    )
    unit.order_command(number, "sign", {})
    unit.order_command(number, "reply", {"result": "已整改"})
    for s in (agent, unit):
        before = s.db.query("SELECT * FROM orders WHERE order_id=?", (number,))
        with s.db.transaction() as conn:
            rebuild_order(conn, number, s.context())
        assert s.db.query("SELECT * FROM orders WHERE order_id=?", (number,)) == before
