"""Non-accepted reasons (不予受理) and emergency transfers."""

from __future__ import annotations

import pytest

from workstation.errors import ValidationError
from workstation.intake_rules import (
    REJECT_REASONS,
    TRANSFER_NUMBERS,
    parse_reason,
    script_for,
    validate_rejection,
)
from workstation.models import RejectReason


def test_every_reason_has_labels_and_scripts() -> None:
    assert set(REJECT_REASONS) == set(RejectReason)
    for reason, info in REJECT_REASONS.items():
        assert info.reason is reason
        assert info.zh and info.en and info.script_zh and info.script_en
        assert info.label("en") == info.en and info.script("zh") == info.script_zh


def test_transfer_numbers() -> None:
    assert set(TRANSFER_NUMBERS) == {"110", "119", "120", "122"}
    assert TRANSFER_NUMBERS["120"].label("zh") == "120 医疗急救"
    assert TRANSFER_NUMBERS["122"].label("en") == "122 traffic accidents"


@pytest.mark.parametrize("number", ["110", "119", "120", "122"])
def test_emergency_with_transfer_is_valid(number: str) -> None:
    assert validate_rejection("emergency", number, "已转接") is RejectReason.EMERGENCY


@pytest.mark.parametrize(
    ("reason", "transfer", "explanation", "field"),
    [
        (RejectReason.EMERGENCY, None, "已转接", "transfer_to"),
        (RejectReason.EMERGENCY, "12345", "已转接", "transfer_to"),
        (RejectReason.OUT_OF_AREA, "110", "告知外地热线", "transfer_to"),
        (RejectReason.VAGUE, None, "  ", "explanation"),
        ("nonsense", None, "x", "reject_reason"),
    ],
)
def test_invalid_rejections(
    reason: RejectReason | str, transfer: str | None, explanation: str, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        validate_rejection(reason, transfer, explanation)
    assert info.value.field == field
    assert info.value.zh and info.value.en


@pytest.mark.parametrize("reason", [r for r in RejectReason if r is not RejectReason.EMERGENCY])
def test_other_reasons_without_transfer(reason: RejectReason) -> None:
    assert validate_rejection(reason.value, "", "已解释") is reason


def test_parse_reason_accepts_chinese_label() -> None:
    assert parse_reason("诉求不明确，无法办理") is RejectReason.VAGUE


def test_emergency_script_names_the_number() -> None:
    assert "119" in script_for(RejectReason.EMERGENCY, "119") and "消防" in script_for(
        "emergency", "119"
    )
    assert "ambulance" in script_for("emergency", "120", lang="en")
    assert "{" not in script_for("emergency", None)
    assert script_for("vague", lang="en") == REJECT_REASONS[RejectReason.VAGUE].script_en
