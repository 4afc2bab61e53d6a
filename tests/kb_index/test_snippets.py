"""Issue 14: a KB snippet starts at a sentence or at the match, never mid-clause
(``住的缴存职工，可申请…``)."""

from __future__ import annotations

from kb_index.ranking import SNIPPET_CHARS, _snippet, snippet_start

BODY = (
    "住房公积金提取分为多种情形，材料各不相同，请按情形准备。"
    "本市无房且租房居住的缴存职工，可申请提取住房公积金支付房租，每年一次。"
)


def test_the_snippet_starts_at_the_sentence_of_the_match() -> None:
    match = BODY.index("租房")
    snippet = _snippet(BODY, [("body", match, match + 2)])
    assert snippet.lstrip("…").startswith("本市无房")
    assert "租房" in snippet


def test_far_from_a_sentence_start_it_starts_at_the_match() -> None:
    body = "甲" * (SNIPPET_CHARS * 2) + "公积金" + "乙" * 10
    match = body.index("公积金")
    assert snippet_start(body, match) == match
    assert _snippet(body, [("body", match, match + 3)]).startswith("…公积金")


def test_near_the_beginning_it_starts_at_the_beginning() -> None:
    assert snippet_start(BODY, 4) == 0
