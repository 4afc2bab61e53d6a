"""Out-of-area check (非本市辖区): does the matter happen in another jurisdiction?

What decides is where the matter is (the workplace, the shop, the road), not where the
caller comes from: a Haimen resident owed wages by a Qidong shipyard is ours, a Qidong
resident owed wages in Shanghai is not. Each mention of a place gets a weight for how
likely it is the matter's place (在海门上班: yes; 去上海的车: no; 老家在安徽: maybe), and
the city's own places of the matter beat the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assist.lexicon import LexiconFlag, concreteness, load_json
from assist.text import alternation, clause_end, clause_start, normalize

THRESHOLD = 0.6  # weight of a bare mention of another place, enough on its own
PORTABLE = 0.5  # 异地就医, 转回启东: a local service used or moved elsewhere
BIOGRAPHY = 0.5  # 我在海门上班, 住在启东: where the caller works, not the matter
RESIDENCE = 0.7  # 我住在X: where the caller lives; the matter's place unless something beats it
ORIGIN = 0.8  # 老家在海门, 家门口的河: often the matter's place, beaten by any of ours
KIN = 0.3  # 上海的亲戚: a person from there
LOCAL_MATTER = 0.8  # 养老金是启东发的: one of ours in the same clause as a concrete matter


@dataclass(frozen=True)
class _Places:
    names: re.Pattern[str]
    local: frozenset[str]
    generic_local: frozenset[str]
    prefecture: frozenset[str]
    join: frozenset[str]
    identity_local: re.Pattern[str]
    portability: re.Pattern[str]
    words: dict[str, tuple[str, ...]]


@cache
def _places(extra_local: tuple[str, ...] = ()) -> _Places:
    raw = load_json("places.json")
    local = {normalize(w) for w in list(raw["local"]) + list(extra_local) if w}
    other = {normalize(w) for w in raw["other"] if w} - local
    lists = (
        "not_place_after",
        "travel_before",
        "travel_after",
        "activity_after",
        "origin_before",
        "location_before",
        "location_after",
        "person_after",
        "residence_before",
        "work_activity",
        "work_matter",
        "study_activity",
        "study_matter",
    )
    return _Places(
        names=alternation(sorted(local | other)),
        local=frozenset(local),
        generic_local=frozenset(normalize(w) for w in raw["generic_local"]),
        prefecture=frozenset(normalize(w) for w in raw["prefecture"]),
        join=frozenset(normalize(w) for w in raw["join"]),
        identity_local=alternation(raw["identity_local"]),
        portability=alternation(raw["portability"]),
        words={
            k: tuple(sorted((normalize(w) for w in raw[k]), key=len, reverse=True)) for k in lists
        },
    )


@dataclass(frozen=True)
class _Mention:
    """Adjacent names read as one place (上海浦东, 崇川区, 崇明岛上启隆镇)."""

    start: int
    end: int
    names: tuple[str, ...]
    local: bool


def _mentions(lex: _Places, text: str) -> list[_Mention]:
    runs: list[list[re.Match[str]]] = []
    for match in lex.names.finditer(text):
        if runs and text[runs[-1][-1].end() : match.start()] in lex.join | {""}:
            runs[-1].append(match)
        else:
            runs.append([match])
    out = []
    for run in runs:
        names = tuple(m.group() for m in run)
        decisive = [n for n in names if n not in lex.generic_local] or list(names)
        out.append(_Mention(run[0].start(), run[-1].end(), names, decisive[-1] in lex.local))
    return out


def _weight(lex: _Places, text: str, mention: _Mention) -> float:
    """How likely this mention is where the matter happens (0: surely not, 1: surely)."""
    w = lex.words
    before = text[clause_start(text, mention.start) : mention.start]
    after = text[mention.end : mention.end + 8]
    if after.startswith(w["not_place_after"]):
        return 0.0
    biography = _biography(lex, text, after)
    if biography is not None:
        return max(biography, RESIDENCE) if mention.local else biography
    activity = any(a in after for a in w["activity_after"])
    travel = before.endswith(w["travel_before"]) or before.endswith(("去了", "到了"))
    if travel or after.startswith(w["travel_after"]):
        if activity:
            return 1.0
        return THRESHOLD if mention.local else 0.0  # 寄到启东 is still ours; 去上海的车 is ours
    if (
        len(mention.names) == 1
        and mention.names[0] in lex.prefecture
        and not (
            before.endswith(w["location_before"])
            or (after.startswith(w["location_after"]) and not after.startswith("市"))
        )
    ):
        return 0.0  # 南通市公积金中心, 南通中院: city-level bodies that serve us too
    if any(o in before for o in w["origin_before"]):
        return ORIGIN
    if after.startswith(w["person_after"]):
        return KIN
    if before.endswith(w["residence_before"]):
        return RESIDENCE
    if before.endswith(w["location_before"]) or after.startswith(w["location_after"]) or activity:
        return 1.0
    if after.startswith("的"):
        return 0.8
    return THRESHOLD


def _biography(lex: _Places, text: str, after: str) -> float | None:
    """在海门上班 / 在苏州读书: the matter's place only if the matter is the job or school."""
    w = lex.words
    for activity, matter in (("work_activity", "work_matter"), ("study_activity", "study_matter")):
        if any(a in after[:6] for a in w[activity]):
            return 1.0 if any(m in text for m in w[matter]) else BIOGRAPHY
    return None


def _clause_has_matter(text: str, mention: _Mention) -> bool:
    """A concrete noun (路灯, 养老金, 公司) in the mention's clause, the place itself aside."""
    lo, hi = clause_start(text, mention.start), clause_end(text, mention.end)
    clause = text[lo : mention.start] + "#" + text[mention.end : hi]
    return concreteness(clause)[0] >= 1


def detect_out_of_area(text: str, local_names: tuple[str, ...] = ()) -> LexiconFlag | None:
    """Flag when the matter's place is another jurisdiction's and no place of ours beats it.

    ``local_names`` adds the routing directory's own place names (towns, zones).
    """
    lex = _places(tuple(sorted({normalize(n) for n in local_names if n})))
    norm = normalize(text)
    masked = lex.identity_local.sub(lambda m: "#" * len(m.group()), norm)
    foreign = local = 0.0
    evidence: list[str] = []
    for mention in _mentions(lex, masked):
        weight = _weight(lex, masked, mention)
        if mention.local:
            if weight and _clause_has_matter(masked, mention):
                weight = max(weight, LOCAL_MATTER)
            local = max(local, weight)
        elif weight > 0:
            foreign = max(foreign, weight)
            evidence.append("".join(mention.names))
    if lex.portability.search(masked):
        foreign *= PORTABLE
    if foreign >= THRESHOLD and foreign > local:
        return LexiconFlag("out_of_area", tuple(dict.fromkeys(evidence)))
    return None
