"""The `workstation admin` commands against a SQLite file (the same code serves PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_admin_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path / "data"))
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert run(capsys, "admin", "init", "--db", db)[0] == 0
    units = tmp_path / "units.jsonl"
    units.write_text(
        "\n".join(
            json.dumps(u, ensure_ascii=False)
            for u in [
                {"code": "U001", "name": "汇龙镇", "leader": ""},
                {"code": "U002", "name": "南阳镇"},
            ]
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "admin", "load-units", str(units), "--db", db)
    assert code == 0 and "2 added or changed" in out
    units.write_text(
        json.dumps({"code": "U001", "name": "汇龙镇", "leader": "王明"}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert "1 added or changed" in run(capsys, "admin", "load-units", str(units), "--db", db)[1]
    monkeypatch.setenv("WORKSTATION_PASSWORD", "pw")
    assert (
        run(capsys, "admin", "add-user", "u1", "--role", "unit", "--unit", "U001", "--db", db)[0]
        == 0
    )
    code, _, err = run(
        capsys, "admin", "add-user", "u2", "--role", "unit", "--unit", "NOPE", "--db", db
    )
    assert code == 1 and "NOPE" in err
    assert run(capsys, "admin", "add-user", "u1", "--role", "agent", "--db", db)[0] == 1  # exists
    code, token, err = run(capsys, "admin", "enroll-seat", "S07", "--db", db)
    assert code == 0 and len(token.strip()) >= 40 and "QD-S07" in err
    assert run(capsys, "admin", "enroll-seat", "S07", "--db", db)[0] == 1
    assert run(capsys, "admin", "revoke-seat", "S07", "--db", db)[0] == 0
    assert run(capsys, "admin", "revoke-seat", "S99", "--db", db)[0] == 1
    assert run(capsys, "admin", "revoke-user", "u1", "--db", db)[0] == 0
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        json.dumps({"id": "K1", "title": "t", "body": "b"}) + "\n{bad\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "admin", "kb-import", str(kb), "--db", db)
    assert code == 0 and "1 articles" in out and "skipped" in err
    code, out, _ = run(
        capsys, "admin", "run-jobs", "--now", "2026-03-02T09:00:00+08:00", "--db", db
    )
    assert code == 0 and "urge=0" in out
    code, out, _ = run(capsys, "admin", "export", "--json", "--db", db)
    assert code == 0 and json.loads(out) == {"orders": [], "contacts": []}

    from central.db import Database

    stored = Database(db)
    with stored.read() as conn:
        hashes = [r[0] for r in conn.exec_driver_sql("SELECT token_hash FROM seats")]
        pw = [r[0] for r in conn.exec_driver_sql("SELECT password_hash FROM users")]
    assert token.strip() not in hashes and len(hashes[0]) == 64
    assert pw[0].startswith("$argon2")


def test_export_lists_orders_with_events_and_contacts(
    api, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    api.dispatch("QD-S01-0001")
    api.do(
        "agent1", "answer_contact", None, contact_id="C-9", content="q", type="consultation",
        explanation="a",
    )  # fmt: skip
    records = list(api.store.export())
    assert records[0]["order"]["order_id"] == "QD-S01-0001"
    assert records[0]["order"]["events"][0]["kind"] == "dispatched"
    assert records[0]["contacts"][0]["contact_id"] == "C-QD-S01-0001"
    assert records[1] == {"kind": "contact", "contact": records[1]["contact"]}
