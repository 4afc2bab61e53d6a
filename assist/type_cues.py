"""Cold-start request type from cue structure (请问 → consultation, 建议 → suggestion).

Used until the server has trained a model on the city's own closed orders. A caller's words
carry two kinds of evidence: what the matter is (a power cut, a noisy neighbour, a missing
bus line) and what they ask for (information, action on their own problem, action against
someone, a change). Single phrases get this only roughly, so the cues in
``assist/data/type_cues.json`` have some structure:

* phrases per type in named groups (asking, lament, wrongdoing, proposal...); weights are
  rough log-odds;
* constructions whose type depends on what follows, above all the modal 能不能 / 可以:
  "能不能派人来修" asks for help, "能不能多开一班车" proposes, "能不能在网上办" asks for
  information; the nearest verb after the lead decides;
* patterns for rhetorical questions ("这合理吗"), nobody acting ("没人来修"), wages owed;
* neutral spans (contact details) that are consumed and count for nothing;
* position: the request at the end usually decides ("…想问一下怎么办" against
  "…希望尽快处理"), so the last clause with a cue weighs more;
* negation: "不是投诉，就是想问问" counts 投诉 against complaint;
* discounts: a question asked about one's own predicament ("撑不下去了，想问能不能申请
  低保") or after a strong grievance is not a plain request for information, so the
  question cues count less when the predicament or grievance evidence is strong.

Everything is matched in one pass of one compiled regex, in priority order (neutral spans,
constructions, patterns, then the phrases as a trie where the longest phrase wins), without
overlap: a specific cue ("怎么办理", "能不能派人") consumes the generic one inside it
("怎么办", "能不能"). Each cue counts once per text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from assist.lexicon import load_json
from assist.text import normalize
from workstation.models import OrderType
from workstation.word_regex import trie_alternation

# Clause breaks for position (the "、" of a list does not end a request).
_BREAKS = re.compile(r"[,.;!?。；！？\n…~]+")
_LITERAL = "lit"
_NEUTRAL = "neutral"


@dataclass(frozen=True)
class _Discount:
    """When ``when_type``'s evidence from ``when_groups`` reaches ``at_least``, the
    evidence of ``scale_type`` from ``scale_groups`` is multiplied by ``factor``."""

    when_type: str
    when_groups: frozenset[str]
    at_least: float
    scale_type: str
    scale_groups: frozenset[str]
    factor: float

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> _Discount:
        (when_type, when_groups), (scale_type, scale_groups) = raw["when"], raw["scale"]
        return cls(
            when_type,
            frozenset(when_groups),
            float(raw["at_least"]),
            scale_type,
            frozenset(scale_groups),
            float(raw["factor"]),
        )


@dataclass(frozen=True)
class _Cues:
    regex: re.Pattern[str]
    phrases: dict[str, tuple[tuple[str, float, str], ...]]  # phrase → (type, weight, group)
    patterns: tuple[tuple[str, float, str], ...]  # group index → (type, weight, group)
    negation: re.Pattern[str]
    negatable: frozenset[str]
    negated_factor: float
    prior: dict[str, float]
    tail_weight: float
    discounts: tuple[_Discount, ...]


def _expand(pattern: str, macros: dict[str, str]) -> str:
    for name, body in macros.items():
        pattern = pattern.replace(f"<{name}>", f"(?:{body})")
    return pattern


def _public(section: dict[str, Any]) -> dict[str, Any]:
    """A JSON section without its ``_doc``-style keys."""
    return {k: v for k, v in section.items() if not k.startswith("_")}


@cache
def _cues() -> _Cues:
    raw = load_json("type_cues.json")
    types = [t.value for t in OrderType]
    macros = _public(raw["macros"])
    patterns: list[tuple[str, float, str]] = []

    def group(order_type: str, source: str, weight: float, name: str) -> str:
        expanded = _expand(source, macros)
        if re.compile(expanded).groups:
            raise ValueError(f"type cue pattern must not capture: {source}")
        patterns.append((order_type, float(weight), name))
        return f"(?P<p{len(patterns) - 1}>{expanded})"

    neutral = "|".join(_expand(source, macros) for source in raw["neutral"])
    alternatives = [f"(?P<{_NEUTRAL}>{neutral})"]
    for construction in raw["constructions"]:
        # the lead, then the nearest verb class within the clause decides (lazy gap)
        lead = _expand(construction["lead"], macros)
        gap = _expand("<B>", macros) + f"{{0,{int(construction['gap'])}}}?"
        thens = [group(t, src, w, construction["name"]) for t, src, w in construction["then"]]
        alternatives.append(f"(?:{lead}){gap}(?:" + "|".join(thens) + ")")
    for order_type in types:
        for source, weight, *name in raw["patterns"][order_type]:
            alternatives.append(group(order_type, source, weight, name[0] if name else "pattern"))
    phrases: dict[str, list[tuple[str, float, str]]] = {}
    for order_type in types:
        for name, words in _public(raw["phrases"][order_type]).items():
            for phrase, weight in words.items():
                phrases.setdefault(normalize(phrase), []).append((order_type, float(weight), name))
    alternatives.append(f"(?P<{_LITERAL}>{trie_alternation(phrases)})")
    negation = raw["negation"]
    pattern = "|".join(alternatives)
    return _Cues(
        regex=re.compile(pattern),
        phrases={k: tuple(v) for k, v in phrases.items()},
        patterns=tuple(patterns),
        negation=re.compile("(?:" + "|".join(negation["before"]) + ")" + negation["filler"] + "$"),
        negatable=frozenset(normalize(w) for w in negation["negatable"]),
        negated_factor=float(negation["factor"]),
        prior={t: float(raw["prior"][t]) for t in types},
        tail_weight=float(raw["position"]["tail_weight"]),
        discounts=tuple(_Discount.from_json(d) for d in raw["discounts"]),
    )


def _evidence(norm: str) -> list[tuple[str, str, float, str]]:
    """``(type, cue, weight, group)`` for each distinct cue, after position and negation."""
    cues = _cues()
    phrases, patterns = cues.phrases, cues.patterns
    found: list[tuple[int, str, tuple[tuple[str, float, str], ...]]] = []
    for m in cues.regex.finditer(norm):
        name = m.lastgroup
        if name == _LITERAL:
            cue = m.group()
            found.append((m.start(), cue, phrases[cue]))
        elif name != _NEUTRAL and name is not None:
            found.append((m.start(), m.group(), (patterns[int(name[1:])],)))
    if not found:
        return []
    last = found[-1][0]
    breaks = [m.end() for m in _BREAKS.finditer(norm, 0, last + 1) if m.end() <= last]
    tail = breaks[-1] if breaks else len(norm) + 1  # one clause: position says nothing
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for pos, cue, entries in found:
        factor = cues.tail_weight if pos >= tail else 1.0
        if cue in cues.negatable and cues.negation.search(norm, max(0, pos - 8), pos):
            factor *= cues.negated_factor
            cue = "¬" + cue
        for order_type, weight, group in entries:
            value = weight * factor
            key = (order_type, cue)
            seen = best.get(key)
            if seen is None or abs(value) > abs(seen[0]):
                best[key] = (value, group)
    evidence = [(t, cue, value, group) for (t, cue), (value, group) in best.items()]
    for d in cues.discounts:
        strength = sum(v for t, _, v, g in evidence if t == d.when_type and g in d.when_groups)
        if strength >= d.at_least:
            evidence = [
                (t, c, v * d.factor if t == d.scale_type and g in d.scale_groups else v, g)
                for t, c, v, g in evidence
            ]
    return evidence


def cue_type_evidence(norm: str) -> list[tuple[str, str, float]]:
    """The cues found in a normalised text as ``(type, cue, weight)``, for showing why a
    type was suggested and for tuning the cue list."""
    return [(t, cue, value) for t, cue, value, _ in _evidence(norm)]


def cue_type_scores(norm: str) -> dict[str, float]:
    """Cold-start type scores (rough log-odds) for a normalised text, one per type."""
    scores = dict(_cues().prior)
    for order_type, _cue, value, _group in _evidence(norm):
        scores[order_type] += value
    return scores
