"""Ranking behaviour on a small fixed knowledge base, one case per kind of query."""

from __future__ import annotations

import threading

import pytest

from kb_index.knowledge_base import KnowledgeBase

ARTICLES = [
    {
        "id": "A1",
        "title": "社保卡丢了怎么补办",
        "body": "社会保障卡遗失后先挂失，再到人社窗口补办。",
        "unit": "U021",
        "category": "社会保障",
        "tags": ["社保卡", "补办"],
    },
    {
        "id": "A2",
        "title": "社保卡激活",
        "body": "新领取的社会保障卡需要激活才能使用。",
        "unit": "U021",
        "category": "社会保障",
        "tags": ["社保卡", "激活"],
    },
    {
        "id": "A3",
        "title": "公积金租房提取",
        "body": "无房职工租房自住的，可以按月提取住房公积金支付房租。",
        "unit": "U036",
        "category": "住房保障",
        "tags": ["公积金", "租房", "提取"],
    },
    {
        "id": "A4",
        "title": "公积金贷款怎么申请",
        "body": "购买自住住房可申请住房公积金贷款，需要提供购房合同。",
        "unit": "U036",
        "category": "住房保障",
        "tags": ["公积金", "贷款"],
    },
    {
        "id": "A5",
        "title": "失业金怎么申领",
        "body": "非本人意愿中断就业的，可以申领失业保险金。",
        "unit": "人社局",
        "category": "社会保障",
        "tags": ["失业金"],
    },
    {
        "id": "A6",
        "title": "异地就医备案",
        "body": "长期在外地居住的参保人员，看病前办理异地就医备案后可直接结算。",
        "unit": "U060",
        "category": "医疗卫生",
        "tags": ["医保", "异地就医"],
    },
    {
        "id": "A7",
        "title": "新生儿落户",
        "body": "孩子出生后一个月内凭出生医学证明到派出所申报户口。",
        "unit": "U040",
        "category": "户籍",
        "tags": ["落户", "出生"],
    },
    {
        "id": "A8",
        "title": "路灯不亮怎么报修",
        "body": "道路路灯损坏可拨打12345报修，城管部门三日内修复。",
        "unit": "U080",
        "category": "城市管理",
        "tags": ["路灯"],
    },
    {
        "id": "A9",
        "title": "低保申请条件",
        "body": "家庭人均收入低于当地最低生活保障标准的，可以申请低保。",
        "unit": "U131",
        "category": "社会救助",
        "tags": ["低保"],
    },
]


@pytest.fixture
def kb(tmp_path):
    base = KnowledgeBase(tmp_path / "seat.sqlite3")
    base.upsert_many(ARTICLES)
    return base


def top(kb: KnowledgeBase, query: str, n: int = 3, **kw) -> list[str]:
    return [h.id for h in kb.search(query, limit=n, **kw)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("公积金 租房", "A3"),  # keyword
        ("我想把公积金取出来付房租", "A3"),  # colloquial sentence
        ("社宝卡不办", "A1"),  # homophone typos
        ("公鸡金贷款", "A4"),
        ("失叶金", "A5"),
        ("gjj dk", "A4"),  # pinyin initials
        ("公积金zf", "A3"),  # mixed Han and initials
        ("shiyejin", "A5"),  # full pinyin
        ("yidi jiuyi", "A6"),
        ("異地就醫備案", "A6"),  # traditional
        ("新生兒落戶", "A7"),
        ("低保", "A9"),  # fragments
        ("路灯", "A8"),
        ("12345", "A8"),  # digits
    ],
)
def test_each_kind_of_query_finds_the_article_first(kb, query, expected):
    assert top(kb, query, 1) == [expected]


def test_one_character_fragment_matches_titles(kb):
    assert "A9" in top(kb, "保", 10)


def test_empty_and_whitespace_queries_return_nothing(kb):
    assert kb.search("") == []
    assert kb.search("   \t\n") == []
    assert kb.search("！？。") == []


def test_huge_paste_is_bounded(kb):
    import time

    start = time.perf_counter()
    hits = kb.search("社保卡补办" * 2000)
    assert time.perf_counter() - start < 2.0
    assert hits and hits[0].id == "A1"


def test_spans_point_at_matched_characters(kb):
    hit = kb.search("社宝卡", limit=1)[0]
    assert hit.id in ("A1", "A2")
    title_spans = [(s, e) for f, s, e in hit.spans if f == "title"]
    assert (0, 3) in title_spans
    for field, start, end in hit.spans:
        text = hit.title if field == "title" else kb.get(hit.id).body
        assert 0 <= start < end <= len(text)


def test_filters_by_unit_and_category(kb):
    assert set(top(kb, "社保卡", 10, category="社会保障")) <= {"A1", "A2", "A5"}
    assert top(kb, "失业金", 10, unit="人社局") == ["A5"]
    assert top(kb, "失业金", 10, unit="U036") == []


def test_upsert_and_delete_are_seen_by_the_next_search(kb):
    kb.search("低保")  # load the in-memory postings first
    kb.upsert({"id": "A10", "title": "狂犬疫苗接种", "body": "被狗咬伤后尽快接种狂犬疫苗。"})
    assert top(kb, "狂犬", 1) == ["A10"]
    kb.upsert({"id": "A9", "title": "特困供养", "body": "特困人员救助供养。"})
    assert "A9" not in top(kb, "低保", 10)
    assert top(kb, "特困", 1) == ["A9"]
    kb.delete("A10")
    assert top(kb, "狂犬", 10) == []


def test_changes_from_another_connection_are_picked_up(kb, tmp_path):
    kb.search("低保")
    other = KnowledgeBase(tmp_path / "seat.sqlite3")
    other.upsert({"id": "B1", "title": "电动车上牌", "body": "电动自行车登记上牌。"})
    assert top(kb, "电动车上牌", 1) == ["B1"]


def test_search_from_worker_threads(kb):
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(20):
            results.append(top(kb, "社保卡补办", 1))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 80 and all(r == ["A1"] for r in results)
