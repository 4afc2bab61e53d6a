"""The fused search with real encoder vectors on real kb_dev articles, and the
``workstation kb import|embed|search`` commands around it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb_index.encoder import default_encoder
from kb_index.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
KB_DEV = ROOT.parent / "shared" / "data" / "kb_dev.jsonl"
IDS = [f"KB-D{n:04d}" for n in (1, 20, 30, 33, 34, 36, 64, 65, 68, 77)]

pytestmark = pytest.mark.skipif(not KB_DEV.is_file(), reason="needs shared/data/kb_dev.jsonl")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    articles = [json.loads(line) for line in KB_DEV.read_text("utf-8").splitlines() if line]
    kb = KnowledgeBase(tmp_path_factory.mktemp("kb") / "kb.sqlite3")
    kb.upsert_many([a for a in articles if a["id"] in IDS])
    assert kb.embed_missing(default_encoder()) == len(IDS)
    return kb


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("老公喝了酒就动手打我", "KB-D0020"),  # 遭受家庭暴力怎么求助
        ("我妈走了 房子要转到我名下", "KB-D0030"),  # 父母去世后房产继承过户
        ("孩子该打下一针了在哪约", "KB-D0068"),  # 儿童疫苗接种怎么预约
    ],
)
def test_a_colloquial_question_finds_the_article_whose_title_it_never_names(
    kb: KnowledgeBase, query: str, expected: str
) -> None:
    article = kb.get(expected)
    assert article is not None
    title_bigrams = {article.title[i : i + 2] for i in range(len(article.title) - 1)}
    assert not any(b in query for b in title_bigrams)
    assert expected not in [h.id for h in kb.search(query, limit=3)]
    result = kb.search_fused(query, limit=3)
    assert result.dense_used and result.reason is None
    assert expected in [h.id for h in result.hits]
    hit = next(h for h in result.hits if h.id == expected)
    assert hit.title == article.title and hit.snippet


def test_the_dense_stage_lifts_a_weak_lexical_match_to_the_top(kb: KnowledgeBase) -> None:
    query = "医院刷的那张卡找不到了"  # 社保卡丢了怎么补办
    lexical = [h.id for h in kb.search(query, limit=3)]
    assert "KB-D0001" in lexical and lexical[0] != "KB-D0001"
    assert kb.search_fused(query, limit=3).hits[0].id == "KB-D0001"


def test_keywords_and_pinyin_keep_the_lexical_answer(kb: KnowledgeBase) -> None:
    for query in ("社保卡补办", "shebaoka", "公租房"):
        assert kb.search_fused(query, limit=1).hits[0].id == kb.search(query, limit=1)[0].id


def test_an_off_topic_question_gets_no_dense_neighbours(kb: KnowledgeBase) -> None:
    assert kb.search_fused("火箭发射升空", limit=3).hits == []


def test_unit_filter_applies_to_the_dense_stage(kb: KnowledgeBase) -> None:
    article = kb.get("KB-D0020")
    assert article is not None and article.unit
    hits = kb.search_fused("老公喝了酒就动手打我", limit=10, unit=article.unit).hits
    assert hits and all(h.unit == article.unit for h in hits)


def _workstation(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    env.update(WORKSTATION_DATA_DIR=str(tmp_path / "data"), PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_kb_import_embeds_with_progress_and_batch_search_keeps_its_format(
    tmp_path: Path,
) -> None:
    source = tmp_path / "kb.jsonl"
    lines = [
        json.dumps(
            {"id": "K1", "title": "居住证办理", "body": "外来人员居住半年以上可申领居住证。"}
        ),
        "{not json",
        json.dumps(
            {"id": "K2", "title": "护照办理", "body": "出国旅游需要护照。"}, ensure_ascii=False
        ),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = str(tmp_path / "kb.sqlite3")

    done = _workstation(tmp_path, "kb", "import", str(source), "--db", db)
    assert done.returncode == 1  # a malformed record
    errors = [line for line in done.stderr.splitlines() if "kb.jsonl:2" in line]
    assert len(errors) == 1 and "不是有效的 JSON" in errors[0]
    assert "生成向量 2/2" in done.stderr and "Traceback" not in done.stderr
    assert "2/2" in done.stdout

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(json.dumps({"query": q}, ensure_ascii=False) for q in ("出国玩要办的证件", "hz"))
        + "\n",
        encoding="utf-8",
    )
    out = _workstation(tmp_path, "kb", "search", "--batch", str(queries), "--db", db)
    assert out.returncode == 0 and out.stderr == ""
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [sorted(r) for r in rows] == [["ms", "query", "results"]] * 2
    assert rows[0]["results"][0]["id"] == "K2" and rows[0]["ms"] > 0


def test_a_seat_without_vectors_searches_lexically_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "kb.jsonl"
    source.write_text(
        json.dumps({"id": "K1", "title": "居住证办理", "body": "居住半年以上可申领。"}) + "\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "kb.sqlite3")
    done = _workstation(tmp_path, "kb", "import", str(source), "--db", db, "--no-vectors")
    assert done.returncode == 0 and "生成向量" not in done.stderr
    found = _workstation(tmp_path, "--lang", "en", "kb", "search", "居住证怎么办", "--db", db)
    assert found.returncode == 0 and "K1" in found.stdout
    assert found.stderr.count("\n") == 1 and "no vectors" in found.stderr
    made = _workstation(tmp_path, "--lang", "en", "kb", "embed", "--db", db)
    assert made.returncode == 0 and "1/1 article(s) have one" in made.stdout
    again = _workstation(tmp_path, "kb", "search", "居住证怎么办", "--db", db)
    assert again.returncode == 0 and again.stderr == ""
