"""Out-of-area check (非本市辖区): does the matter happen in another jurisdiction?

A place name alone is not enough: callers travel (去上海), come from elsewhere (老家在安徽)
and ask about local services used elsewhere. We weigh each mention of another place by its
context and compare with mentions of the city's own places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from workstation.assist.lexicon import LexiconFlag, load_json
from workstation.assist.text import alternation, normalize

_CONSULTING = ("想问", "请问", "咨询", "想了解", "怎么办理", "如何办理")


@dataclass(frozen=True)
class _Places:
    other: re.Pattern[str]
    local: re.Pattern[str]
    travel_before: tuple[str, ...]
    origin_before: tuple[str, ...]
    not_place_after: tuple[str, ...]
    identity_local: re.Pattern[str]


@cache
def _places(extra_local: tuple[str, ...] = ()) -> _Places:
    raw = load_json("places.json")
    return _Places(
        other=alternation(raw["other"]),
        local=alternation(list(raw["local"]) + list(extra_local)),
        travel_before=tuple(normalize(w) for w in raw["travel_before"]),
        origin_before=tuple(normalize(w) for w in raw["origin_before"]),
        not_place_after=tuple(normalize(w) for w in raw["not_place_after"]),
        identity_local=alternation(raw["identity_local"]),
    )


def detect_out_of_area(text: str, local_names: tuple[str, ...] = ()) -> LexiconFlag | None:
    """Flag when mentions of other places outweigh the city's own (启东, its towns, zones).

    ``local_names`` adds the routing directory's own place names (towns, zones).
    """
    lex = _places(tuple(sorted(local_names)))
    norm = normalize(text)
    foreign = 0.0
    evidence: list[str] = []
    last_end = -10
    for match in lex.other.finditer(norm):
        start, end = match.span()
        after = norm[end : end + 3]
        if after.startswith(lex.not_place_after):
            continue
        before = norm[max(0, start - 4) : start]
        adjacent = start - last_end <= 1  # 苏州昆山, 上海浦东: one place
        last_end = end
        if adjacent:
            continue
        if before.endswith(lex.travel_before) or norm[max(0, start - 2) : start] in (
            "去了",
            "到了",
        ):
            weight = 0.0
        elif any(w in before for w in lex.origin_before):
            weight = 0.8
        elif before.endswith("在") or after.startswith("的"):
            weight = 1.0
        else:
            weight = 0.7
        if weight:
            foreign += weight
            evidence.append(match.group())
    if not evidence:
        return None
    masked = lex.identity_local.sub("", norm)
    local = float(len(lex.local.findall(masked)))
    if any(c in norm for c in _CONSULTING):
        foreign *= 0.5
    if foreign >= 0.6 and foreign > local:
        return LexiconFlag("out_of_area", tuple(dict.fromkeys(evidence)))
    return None
