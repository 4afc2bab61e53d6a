"""Issue 14: evidence shown to the agent is words, never function characters
(``相近用语: 了、上、一``) nor a word cut in pieces (a fire banner listing ``冒、烟``)."""

from __future__ import annotations

import pytest

from assist.emergency import detect_emergency
from assist.text import FUNCTION_CHARS, meaningful_words


def test_adjacent_pieces_become_the_word_and_function_characters_go() -> None:
    assert meaningful_words("路上一了冒烟", ["了", "上", "一", "冒", "烟"]) == ["冒烟"]
    assert meaningful_words("冒了好多烟", ["冒", "烟"]) == ["冒了好多烟"]
    assert meaningful_words("冒烟，有火", ["冒烟", "火"]) == ["冒烟", "火"]  # a clause apart


@pytest.mark.parametrize(
    "text",
    [
        "仓库着火了冒了好多烟",
        "厨房冒烟，有火",
        "楼道里冒烟了，好像着火了",
        "有人晕倒了，快叫救护车",
    ],
)
def test_the_emergency_banner_lists_words(text: str) -> None:
    found = detect_emergency(text)
    assert found is not None
    assert "冒" not in found.matched and "烟" not in found.matched
    assert not any(len(w) == 1 and w in FUNCTION_CHARS for w in found.matched)
    assert all(w in text for w in found.matched)


@pytest.mark.parametrize(
    "text",
    [
        "路上有一个坑，车开过去了",
        "楼上一直在漏水了",
        "门口的路灯坏了一个月了",
        "小区里垃圾没人清运了",
        "邻居家的狗一直叫",
    ],
)
def test_similar_wording_never_shows_function_characters(assistant, text: str) -> None:
    suggestion = assistant.suggest(text)
    for unit in suggestion.units:
        for reason in unit.reasons:
            if reason.startswith("相近用语"):
                words = reason.split(": ", 1)[1].split("、")
                assert not any(len(w) == 1 and w in FUNCTION_CHARS for w in words), reason
