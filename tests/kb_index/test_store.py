"""Versions, deltas, tombstones, coexistence with other tables, importers and the CLI."""

from __future__ import annotations

import json
import sqlite3

import pytest

from kb_index.errors import ImportFailed, InvalidArticle
from kb_index.importers import import_path
from kb_index.knowledge_base import KnowledgeBase
from kb_index.paths import default_db_path

ART = {
    "id": "K1",
    "title": "居住证办理",
    "body": "外来人员居住半年以上可申领居住证。",
    "tags": ["居住证"],
}


def test_versions_deltas_and_tombstones(tmp_path):
    kb = KnowledgeBase(tmp_path / "a.sqlite3")
    v1 = kb.upsert(ART)
    v2 = kb.upsert({**ART, "id": "K2", "title": "护照办理"})
    assert v2 > v1 and kb.max_version() == v2 and kb.count() == 2
    v3 = kb.delete("K1")
    assert v3 == v2 + 1 and kb.get("K1") is None and kb.count() == 1
    assert kb.delete("nope") is None
    changes = kb.changes_since(v1)
    assert [(c["id"], c["version"], c["deleted"]) for c in changes] == [
        ("K2", v2, False),
        ("K1", v3, True),
    ]

    seat = KnowledgeBase(tmp_path / "b.sqlite3")
    assert seat.apply_delta(kb.changes_since(0)) == 2
    k2 = seat.get("K2")
    assert seat.max_version() == v3 and k2 is not None and k2.title == "护照办理"
    assert seat.get("K1") is None
    assert seat.apply_delta(kb.changes_since(0)) == 0  # idempotent
    assert [h.id for h in seat.search("护照")] == ["K2"]


def test_coexists_with_other_tables_in_wal_mode(tmp_path):
    path = tmp_path / "seat.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE outbox (op_id TEXT PRIMARY KEY)")
    conn.commit()
    kb = KnowledgeBase(path)
    kb.upsert(ART)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "outbox" in names and all(n == "outbox" or n.startswith("kb_") for n in names)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    shared = KnowledgeBase(conn)  # an existing connection works too
    k1 = shared.get("K1")
    assert k1 is not None and k1.title == "居住证办理"


def test_invalid_article_is_refused(tmp_path):
    kb = KnowledgeBase(tmp_path / "a.sqlite3")
    with pytest.raises(InvalidArticle):
        kb.upsert({"id": "X"})


def test_default_db_path_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    assert default_db_path() == tmp_path / "seat.sqlite3"
    monkeypatch.delenv("WORKSTATION_DATA_DIR")
    assert default_db_path().name == "seat.sqlite3"


def write_jsonl(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


BAD_JSONL = [
    json.dumps(ART, ensure_ascii=False),
    "{not json",
    json.dumps({"id": "K3", "body": "no title"}),
    json.dumps({**ART, "id": "K4", "title": "护照"}, ensure_ascii=False),
]


def test_jsonl_import_reports_bad_lines_and_imports_the_rest(tmp_path):
    src = tmp_path / "kb.jsonl"
    write_jsonl(src, BAD_JSONL)
    kb = KnowledgeBase(tmp_path / "a.sqlite3")
    report = import_path(kb, src)
    assert report.imported == 2 and [e[1] for e in report.errors] == [2, 3]
    assert kb.count() == 2


def test_strict_import_imports_nothing(tmp_path):
    src = tmp_path / "kb.jsonl"
    write_jsonl(src, BAD_JSONL)
    kb = KnowledgeBase(tmp_path / "a.sqlite3")
    with pytest.raises(ImportFailed):
        import_path(kb, src, strict=True)
    assert kb.count() == 0


def test_csv_and_markdown_import(tmp_path):
    csv_path = tmp_path / "kb.csv"
    csv_path.write_text(
        "id,title,body,unit,category,tags,updated\n"
        "C1,低保申请,收入低于标准可申请,民政局,社会救助,低保;救助,2026-01-01\n"
        "C2,只有两列\n"
        "C3,,没有标题,,,,\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase(tmp_path / "a.sqlite3")
    report = import_path(kb, csv_path)
    assert report.imported == 1 and [e[1] for e in report.errors] == [3, 4]
    c1 = kb.get("C1")
    assert c1 is not None and c1.tags == ("低保", "救助") and c1.unit == "民政局"

    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "m1.md").write_text(
        "---\ntitle: 结婚登记\nunit: U149\ntags:\n  - 结婚\n  - 登记\n---\n双方持身份证和户口簿办理。\n",
        encoding="utf-8",
    )
    (folder / "m2.md").write_text("---\ntitle: 坏文件\nthis line is wrong\n---\n", encoding="utf-8")
    (folder / "m3.md").write_text("# 离婚冷静期\n\n提交申请后三十日内可撤回。\n", encoding="utf-8")
    report = import_path(kb, folder)
    assert report.imported == 2 and report.errors[0][:2] == ("m2.md", 3)
    m1, m3 = kb.get("m1"), kb.get("m3")
    assert m1 is not None and m1.tags == ("结婚", "登记")
    assert m3 is not None and m3.title == "离婚冷静期"


def test_cli_import_and_search(tmp_path, monkeypatch, capsys):
    from hotline.cli import main

    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    src = tmp_path / "kb.jsonl"
    write_jsonl(src, BAD_JSONL)
    assert main(["kb", "import", str(src)]) == 1
    err = capsys.readouterr().err
    assert "kb.jsonl:2" in err and "kb.jsonl:3" in err
    assert main(["kb", "import", str(src), "--strict", "--db", str(tmp_path / "s.db")]) == 1
    assert KnowledgeBase(tmp_path / "s.db").count() == 0

    batch = tmp_path / "q.jsonl"
    write_jsonl(
        batch, [json.dumps({"query": "居住證"}, ensure_ascii=False), json.dumps({"query": " "})]
    )
    assert main(["kb", "search", "--batch", str(batch), "--limit", "2", "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["results"][0]["id"] == "K1" and "ms" in lines[0] and lines[1]["results"] == []
    assert main(["kb", "search", "jzz", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "K1"
