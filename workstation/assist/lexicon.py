"""Lexicon checks for requests the hotline must not accept (不予受理).

Pure functions over the vocabularies shipped in ``assist/data``: no model, no I/O after the
first call. Emergencies live in :mod:`workstation.assist.emergency` (re-exported here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from workstation.assist.emergency import Emergency, detect_emergency
from workstation.assist.text import alternation, normalize

__all__ = [
    "Emergency",
    "LexiconFlag",
    "detect_emergency",
    "detect_litigation",
    "detect_secret",
    "load_json",
    "vague_cues",
]


@dataclass(frozen=True)
class LexiconFlag:
    """A possible non-accepted reason found by a lexicon, with the evidence for the agent."""

    reason: str
    evidence: tuple[str, ...]


def load_json(name: str) -> dict[str, Any]:
    data = resources.files("workstation.assist").joinpath("data").joinpath(name).read_text("utf-8")
    return json.loads(data)


@cache
def _nonaccept() -> dict[str, Any]:
    raw = load_json("nonaccept.json")
    lit, sec = raw["litigation"], raw["secret"]
    return {
        "lit_strong": alternation(lit["strong"]),
        "lit_proc": alternation(lit["proceedings"]),
        "lit_status": tuple(normalize(w) for w in lit["status"]),
        "sec_state": alternation(sec["state"]),
        "sec_third": alternation(sec["third_party"]),
        "sec_private": alternation(sec["private_info"]),
        "sec_ask": alternation(sec["ask"]),
        "vague": alternation(raw["vague"]["cues"]),
        "vague_min": int(raw["vague"]["min_chars"]),
    }


def detect_litigation(text: str) -> LexiconFlag | None:
    """Already in court, arbitration or administrative review (涉诉涉仲裁复议)."""
    lex = _nonaccept()
    norm = normalize(text)
    evidence = [m.group() for m in lex["lit_strong"].finditer(norm)]
    for match in lex["lit_proc"].finditer(norm):
        lo = max(0, match.start() - 8)
        window = norm[lo : match.end() + 8]
        if any(s in window for s in lex["lit_status"]) and not _asks_how(norm, match.start()):
            evidence.append(match.group())
    return LexiconFlag("litigation", tuple(dict.fromkeys(evidence))) if evidence else None


def _asks_how(norm: str, pos: int) -> bool:
    """'怎么申请仲裁' asks about the procedure: a consultation, not a case in progress."""
    before = norm[max(0, pos - 8) : pos]
    return any(w in before for w in ("怎么", "如何", "能不能", "可以", "想", "要不要", "是否"))


def detect_secret(text: str) -> LexiconFlag | None:
    """State or commercial secrets, or another person's private information (涉密/隐私)."""
    lex = _nonaccept()
    norm = normalize(text)
    state = [m.group() for m in lex["sec_state"].finditer(norm)]
    if state:
        return LexiconFlag("secret", tuple(dict.fromkeys(state)))
    third = lex["sec_third"].search(norm)
    private = lex["sec_private"].search(norm)
    ask = lex["sec_ask"].search(norm)
    if third and private and ask:
        return LexiconFlag("secret", (third.group(), private.group(), ask.group()))
    return None


def vague_cues(text: str) -> tuple[str, ...]:
    """Phrases typical of a request too unspecific to handle (诉求不明确)."""
    lex = _nonaccept()
    return tuple(dict.fromkeys(m.group() for m in lex["vague"].finditer(normalize(text))))
