"""Lexicon checks for requests the hotline must not accept (不予受理).

Pure functions over the vocabularies shipped in ``assist/data``: no model, no I/O after the
first call. Emergencies live in :mod:`assist.emergency` (re-exported here).

Each reason is a structure over the text, not a list of remembered sentences: litigation
needs a proceeding and a sign that it is filed or decided; a secret needs an ask-to-find-out
verb and someone else's information; vague needs cues of an unspecific request and no
concrete noun. The vocabularies are in ``data/nonaccept.json`` (regular expressions).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from assist.emergency import Emergency, detect_emergency
from assist.text import alternation, clause_end, clause_start, normalize

__all__ = [
    "Emergency",
    "LexiconFlag",
    "detect_emergency",
    "detect_litigation",
    "detect_secret",
    "detect_vague",
    "load_json",
    "vague_cues",
]

_SENTENCE = re.compile(r"[。！？!?；;\n]+")
_BREAK = re.compile(r"[，,、：:]")
_CJK = re.compile(r"[\u4e00-\u9fff0-9a-z]")
STRONG_MATCH = 2.0  # directory match (keyword + classifier score) that names a matter


@dataclass(frozen=True)
class LexiconFlag:
    """A possible non-accepted reason found by a lexicon, with the evidence for the agent."""

    reason: str
    evidence: tuple[str, ...]


def load_json(name: str) -> dict[str, Any]:
    data = resources.files("assist").joinpath("data").joinpath(name).read_text("utf-8")
    return json.loads(data)


def patterns(items: list[str]) -> re.Pattern[str]:
    """One regex over regular-expression ``items``, longest source first."""
    unique = sorted({normalize(p) for p in items if p}, key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in unique) or r"(?!x)x")


def _words(items: list[str]) -> tuple[str, ...]:
    return tuple(sorted({normalize(w) for w in items if w}, key=len, reverse=True))


@cache
def _nonaccept() -> dict[str, Any]:
    raw = load_json("nonaccept.json")
    lit, sec, vag = raw["litigation"], raw["secret"], raw["vague"]
    places = load_json("places.json")
    return {
        "lit_decided": patterns(lit["decided"]),
        "lit_acts": patterns(lit["acts"]),
        "lit_proc": patterns(lit["proceedings"]),
        "lit_before": _words(lit["status_before"]),
        "lit_after_start": _words(lit["status_after_start"]),
        "lit_after": _words(lit["status_after"]),
        "lit_firm": _words(lit["firm_before"]),
        "lit_ask": _words(lit["ask_before"]),
        "lit_hypo": _words(lit["hypothetical"]),
        "lit_non_judicial": _words(lit["non_judicial"]),
        "sec_ask": patterns(sec["ask"]),
        "sec_neg": _words(sec["ask_negation"]),
        "sec_giver": _words(sec["giver_before"]),
        "sec_personal": tuple(re.compile(normalize(p)) for p in sec["personal"]),
        "sec_third": patterns(sec["third_party"]),
        "sec_own": patterns(sec["own"]),
        "sec_state_secret": patterns(sec["state_secret"]),
        "sec_state": alternation(sec["state"]),
        "sec_state_target": patterns(sec["state_target"]),
        "sec_trade_strong": patterns(sec["trade_strong"]),
        "sec_trade": patterns(sec["trade"]),
        "sec_owner": patterns(sec["trade_owner"]),
        "sec_competitor": alternation(sec["competitor"]),
        "sec_inherent": alternation(sec["trade_inherent"]),
        "sec_bidding": alternation(sec["bidding"]),
        "sec_state_ask": alternation(sec["state_ask"]),
        "sec_question": patterns(sec["question"]),
        "sec_weak_third": frozenset(normalize(w) for w in sec["question_weak_third"]),
        "sec_question_neg": alternation(sec["question_negation"]),
        "sec_question_chars": int(sec["question_chars"]),
        "sec_no_question": alternation(sec["state_no_question"]),
        "sec_watch": patterns(sec["surveillance"]),
        "sec_watch_own": alternation(sec["surveillance_own"]),
        "sec_near": (
            int(sec["ask_before_chars"]),
            int(sec["ask_after_chars"]),
            int(sec["third_party_chars"]),
        ),
        "vague": patterns(vag["cues"]),
        "anchors": alternation(
            list(vag["anchors"]) + list(places["local"]) + list(places["other"])
        ),
        "topics": alternation(vag["topics"]),
        "anchor_suffix": re.compile(vag["anchor_suffix"]),
        "time": re.compile(vag["time_or_number"]),
        "procedure": re.compile(vag["procedure"]),
        "politeness": alternation(vag["politeness"]),
        "chars_per_cue": int(vag["chars_per_cue"]),
        "unspecific": _words(vag["unspecific_before"]),
        "min_chars": int(vag["min_chars"]),
        "short_chars": int(vag["short_chars"]),
    }


# --- litigation (涉诉涉仲裁复议) ------------------------------------------------------------


def detect_litigation(text: str) -> LexiconFlag | None:
    """Already in court, arbitration or administrative review, or decided by them.

    Asking how to sue or apply (怎么申请仲裁, 如果起诉的话) or threatening to (再不修就起诉了)
    is a consultation or a complaint, and stays accepted.
    """
    lex = _nonaccept()
    norm = normalize(text)
    evidence: list[str] = []
    for match in lex["lit_decided"].finditer(norm):
        before = _clause_before(norm, match.start())
        if not any(w in before for w in lex["lit_hypo"]):
            evidence.append(match.group())
    for match in lex["lit_acts"].finditer(norm):
        if _not_asking(lex, _clause_before(norm, match.start())):
            evidence.append(match.group())
    for match in lex["lit_proc"].finditer(norm):
        clause = _clause_before(norm, match.start())
        after = norm[match.end() : clause_end(norm, match.end())][:8]
        status = any(w in clause[-8:] for w in lex["lit_before"])
        status = status or after.startswith(lex["lit_after_start"])
        status = status or any(w in after for w in lex["lit_after"])
        earlier = norm[max(0, match.start() - 30) : match.start()]
        if match.group() == "立案" and any(w in earlier for w in lex["lit_non_judicial"]):
            continue  # 去派出所立案: a police report, not a court case
        if status and _not_asking(lex, clause):
            evidence.append(match.group())
    return LexiconFlag("litigation", tuple(dict.fromkeys(evidence))) if evidence else None


def _not_asking(lex: dict[str, Any], before: str) -> bool:
    """No 怎么/想/如果/准备 before the proceeding, unless 已经/正在/去年 says it is real."""
    asking = any(w in before for w in lex["lit_ask"])
    return not asking or any(w in before[-10:] for w in lex["lit_firm"])


def _clause_before(norm: str, pos: int) -> str:
    return norm[clause_start(norm, pos) : pos]


# --- secrets and privacy (涉密, 他人隐私) ---------------------------------------------------


def detect_secret(text: str) -> LexiconFlag | None:
    """Asks for state or military secrets, a business's secrets, or another person's data.

    The ask must be near what is asked for (帮我查查她住在哪里), so a long letter that
    mentions a neighbour here and an income there is not a request for anyone's data. A
    question next to the target asks by itself (那个人叫什么名字, 营业额多少).
    """
    lex = _nonaccept()
    norm = normalize(text)
    own_incident = lex["sec_watch_own"].search(norm) is not None
    for sentence in _SENTENCE.split(norm):
        asks = _asks(lex, sentence)
        questions = _questions(lex, sentence)
        state_asks = asks + list(lex["sec_state_ask"].finditer(sentence))
        checks: list[tuple[_Target, list[re.Match[str]]]] = [
            (_state_secret(lex, sentence), state_asks)
        ]
        if asks or questions:  # the costlier scans only where something is asked
            checks.append((_trade_secret(lex, sentence), asks))
            checks.append((_personal_secret(lex, sentence), asks))
            if not own_incident:
                checks.append((_surveillance(lex, sentence), asks))
        for target, verbs in checks:
            for evidence, start, end in target:
                ask = _near_ask(lex, verbs, start, end) or _near_question(
                    lex, sentence, questions, evidence, start, end
                )
                if ask:
                    return LexiconFlag("secret", tuple(dict.fromkeys((*evidence, ask))))
    return None


_Target = list[tuple[list[str], int, int]]


def _asks(lex: dict[str, Any], sentence: str) -> list[re.Match[str]]:
    """Ask-to-find-out verbs that are not negated (不告诉我) nor the caller giving (我提供)."""
    out = []
    for match in lex["sec_ask"].finditer(sentence):
        before = sentence[max(0, match.start() - 3) : match.start()]
        if before.endswith(lex["sec_neg"]):
            continue
        if match.group().endswith(("提供", "透露")) and before.endswith(lex["sec_giver"]):
            continue
        out.append(match)
    return out


def _near_ask(lex: dict[str, Any], asks: list[re.Match[str]], start: int, end: int) -> str:
    before, after, _ = lex["sec_near"]
    for ask in asks:
        if start - before <= ask.start() <= end + after:
            return ask.group()
    return ""


def _questions(lex: dict[str, Any], sentence: str) -> list[re.Match[str]]:
    """Interrogatives not after 不知道 in their clause (不知道他叫什么 is no question)."""
    out = []
    for match in lex["sec_question"].finditer(sentence):
        if not lex["sec_question_neg"].search(_clause_before(sentence, match.start())):
            out.append(match)
    return out


def _near_question(
    lex: dict[str, Any],
    sentence: str,
    questions: list[re.Match[str]],
    evidence: list[str],
    start: int,
    end: int,
) -> str:
    """A question inside the target or a few characters from it, in the same clause.

    ``evidence`` is (whose, what): a question about 谁 or 村民 in general asks of nobody.
    """
    if lex["sec_no_question"].search(evidence[-1]):
        return ""
    if len(evidence) > 1 and evidence[0] in lex["sec_weak_third"]:
        return ""
    reach = lex["sec_question_chars"]
    for question in questions:
        if not (start - reach <= question.end() and question.start() <= end + reach):
            continue
        lo, hi = min(question.end(), start), max(question.start(), end)
        if lo >= hi or not _BREAK.search(sentence[lo:hi]):
            return question.group()
    return ""


def _state_secret(lex: dict[str, Any], sentence: str) -> _Target:
    out: _Target = [
        ([m.group()], m.start(), m.end()) for m in lex["sec_state_secret"].finditer(sentence)
    ]
    military = lex["sec_state"].search(sentence)  # anywhere in the sentence: 那个单位
    if military:
        for target in lex["sec_state_target"].finditer(sentence):
            out.append(([military.group(), target.group()], target.start(), target.end()))
    return out


def _trade_secret(lex: dict[str, Any], sentence: str) -> _Target:
    out: _Target = [
        ([m.group()], m.start(), m.end()) for m in lex["sec_inherent"].finditer(sentence)
    ]
    owners = list(lex["sec_owner"].finditer(sentence))
    competitors = list(lex["sec_competitor"].finditer(sentence))
    if lex["sec_bidding"].search(sentence):  # 竞标 ... 他们的报价: any other bidder
        competitors += owners
    for kind, who in (("sec_trade_strong", owners), ("sec_trade", competitors)):
        for target in lex[kind].finditer(sentence):
            for owner in who:
                if _owned_by_caller(lex, sentence, target.start(), owner.end()):
                    continue
                if 0 <= target.start() - owner.end() <= 16:
                    out.append(([owner.group(), target.group()], owner.start(), target.end()))
    return out


def _personal_secret(lex: dict[str, Any], sentence: str) -> _Target:
    near = lex["sec_near"][2]
    out: _Target = []
    targets = (m for pattern in lex["sec_personal"] for m in pattern.finditer(sentence))
    for target in targets:  # each pattern on its own: 手机号 and 号码是谁的 overlap
        if _owned_by_caller(lex, sentence, target.start()):
            continue
        window = sentence[max(0, target.start() - near) : target.end()]
        third = lex["sec_third"].search(window)
        if third:
            out.append(([third.group(), target.group()], target.start(), target.end()))
    return out


def _surveillance(lex: dict[str, Any], sentence: str) -> _Target:
    """Footage asked for while the sentence is about another person (我老婆跟别人出去了)."""
    footage = list(lex["sec_watch"].finditer(sentence))
    third = lex["sec_third"].search(sentence) if footage else None
    if third is None:
        return []
    return [([third.group(), m.group()], m.start(), m.end()) for m in footage]


def _owned_by_caller(lex: dict[str, Any], sentence: str, pos: int, other_end: int = -1) -> bool:
    """我的收入, 我名下: the nearest owner before the target is the caller.

    ``other_end`` is where a named other owner ends (对手的价格), if one was found.
    """
    window = sentence[max(0, pos - 8) : pos + 3]
    own = [m.end() for m in lex["sec_own"].finditer(window)]
    other = [m.end() for m in lex["sec_third"].finditer(window)]
    if other_end >= 0:
        other.append(other_end - max(0, pos - 8))
    return bool(own) and max(own) >= max(other, default=-1)


# --- vague (诉求不明确) ---------------------------------------------------------------------


def vague_cues(text: str) -> tuple[str, ...]:
    """Phrases typical of a request too unspecific to handle (诉求不明确)."""
    lex = _nonaccept()
    return tuple(dict.fromkeys(m.group() for m in lex["vague"].finditer(normalize(text))))


def concreteness(text: str, local_names: tuple[str, ...] = ()) -> tuple[float, int]:
    """(anchors, topics): concrete nouns of objects, places, organisations, times; matters.

    An anchor right after 那个什么/哪个 (那个什么部门) names nothing and does not count.
    """
    lex = _nonaccept()
    norm = normalize(text)
    anchors: set[str] = set()
    for match in lex["anchors"].finditer(norm):
        if not norm[max(0, match.start() - 4) : match.start()].endswith(lex["unspecific"]):
            anchors.add(match.group())
    anchors.update(m.group() for m in lex["anchor_suffix"].finditer(norm))
    anchors.update(n for n in local_names if n and n in norm)
    score = float(len(anchors))
    if lex["time"].search(norm):
        score += 0.5
    topics = len({m.group() for m in lex["topics"].finditer(norm)})
    topics += _procedure_of_something(lex, norm)
    return score, topics


def _procedure_of_something(lex: dict[str, Any], norm: str) -> int:
    """公租房怎么申请: asking how to do something to a named thing names a matter."""
    plain = lex["politeness"].sub("", norm)
    match = lex["procedure"].search(plain)
    if match is None:
        return 0
    rest = plain[: match.start()] + plain[match.end() :]
    return int(len(_CJK.findall(lex["vague"].sub("", rest))) >= 2)


def detect_vague(
    text: str, specificity: float = 0.0, local_names: tuple[str, ...] = ()
) -> LexiconFlag | None:
    """No identifiable matter, place or request (那个事情你们到底管不管).

    ``specificity`` is how strongly the routing directory matched the text: a strong match
    counts as one more topic.
    """
    lex = _nonaccept()
    norm = normalize(text)
    content = len(_CJK.findall(norm))
    anchors, topics = concreteness(norm, local_names)
    if anchors >= 1:
        return None
    if content < lex["min_chars"]:
        return LexiconFlag("vague", ("too short",))
    topics += int(specificity >= STRONG_MATCH)
    cues = vague_cues(norm)
    if len(cues) > topics + content // lex["chars_per_cue"]:
        return LexiconFlag("vague", cues)
    if not cues and not topics and content < lex["short_chars"]:
        return LexiconFlag("vague", ("nothing concrete",))
    return None
