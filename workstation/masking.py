"""Privacy masking (脱敏) of phone numbers, ID numbers and names.

List views and confidential orders (保密) show ``139****6025`` instead of the caller's
number. The free-text masker finds mobile numbers, landlines and 18-digit ID numbers and
leaves every other digit run alone (dates, amounts, order numbers such as
``QD-S07-2611-0042``), because a masked date or amount makes an order unreadable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "*"

# A number may not continue a longer alphanumeric run (order numbers, card numbers, codes).
_BEFORE = r"(?<![0-9A-Za-z])(?<!\d[.,])(?<![0-9A-Za-z][-_/])"
_AFTER = r"(?![0-9A-Za-z]|[.,]\d)"

_ID = r"(?P<id>[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])"
# 010 and 02x have 3-digit area codes, every other 0xxx has 4.
_LANDLINE = (
    r"(?P<landline>(?P<area>0(?:10|2\d|[3-9]\d{2}))(?P<sep>[- ]?)"
    r"(?P<local>[2-9]\d{6,7}))"
)
_LANDLINE_PAREN = r"(?P<paren>[(（](?P<parea>0\d{2,3})[)）] ?(?P<plocal>[2-9]\d{6,7}))"
_MOBILE = (
    r"(?P<mobile>(?P<cc>(?:\+|00)?86[- ]?)?(?P<m1>1[3-9]\d)(?P<s1>[- ]?)(?P<m2>\d{4})"
    r"(?P<s2>[- ]?)(?P<m3>\d{4}))"
)
# A bare 8-digit local number (most cities, Qidong included); 7 digits are too ambiguous.
_LOCAL = r"(?P<bare>[2-9]\d{7})"

_PII = re.compile(
    _BEFORE + "(?:" + "|".join((_ID, _LANDLINE_PAREN, _LANDLINE, _MOBILE, _LOCAL)) + ")" + _AFTER
)
_DATE8 = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_AMOUNT_AFTER = re.compile(r"^\s*(?:元|块|万|亿|角|分|%|％|rmb|RMB|CNY|yuan)")
_AMOUNT_BEFORE = re.compile(r"(?:¥|￥|\$|RMB|CNY)\s*$")
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 "
    "钟离 闻人 澹台 公冶 申屠 太史 端木 南宫 西门 百里 呼延 独孤 万俟 单于 司空".split()
)


@dataclass(frozen=True)
class Found:
    """One piece of personal data found in a text: kind ("mobile", "landline", "id")."""

    kind: str
    start: int
    end: int
    text: str
    masked: str


def _stars(n: int) -> str:
    return MASK * n


def _mask_local(local: str) -> str:
    return _stars(len(local) - 4) + local[-4:]


def _replacement(match: re.Match[str]) -> tuple[str, str] | None:
    """(kind, masked text) for a match, or None when the digits are not personal data."""
    text = match.string
    if match.group("id"):
        value = match.group("id")
        return "id", value[:6] + _stars(8) + value[-4:]
    if match.group("paren"):
        full = match.group("paren")
        local = match.group("plocal")
        return "landline", full[: -len(local)] + _mask_local(local)
    if match.group("landline"):
        area, sep, local = match.group("area", "sep", "local")
        return "landline", area + sep + _mask_local(local)
    if match.group("mobile"):
        cc, m1, s1, _, s2, m3 = match.group("cc", "m1", "s1", "m2", "s2", "m3")
        return "mobile", (cc or "") + m1 + s1 + _stars(4) + s2 + m3
    value = match.group("bare")
    if _DATE8.fullmatch(value):
        return None
    if _AMOUNT_AFTER.match(text[match.end() :]) or _AMOUNT_BEFORE.search(text[: match.start()]):
        return None
    return "landline", _mask_local(value)


def find_pii(text: str) -> list[Found]:
    """Every phone and ID number in ``text``, with where it is and how it would be masked."""
    found: list[Found] = []
    for match in _PII.finditer(text):
        result = _replacement(match)
        if result is not None:
            kind, masked = result
            found.append(Found(kind, match.start(), match.end(), match.group(0), masked))
    return found


def mask_text(text: str) -> str:
    """``text`` with phone and ID numbers masked; everything else unchanged."""
    if not text:
        return text
    parts: list[str] = []
    pos = 0
    for item in find_pii(text):
        parts.append(text[pos : item.start])
        parts.append(item.masked)
        pos = item.end
    parts.append(text[pos:])
    return "".join(parts)


def mask_phone(number: str) -> str:
    """Mask one phone field: 13912346025 → 139****6025, 0513-86288482 → 0513-****8482.

    A field is known to hold a phone number, so a value of an unfamiliar shape is still
    masked: all digits but the last four, when there are at least seven.
    """
    value = (number or "").strip()
    if not value:
        return value
    masked = mask_text(value)
    if masked != value:
        return masked
    digits = sum(ch.isdigit() for ch in value)
    if digits < 7:
        return value
    keep_from = digits - 4
    out: list[str] = []
    seen = 0
    for ch in value:
        if ch.isdigit():
            out.append(ch if seen >= keep_from else MASK)
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_id_number(number: str) -> str:
    """Mask an ID number field: keep the region code (6) and the last 4 characters."""
    value = (number or "").strip()
    if len(value) <= 10:
        return _stars(len(value))
    return value[:6] + _stars(len(value) - 10) + value[-4:]


def mask_name(name: str) -> str:
    """Keep the surname, star the given name: 张三 → 张*, 欧阳娜娜 → 欧阳**.

    Latin names keep the first letter of each word (John Smith → J*** S****); a name of
    one character is fully starred. Separators (· space -) are kept.
    """
    value = (name or "").strip()
    if not value:
        return value
    if value.isascii():
        return re.sub(r"(?<=[A-Za-z])[A-Za-z]", MASK, value)
    if len(value) == 1:
        return MASK
    keep = 2 if len(value) >= 3 and value[:2] in _COMPOUND_SURNAMES else 1
    return value[:keep] + "".join(ch if ch in "·• -" else MASK for ch in value[keep:])
