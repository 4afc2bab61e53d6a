"""Every contact is logged: answered, not accepted, dispatched or linked."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from workstation.contacts import build_contact, contact_to_dict
from workstation.errors import NotPermitted, ValidationError
from workstation.models import Actor, ContactOutcome, RejectReason, Role

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = Actor("li", Role.AGENT, seat="S01")
BASE = {"contact_id": "C-1", "content": "公积金怎么提取", "caller_phone": "13900000000"}
ASKED = {**BASE, "type": "consultation"}


def test_answered_consultation_records_articles() -> None:
    contact = build_contact("answer_contact", {**ASKED, "article_ids": ["KB-1"]}, AGENT, NOW)
    assert contact.outcome is ContactOutcome.ANSWERED and contact.article_ids == ("KB-1",)
    assert contact_to_dict(contact)["type"] == "consultation"


def test_answer_needs_an_article_or_an_answer_and_must_be_a_consultation() -> None:
    with pytest.raises(ValidationError) as err:
        build_contact("answer_contact", ASKED, AGENT, NOW)
    assert err.value.field == "article_ids"
    with pytest.raises(ValidationError) as err:  # what was asked, and that it is a 咨询
        build_contact("answer_contact", {**BASE, "article_ids": ["K"]}, AGENT, NOW)
    assert err.value.field == "type"
    with pytest.raises(ValidationError) as err:
        build_contact("answer_contact", {**ASKED, "content": "", "article_ids": ["K"]}, AGENT, NOW)
    assert err.value.field == "content"
    with pytest.raises(ValidationError) as err:
        build_contact(
            "answer_contact", {**BASE, "type": "complaint", "article_ids": ["K"]}, AGENT, NOW
        )
    assert err.value.field == "type"


def test_emergency_rejection_needs_a_transfer_number() -> None:
    args = {**BASE, "reason": "emergency", "explanation": "着火了，已转119"}
    with pytest.raises(ValidationError):
        build_contact("reject_contact", args, AGENT, NOW)
    contact = build_contact("reject_contact", {**args, "transfer_to": "119"}, AGENT, NOW)
    assert contact.reject_reason is RejectReason.EMERGENCY and contact.transfer_to == "119"


@pytest.mark.parametrize("reason", ["out_of_area", "litigation", "secret", "vague"])
def test_other_rejections_need_an_explanation_and_no_transfer(reason: str) -> None:
    with pytest.raises(ValidationError):
        build_contact("reject_contact", {**BASE, "reason": reason}, AGENT, NOW)
    with pytest.raises(ValidationError):
        build_contact(
            "reject_contact",
            {**BASE, "reason": reason, "explanation": "x", "transfer_to": "110"},
            AGENT,
            NOW,
        )
    contact = build_contact(
        "reject_contact", {**BASE, "reason": reason, "explanation": "已告知"}, AGENT, NOW
    )
    assert contact.outcome is ContactOutcome.REJECTED


def test_empty_or_huge_content_is_refused_and_units_cannot_log() -> None:
    with pytest.raises(ValidationError):
        build_contact("answer_contact", {**BASE, "content": " "}, AGENT, NOW)
    with pytest.raises(ValidationError):
        build_contact("dispatch", {**BASE, "content": "字" * 20_001}, AGENT, NOW)
    with pytest.raises(NotPermitted):
        build_contact("dispatch", BASE, Actor("u", Role.UNIT, unit="U001"), NOW)
