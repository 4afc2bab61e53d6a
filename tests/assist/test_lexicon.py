"""The lexicon checks: emergencies caught with their number, near misses left alone."""

from __future__ import annotations

import time

import pytest

from assist.lexicon import detect_emergency, detect_litigation, detect_secret
from assist.places import detect_out_of_area


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("快来人！隔壁房子着火了，一直冒黑烟", "119"),
        ("我爸突然倒在地上叫不醒，快派救护车", "120"),
        ("店门口有人拿着刀在打架，已经有人流血了", "110"),
        ("我刚才在路口跟一辆小轿车撞了，对方不肯挪车", "122"),
        ("有人抢劫！抢了我的包往北跑了", "110"),
        ("我妈刚刚摔倒了，头在流血，现在怎么办", "120"),
        ("厨房里现在闻到很重的煤气味，怎么办", "119"),
    ],
)
def test_emergency_is_flagged_with_the_number_to_transfer_to(text, number):
    found = detect_emergency(text)
    assert found is not None
    assert found.transfer_to == number


@pytest.mark.parametrize(
    "text",
    [
        "楼道里堆满纸箱，真出了火灾人都跑不出去，希望消防来查",
        "红绿灯坏了，路口很容易出事故",
        "我老公去年在厂里被砸伤了脚，骨折住院，想申请工伤认定",
        "刚才跟对方撞了一下车，人没受伤",
        "想问一下怎么报名参加消防安全知识培训",
        "老公喝酒后打过我，现在他不在家，我暂时是安全的，想问怎么申请保护令",
    ],
)
def test_hypothetical_past_and_calm_mentions_are_not_emergencies(text):
    found = detect_emergency(text)
    # a collision is always worth a transfer (122); everything else here is not an emergency
    assert found is None or found.transfer_to == "122"


def test_emergency_check_is_fast_enough_for_every_keystroke():
    text = "我们小区门口现在有两个人在打架，其中一个拿着刀，已经有人流血了，你们赶紧派人过来！"
    detect_emergency(text)
    started = time.perf_counter()
    for i in range(1, len(text) + 1):
        detect_emergency(text[:i])
    per_call_ms = (time.perf_counter() - started) * 1000 / len(text)
    assert per_call_ms < 1.0


def test_litigation_needs_a_case_in_progress():
    assert detect_litigation("我和开发商的纠纷已经在法院起诉了，下个月开庭") is not None
    assert detect_litigation("罚款我不服，已经申请了行政复议，还没有结果") is not None
    assert detect_litigation("公司拖欠工资，想问怎么申请劳动仲裁") is None


def test_secret_needs_someone_else_private_information_or_state_secrets():
    assert detect_secret("帮我查一下邻居家每个月的收入和存款") is not None
    assert detect_secret("想请你们提供军工单位的试验数据") is not None
    assert detect_secret("想查一下我自己的社保缴费记录") is None


def test_out_of_area_weighs_where_the_matter_happens():
    assert detect_out_of_area("我住在南通市区崇川区，小区路灯坏了一个月") is not None
    assert detect_out_of_area("我在苏州昆山买的房子开发商不交房，帮我协调") is not None
    assert detect_out_of_area("我坐客运站的车去上海，车晚点了一个多小时") is None
    assert detect_out_of_area("老家在安徽，现在在启东工作，想在启东领结婚证") is None
