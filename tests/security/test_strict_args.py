"""Issue 13, item 5, as found: loosely typed and unbounded command arguments.

``confidential: "no"`` and ``investigation: "false"`` were stored as true, ``contact_id:
[1]`` was accepted, ``address``, ``caller_name``, unknown args and ``reply.result`` had no
length limit. Each is now a final rejection naming the field (``invalid``), the order
untouched; far-off dates are refused the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.central.conftest import Api
from workstation.wire.text import Limits

DISPATCH = {
    "type": "complaint",
    "content": "小区门口路灯坏了一个月",
    "unit": "U001",
    "contact_id": "C-1",
    "caller_name": "张三",
    "caller_phone": "13912346025",
}

AS_FOUND: dict[str, tuple[dict[str, Any], str]] = {
    "confidential as text": ({"confidential": "no"}, "confidential"),
    "investigation as text": ({"investigation": "false"}, "investigation"),
    "leader flag as a number": ({"leader_instructed": 1}, "leader_instructed"),
    "contact id as a list": ({"contact_id": [1]}, "contact_id"),
    "an unknown argument": ({"evil": "x"}, "evil"),
    "address too long": ({"address": "街" * (Limits.ADDRESS + 1)}, "address"),
    "caller name too long": ({"caller_name": "张" * (Limits.NAME + 1)}, "caller_name"),
    "content too long": ({"content": "灯" * (Limits.CONTENT + 1)}, "content"),
    "phone too long": ({"caller_phone": "1" * (Limits.PHONE + 1)}, "caller_phone"),
    "too many co-units": ({"co_units": ["U002"] * (Limits.ITEMS + 1)}, "co_units"),
}


def reject(result: dict[str, Any], field: str) -> None:
    assert result["status"] == "rejected", result
    reason = result["reason"]
    assert reason["code"] == "invalid" and reason["field"].startswith(field), reason
    assert reason["zh"] and reason["en"]


@pytest.mark.parametrize("case", list(AS_FOUND))
def test_dispatch_args_are_typed_and_bounded(api: Api, case: str) -> None:
    extra, field = AS_FOUND[case]
    result = api.do("agent1", "dispatch", "QD-S01-0001", **{**DISPATCH, **extra})
    reject(result, field)
    r = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("agent1"))
    assert r.status_code == 404  # nothing was stored


@pytest.mark.parametrize(
    ("name", "args", "field"),
    [
        ("reply", {"result": "好" * (Limits.RESULT + 1)}, "result"),
        ("return_order", {"reason": "r" * (Limits.REASON + 1), "basis": "b"}, "reason"),
        ("request_extension", {"new_deadline": "2026-03-20", "reason": "r", "x": 1}, "x"),
        ("request_extension", {"new_deadline": "0001-01-01", "reason": "r"}, "new_deadline"),
        ("request_extension", {"new_deadline": "9999-12-31", "reason": "r"}, "new_deadline"),
        ("request_extension", {"new_deadline": "next week", "reason": "r"}, "new_deadline"),
    ],
)
def test_unit_command_args_are_typed_and_bounded(
    api: Api, name: str, args: dict[str, Any], field: str
) -> None:
    api.dispatch("QD-S01-0001", unit="U001")
    assert api.do("unit1", "sign", "QD-S01-0001")["status"] == "applied"
    result = api.do("unit1", name, "QD-S01-0001", **args)
    assert result["status"] == "rejected", result
    assert result["reason"]["code"] in ("invalid", "validation"), result["reason"]
    snap = api.client.get("/api/v1/orders/QD-S01-0001", headers=api.auth("unit1")).json()
    assert snap["order"]["state"] == "signed"
