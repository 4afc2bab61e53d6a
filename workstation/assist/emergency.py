"""Emergencies to transfer (紧急警情): fire 119, crime 110, medical 120, traffic 122.

Pure functions over ``assist/data/emergency.json``: no model, no I/O after the first
call, so :func:`detect_emergency` can run on every keystroke (well under 1 ms).
Biased towards recall: a missed emergency is the worst error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from workstation.assist.text import alternation, clause_end, clause_start, normalize


def _load(name: str) -> dict:
    data = resources.files("workstation.assist").joinpath("data").joinpath(name).read_text("utf-8")
    return json.loads(data)


#: Which number to transfer to wins when several kinds of emergency are mentioned.
_PRIORITY = ("fire", "crime", "severe", "traffic", "medical")


@dataclass(frozen=True)
class Emergency:
    """An emergency to transfer (紧急警情): the number, its kind and the words that said so."""

    transfer_to: str
    category: str
    matched: tuple[str, ...]


@dataclass(frozen=True)
class _EmergencyLexicon:
    pattern: re.Pattern[str]
    index: dict[str, tuple[str, str]]  # word -> (category, strength)
    transfer: dict[str, str]
    immediacy: tuple[str, ...]
    hypothetical: tuple[str, ...]
    past: tuple[str, ...]
    negation: tuple[str, ...]
    calm: tuple[str, ...]


@cache
def _emergency_lexicon() -> _EmergencyLexicon:
    raw = _load("emergency.json")
    index: dict[str, tuple[str, str]] = {}
    transfer: dict[str, str] = {}
    for category, spec in raw["categories"].items():
        transfer[category] = spec["transfer_to"]
        for strength in ("weak", "strong", "severe"):  # later strengths win on duplicates
            for word in spec.get(strength, ()):
                index[normalize(word)] = (category, strength)
    transfer["severe"] = transfer["medical"]

    def words(key: str) -> tuple[str, ...]:
        return tuple(normalize(w) for w in raw[key])

    return _EmergencyLexicon(
        pattern=alternation(list(index)),
        index=index,
        transfer=transfer,
        immediacy=words("immediacy"),
        hypothetical=words("hypothetical"),
        past=words("past"),
        negation=words("negation"),
        calm=words("calm"),
    )


def detect_emergency(text: str) -> Emergency | None:
    """Return the emergency the text describes as happening now, or None.

    A strong word (着火了, 拿着刀, 叫不醒, 撞了) flags unless its clause makes it
    hypothetical, negated or past (万一着火, 没受伤, 去年被撞了); a weak word (受伤, 火灾)
    also needs an immediacy cue (现在, 刚才, 快来, !) and no calming one (暂时是安全的).
    """
    lex = _emergency_lexicon()
    norm = normalize(text)
    strong: list[tuple[str, str]] = []
    weak: list[tuple[str, str]] = []
    for match in lex.pattern.finditer(norm):
        word = match.group()
        category, strength = lex.index[word]
        before = norm[clause_start(norm, match.start()) : match.start()]
        if any(h in before for h in lex.hypothetical) or any(p in before for p in lex.past):
            continue
        if before.endswith(lex.negation):
            continue
        after = norm[match.end() : clause_end(norm, match.end())]
        if any(h in after[:4] for h in ("隐患", "风险", "预防", "知识", "演练", "证明")):
            continue
        if strength == "severe":
            category = "severe"
        (weak if strength == "weak" else strong).append((category, word))
    hits = strong
    if not hits and weak:
        urgent = any(c in norm for c in lex.immediacy)
        calm = any(c in norm for c in lex.calm)
        hits = weak if urgent and not calm else []
    if not hits:
        return None
    categories = {c for c, _ in hits}
    chosen = next(c for c in _PRIORITY if c in categories)
    return Emergency(
        transfer_to=lex.transfer[chosen],
        category="medical" if chosen == "severe" else chosen,
        matched=tuple(dict.fromkeys(w for _, w in hits)),
    )
