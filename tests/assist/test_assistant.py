"""Ranking and flagging through the Assistant, on a small fixed directory."""

from __future__ import annotations

import pytest

from workstation.models import OrderType, RejectReason


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("我们小区从早上开始停水了，到现在还没来水", "W01"),
        ("家里电表好像坏了，这个月电费特别高", "E01"),
        ("身份证丢了想补办，要带什么材料", "P01"),
        ("楼下饭店油烟太大，窗户都不敢开", "C01"),
        ("公司拖欠我三个月工资，老板不给", "S01"),
        ("汇龙镇我们小区邻居天天吵架，想请居委会调解", "T01"),
    ],
)
def test_the_responsible_unit_is_ranked_first(assistant, text, unit):
    suggestion = assistant.suggest(text)
    assert suggestion.units[0].code == unit
    assert len(suggestion.units) == 3
    assert suggestion.units[0].reasons, "the top unit says why"
    assert suggestion.reject_reason is None


def test_reasons_name_the_matched_keywords(assistant):
    top = assistant.suggest("我家停电了，供电抢修什么时候来").units[0]
    assert top.code == "E01"
    assert any("停电" in r for r in top.reasons)


def test_emergency_is_flagged_whatever_the_units(assistant):
    suggestion = assistant.suggest("快来人！隔壁房子着火了，里面还有老人")
    assert suggestion.reject_reason is RejectReason.EMERGENCY
    assert suggestion.transfer_to == "119"
    assert suggestion.emergency
    assert suggestion.flags and "119" in suggestion.flags[0]


def test_an_emergency_is_a_call_for_help_whatever_its_words(assistant):
    complaint_words = assistant.suggest("我要投诉！楼下有人拿着刀在砍人，已经有人流血了，快来！")
    assert complaint_words.transfer_to == "110"
    assert complaint_words.type is OrderType.HELP and complaint_words.type_confidence >= 0.9


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("我的案子已经在法院起诉了，下个月开庭，想让你们督促法院快点判", RejectReason.LITIGATION),
        ("我想知道隔壁邻居家的收入和存款，把材料给我看看", RejectReason.SECRET),
        ("我住在南通市区崇川区，小区路灯坏了一个月没人修", RejectReason.OUT_OF_AREA),
        ("我要投诉那个什么部门，具体哪天我忘了，反正你们要处理", RejectReason.VAGUE),
        ("喂", RejectReason.VAGUE),
    ],
)
def test_non_accepted_reasons(assistant, text, reason):
    suggestion = assistant.suggest(text)
    assert suggestion.reject_reason is reason
    assert suggestion.transfer_to is None


def test_type_from_cue_phrases_without_history(assistant):
    assert assistant.suggest("请问居住证怎么办理，要带什么材料").type is OrderType.CONSULTATION
    assert assistant.suggest("建议在小区门口增设一个公交站台").type is OrderType.SUGGESTION
    assert assistant.suggest("我要投诉城管态度太差，还骂人").type is OrderType.COMPLAINT
    suggestion = assistant.suggest("请问社保卡丢了怎么补办")
    assert 0.0 < suggestion.type_confidence <= 1.0


def test_to_dict_uses_english_type_codes(assistant):
    data = assistant.suggest("请问社保卡丢了怎么补办").to_dict()
    assert data["type"] == "consultation"
    assert len(data["units"]) == 3 and data["units"][0] == "S01"
    assert data["reject_reason"] is None and data["transfer_to"] is None


def test_knowledge_base_articles_help_cold_start(small_units):
    from assist import Assistant

    articles = [
        {
            "id": "KB-1",
            "title": "电动自行车上牌去哪里办",
            "unit": "P01",
            "body": "电动自行车上牌请到派出所或车管所服务点办理。",
            "tags": ["电动车上牌"],
        }
    ]
    assistant = Assistant.from_directory(small_units, articles)
    top = assistant.suggest("我新买了电动车，想问上牌去哪里办").units[0]
    assert top.code == "P01"
    assert any("KB-1" in r for r in top.reasons)


def test_dev_tickets_routing_when_shared_data_present(shared_data):
    import json

    from assist import Assistant
    from workstation.models import load_units

    units = load_units(shared_data / "units.jsonl")
    kb = [
        json.loads(x) for x in (shared_data / "kb_dev.jsonl").read_text("utf-8").splitlines() if x
    ]
    tickets = [
        json.loads(x)
        for x in (shared_data / "tickets_dev.jsonl").read_text("utf-8").splitlines()
        if x
    ]
    assistant = Assistant.from_directory(units, kb)
    accepted = [t for t in tickets if t["accept"]]
    top3 = sum(t["unit"] in [u.code for u in assistant.suggest(t["text"]).units] for t in accepted)
    assert top3 / len(accepted) >= 0.9
    for t in tickets:
        if t.get("reject_reason") == "emergency":
            assert assistant.suggest(t["text"]).reject_reason is RejectReason.EMERGENCY
