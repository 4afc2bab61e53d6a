"""The colloquial -> formal vocabulary: the shipped table, its matching rules, its
validation, and its effect on ranking in a small real knowledge base."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import kb_index.query
from kb_index.knowledge_base import KnowledgeBase
from kb_index.synonyms import (
    MIN_KEY_CHARS,
    Vocabulary,
    VocabularyError,
    colloquial_table,
    expand_colloquial,
    parse_vocabulary,
)

# --- the shipped table ---------------------------------------------------------------


def test_table_loads_with_a_broad_vocabulary() -> None:
    table = colloquial_table()
    entries = [k for k, formal in table.items() if formal]
    assert len(entries) >= 400
    assert all(len(k) >= MIN_KEY_CHARS for k in table)


@pytest.mark.parametrize(
    ("said", "formal"),
    [
        ("老板拖了我三个月工钱", "工资"),
        ("房本丢了怎么办", "房产证"),
        ("车本到期了去哪换", "驾驶证"),
        ("我驾照快过期了", "驾驶证"),
        ("家里好像漏气了", "燃气泄漏"),
        ("厨房一股煤气味", "燃气泄漏"),
        ("孩子刚生下来怎么办户口", "新生儿"),
        ("我是打零工的能不能交养老", "灵活就业"),
        ("单位交的那个钱能取出来吗", "公积金"),
        ("看病的卡丢了", "社会保障卡"),
        ("带小孩去打一针", "接种"),
        ("楼下天天跳广场舞", "噪音扰民"),
        ("半夜还有人蹦迪", "噪音扰民"),
        ("拉土车撒了一路泥", "渣土车"),
        ("出租车司机故意绕路", "绕道"),
        ("火车站门口好多黑车", "非法营运"),
        ("我家的地包给别人种了", "土地流转"),
        ("包工头拖工资不给", "拖欠工资"),
        ("房子过户要交什么税", "转移登记"),
        ("老人想住老人院", "养老机构"),
    ],
)
def test_colloquial_phrases_expand_to_the_formal_register(said: str, formal: str) -> None:
    assert formal in expand_colloquial(said)


def test_an_ordinary_formal_sentence_expands_to_nothing() -> None:
    sentence = (
        "请问本市企业职工基本养老保险缴费基数的调整政策从什么时候开始执行，"
        "相关的申报流程和需要提交的证明材料有哪些，可以通过哪些渠道查询办理进度"
    )
    assert len(sentence) > 60
    assert expand_colloquial(sentence) == []


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        ("这条线路的公交车本来就少", "驾驶证"),  # 车本 inside 车本来
        ("一次性创业补贴条件是什么", "违法停车"),  # 贴条 inside 补贴条件
        ("窗口让我补交材料", "补缴"),  # 补交 inside 补交材料
        ("准考证号码忘了", "职业资格"),  # 考证 inside 准考证
    ],
)
def test_exception_phrases_silence_the_key_inside_them(text: str, unwanted: str) -> None:
    assert unwanted not in expand_colloquial(text)


def test_overlapping_keys_both_count_and_results_are_unique() -> None:
    out = expand_colloquial("没驾照过期了又丢了丢了")
    assert "无证驾驶" in out and "到期换证" in out  # 没驾照 and 照过期 overlap
    assert len(out) == len(set(out))


def test_formal_words_already_typed_are_left_out() -> None:
    out = expand_colloquial("社保卡丢了")
    assert "社保卡" not in out
    assert "社会保障卡" in out


def test_expansion_of_a_long_query_is_fast() -> None:
    query = ("楼下烧烤摊半夜还在营业油烟大吵得睡不着楼道里有人给电动车充电物业也不管" * 4)[:120]
    expand_colloquial(query)  # load the table first
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        expand_colloquial(query)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 1e-3  # typically ~0.05 ms; the bound leaves room for slow machines


def test_importing_the_module_does_no_work() -> None:
    code = "import kb_index.synonyms as s; print(s.vocabulary.cache_info().currsize)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "0"


# --- validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("工钱\t工资\n房本 房产证\n", 2),  # no tab
        ("# 注释\n\n工\t工资\n", 3),  # one-character key
        ("工钱\t工资\n车本\t驾驶证 C1\n", 2),  # formal word not Han
        ("工钱\t\n", 1),  # no formal words
        ("工钱\t工资\t薪酬\n", 1),  # two tabs
        ("工钱\t工资\n房本\t房产证\n工钱\t薪酬\n", 3),  # duplicate key
        ("車本\t驾驶证\n", 1),  # traditional: the query normaliser would rewrite it
    ],
)
def test_malformed_lines_raise_an_error_naming_the_line(text: str, line: int) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_vocabulary(text, source="test.tsv")
    assert caught.value.line == line
    assert f"line {line}" in caught.value.en
    assert f"第 {line} 行" in caught.value.zh


def test_parser_reads_comments_alternatives_and_exceptions() -> None:
    table = parse_vocabulary("# 劳动\n工钱\t工资  薪酬 工资\n\n补交\t补缴\n补交材料\t-\n")
    assert table == {"工钱": ("工资", "薪酬"), "补交": ("补缴",), "补交材料": ()}
    vocabulary = Vocabulary.build(table)
    assert vocabulary.expand("补交材料和工钱") == ["工资", "薪酬"]


def test_an_empty_table_matches_nothing() -> None:
    assert Vocabulary.build({}).expand("房本丢了") == []


# --- effect on ranking ---------------------------------------------------------------

ARTICLES = [
    (
        "S1",
        "社保卡丢了怎么补办",
        "社会保障卡遗失后先办理挂失，再到人社窗口或合作银行补领。",
        ["社保卡", "补办"],
    ),
    (
        "S2",
        "驾驶证到期换证",
        "机动车驾驶证有效期满前九十日内申请换证，可在交管12123办理。",
        ["驾驶证", "换证"],
    ),
    (
        "S3",
        "被拖欠工资怎么投诉",
        "用人单位拖欠或克扣劳动者工资的，可向劳动保障监察投诉。",
        ["欠薪", "劳动报酬"],
    ),
    (
        "S4",
        "家里闻到燃气味怎么办",
        "发现燃气泄漏应关闭阀门、开窗通风，到室外拨打燃气抢修电话。",
        ["燃气泄漏", "燃气"],
    ),
    (
        "S5",
        "不动产权证书遗失补办",
        "房产证（不动产权证书）遗失的，登报声明作废后申请补发。",
        ["房产证", "补证"],
    ),
    (
        "S6",
        "新生儿出生登记",
        "新生儿出生后一个月内，凭出生医学证明到派出所申报出生登记。",
        ["新生儿", "落户"],
    ),
    (
        "S7",
        "灵活就业人员参加养老保险",
        "无雇工的个体户和灵活就业人员可以个人身份参保缴费。",
        ["灵活就业", "养老保险"],
    ),
    (
        "S8",
        "二手房过户怎么办理",
        "买卖双方持买卖合同到不动产登记中心申请转移登记。",
        ["过户", "转移登记"],
    ),
    (
        "S9",
        "社会生活噪声扰民怎么投诉",
        "广场舞、商铺音响等社会生活噪声扰民的，可以向公安或城管反映。",
        ["噪音扰民", "广场舞"],
    ),
    (
        "S10",
        "住房公积金提取",
        "职工购房、租房、退休等情形可以申请提取住房公积金账户余额。",
        ["公积金", "提取"],
    ),
]


@pytest.fixture()
def kb(tmp_path):
    base = KnowledgeBase(tmp_path / "kb.sqlite3")
    base.upsert_many(
        {
            "id": aid,
            "title": title,
            "body": body,
            "unit": "U001",
            "category": "测试",
            "tags": tags,
            "updated": "2024-01-01",
        }
        for aid, title, body, tags in ARTICLES
    )
    yield base
    base.close()


def test_expansion_keeps_the_top_result_of_exact_formal_queries(kb, monkeypatch) -> None:
    with_expansion = {aid: kb.search(title, limit=3)[0].id for aid, title, _, _ in ARTICLES}
    assert with_expansion == {aid: aid for aid, *_ in ARTICLES}

    monkeypatch.setattr(kb_index.query, "expand_colloquial", lambda token: [])
    without = {aid: kb.search(title, limit=3)[0].id for aid, title, _, _ in ARTICLES}
    assert without == with_expansion


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # each of these finds nothing, or the wrong article, on literal matching alone
        ("我的车本", "S2"),
        ("驾照要换了", "S2"),
        ("老板拖了工钱", "S3"),
        ("房本丢了", "S5"),
        ("刚生下来的小孩", "S6"),
        ("半夜蹦迪", "S9"),
        ("单位交的那个钱能取出来吗", "S10"),
    ],
)
def test_colloquial_queries_find_the_formal_article(kb, said: str, expected: str) -> None:
    hits = kb.search(said, limit=3)
    assert hits and hits[0].id == expected
