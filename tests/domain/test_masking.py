"""Privacy masking: phone and ID numbers in free text; names; what must stay untouched."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.masking import find_pii, mask_id_number, mask_name, mask_phone, mask_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13912346025", "139****6025"),
        ("我的电话13912346025，请回电", "我的电话139****6025，请回电"),
        ("手机 139-1234-6025", "手机 139-****-6025"),
        ("手机 139 1234 6025", "手机 139 **** 6025"),
        ("+8613912346025", "+86139****6025"),
        ("0513-86288482", "0513-****8482"),
        ("051386288482", "0513****8482"),
        ("010-62345678", "010-****5678"),
        ("（0513）86288482", "（0513）****8482"),
        ("座机86288482", "座机****8482"),
        ("身份证号320681199003071234", "身份证号320681********1234"),
        ("身份证32068119900307123X。", "身份证320681********123X。"),
        ("id 32068119900307123x", "id 320681********123x"),
        ("Call 13912346025 or 0513-86288482.", "Call 139****6025 or 0513-****8482."),
    ],
)
def test_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "工单号 QD-S07-2611-0042 已派发",
        "2026-10-10 下午三点",
        "2026年10月10日",
        "日期 20261010",
        "欠款 12345678 元",
        "金额¥86288482",
        "共计 1,234,567.89 元",
        "圆周率 3.14159265358979",
        "热线 12345，服务电话 400-820-8820",
        "报警 110、火警 119、急救 120",
        "门牌号 128 号 3 单元 502 室",
        "订单号 202610101234567890123",
        "卡号 6222021234567890123",  # 19-digit bank card is not a phone or an ID
        "ABC13912346025",
        "邮编 226200",
        "",
    ],
)
def test_untouched(text: str) -> None:
    assert mask_text(text) == text


def test_find_pii_kinds() -> None:
    found = find_pii("张三 13912346025 0513-86288482 32068119900307123X")
    assert [f.kind for f in found] == ["mobile", "landline", "id"]
    assert found[0].masked == "139****6025"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13912346025", "139****6025"),
        (" 0513-86288482 ", "0513-****8482"),
        ("86288482", "****8482"),
        ("1234567890", "******7890"),  # unfamiliar shape: still masked
        ("12345", "12345"),  # a service number, not personal
        ("", ""),
    ],
)
def test_mask_phone(value: str, expected: str) -> None:
    assert mask_phone(value) == expected


def test_mask_id_number() -> None:
    assert mask_id_number("32068119900307123X") == "320681********123X"
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "张*"),
        ("李小明", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("欧阳", "欧*"),
        ("张", "*"),
        ("买买提·艾力", "买**·**"),
        ("John Smith", "J*** S****"),
        ("", ""),
    ],
)
def test_mask_name(name: str, expected: str) -> None:
    assert mask_name(name) == expected


# -- properties ----------------------------------------------------------------------------

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
ids = st.builds(
    lambda region, y, m, d, seq, check: f"{region}{y}{m:02d}{d:02d}{seq}{check}",
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    st.integers(1900, 2025),
    st.integers(1, 12),
    st.integers(1, 28),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
    st.sampled_from(list("0123456789X")),
)
filler = st.text(
    alphabet="的了在是我有他这中大来上个们到说和地也子时道出要于就下得可你年生", max_size=8
)
dates = st.dates().map(lambda d: d.isoformat())
order_numbers = st.from_regex(r"QD-S[0-9]{2}-[0-9]{4}-[0-9]{4}", fullmatch=True)


@settings(max_examples=200)
@given(before=filler, number=mobiles, after=filler)
def test_property_mobile_masked_in_text(before: str, number: str, after: str) -> None:
    out = mask_text(before + number + after)
    assert out == before + number[:3] + "****" + number[-4:] + after
    assert number not in out


@settings(max_examples=200)
@given(before=filler, number=ids, after=filler)
def test_property_id_masked_in_text(before: str, number: str, after: str) -> None:
    out = mask_text(before + number + "，" + after)
    assert out == before + number[:6] + "********" + number[-4:] + "，" + after


@settings(max_examples=200)
@given(parts=st.lists(st.one_of(filler, dates, order_numbers), max_size=6))
def test_property_dates_and_order_numbers_untouched(parts: list[str]) -> None:
    text = " ".join(parts)
    assert mask_text(text) == text


@settings(max_examples=200)
@given(text=st.text(max_size=60))
def test_property_idempotent_and_length_preserving(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once
    assert len(once) == len(text)


def test_shared_tickets_leave_no_mobile_behind() -> None:
    path = SHARED / "tickets_dev.jsonl"
    if not path.exists():
        pytest.skip("shared data not present")
    mobile = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        text = json.loads(line)["text"]
        masked = mask_text(text)
        assert not mobile.search(masked), masked
        count += bool(mobile.search(text))
    assert count > 0
