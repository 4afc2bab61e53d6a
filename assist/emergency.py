"""Emergencies to transfer (紧急警情): fire and rescue 119, police 110, ambulance 120, traffic 122.

Callers rarely say the textbook word (火灾, 中风, 走失): they describe what they see — a
hiss from the gas pipe, a mouth gone crooked, a child gone when they turned round. So the
vocabulary in ``assist/data/emergency.json`` is a set of word classes (people, falls,
"can't get up", gas, "leaking", …) and rules that fire when the right classes meet in one
sentence. What the clause says around the words decides whether it is happening now: a
past, habitual or hypothetical clause (去年, 天天, 万一), a denial (不是), a figure of speech
(吵得我都想跳楼), a question about fees or procedures (收费, 怎么申请).

Pure functions, no model, no I/O after the first call, so :func:`detect_emergency` runs on
every keystroke. A missed emergency is the worst error the product can make, so ambiguity
is read as an emergency; the banner is only a suggestion to the agent.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from importlib import resources

from assist.text import meaningful_words, normalize

#: Clause and sentence breaks after NFKC (full-width ，！？ become ASCII; 。 stays).
_CLAUSE_BREAK = re.compile(r"[,.;:!?、 …~。]")
_SENTENCE_BREAK = re.compile(r"[。!?;…]")
#: Explicit dates (2019年, 3月5号) put a narrative in the past: callers in an emergency say 刚才.
_DATE = re.compile(r"(?:19|20)\d\d年|\d{1,2}月\d{1,2}|\d{1,2}月份")
#: Words right after an emergency word that make it a past event (中风后, 车祸之后).
_AFTER_PAST = ("之后", "以后", "后来", "后,", "后就", "后一直", "后瘫", "后留", "后遗")
#: Marker classes that say when the clause happens; later ones win within one word.
_TEMPORAL: tuple[tuple[str, str], ...] = (("NOW", "now"), ("UNTIL_NOW", "now"), ("PAST", "past"))
_TEMPORAL += (("RECENT", "recent"), ("HABIT", "habit"), ("HYPO", "hypo"))
_BLOCKING_STATES = frozenset({"past", "recent", "habit", "hypo"})
_CLAUSE_MARKERS = frozenset({"FIG", "NEG", "AFTER", "AFTER_NEXT", "ASK", "PROC"})
_LIVELY = ("NOW", "SUDDEN")  # cues that the event is happening as the caller speaks
_CARRY = 2  # clauses a past, habitual or hypothetical reading carries on to (去年…，骨折了)
_NEG_REACH = 2  # characters allowed between a denial and the word it denies (没有人受伤)
_AFTER_REACH = 6  # characters after the word where a hazard word still applies (火灾隐患)
_LIVELY_REACH = 24  # an immediacy cue this close to the event makes it happening now
_SETTLED_REACH = 30  # "already in hand" this close to the event switches its rule off
_BACKGROUND = frozenset({"PERSON", "KID", "BODY", "NOW", "SUDDEN"})
_ONE = (1,)


@dataclass(frozen=True)
class Emergency:
    """An emergency to transfer (紧急警情): the number, its kind and the words that said so."""

    transfer_to: str
    category: str
    matched: tuple[str, ...]


@dataclass(frozen=True)
class _Rule:
    name: str
    category: str
    strong: bool
    needs: tuple[frozenset[str], ...]
    strict: tuple[frozenset[str], ...]  # each need less the context classes (never blocked)
    span: int
    unless: frozenset[str]
    unless_near: frozenset[str]  # classes that switch the rule off close by (送到医院, 火灭了)
    unless_text: frozenset[str]  # topics that switch it off anywhere (油烟, 焚烧垃圾)
    tolerate: frozenset[str]


@dataclass(frozen=True)
class _Word:
    """A vocabulary word with what the reader needs to know about it, worked out once."""

    classes: frozenset[str]
    content: bool  # names something a rule looks for (not only a marker)
    temporal: str | None  # the time it sets for its clause: now, past, recent, habit, hypo
    markers: frozenset[str]  # clause markers it carries (FIG, NEG, AFTER, ASK, PROC…)
    shield: bool  # hides words that straddle it (主要 hides 要是 in 主要是)
    kept: bool  # worth reading on: exempt-only words matter only while tokenizing


_DATE_WORD = _Word(frozenset({"PAST"}), False, "past", frozenset(), False, True)


@dataclass(frozen=True)
class _Lexicon:
    firsts: frozenset[str]  # characters a word starts with
    lengths: dict[str, tuple[int, ...]]  # first two characters -> word lengths, longest first
    words: dict[str, _Word]
    rules: tuple[_Rule, ...]
    rules_by_class: dict[str, tuple[int, ...]]  # class -> rules whose first need names it
    evidence: frozenset[str]  # classes worth showing the agent (not who or when: 他, 刚才)
    transfer: dict[str, str]
    priority: tuple[str, ...]


class _Hit:
    """One word found in the text, and what its clause says about it."""

    __slots__ = ("start", "end", "word", "info", "clause", "sentence", "blocks")

    def __init__(self, start: int, end: int, word: str, info: _Word) -> None:
        self.start, self.end, self.word, self.info = start, end, word, info
        self.clause = self.sentence = 0
        self.blocks: frozenset[str] = frozenset()

    def block(self, why: str) -> None:
        self.blocks = self.blocks | {why}


def _closure(index: dict[str, set[str]], content: frozenset[str]) -> dict[str, set[str]]:
    """Give each content word the content classes of the content words inside it.

    The reader keeps the longest word and drops the ones inside it (煤气味 hides 煤气), so
    the longer word must carry their meaning; marker and exempt words neither give nor take
    (血压 is not 血).
    """
    holders = {w for w, cs in index.items() if cs & content}
    out: dict[str, set[str]] = {}
    for word, classes in index.items():
        merged = set(classes)
        if word in holders:
            for i in range(len(word)):
                for j in range(i + 1, len(word) + 1):
                    part = word[i:j]
                    if part != word and part in holders:
                        merged |= index[part] & content
        out[word] = merged
    return out


def _describe(classes: set[str], content: frozenset[str]) -> _Word:
    temporal = None
    for name, kind in _TEMPORAL:
        if name in classes:
            temporal = kind
    is_content = bool(classes & content)
    return _Word(
        classes=frozenset(classes),
        content=is_content,
        temporal=temporal,
        markers=frozenset(classes & _CLAUSE_MARKERS),
        shield="EXEMPT" in classes or not is_content,
        kept=bool(classes - {"EXEMPT"}),
    )


@cache
def _lexicon() -> _Lexicon:
    raw = json.loads(
        resources.files("assist").joinpath("data", "emergency.json").read_text("utf-8")
    )
    index: dict[str, set[str]] = {}
    for name, words in raw["classes"].items():
        for word in words:
            index.setdefault(normalize(word), set()).add(name)
    index.pop("", None)
    context = frozenset(raw["context"])
    rules = tuple(
        _Rule(
            name=r["name"],
            category=r["category"],
            strong=r["strength"] == "strong",
            needs=tuple(frozenset(n.split("|")) for n in r["needs"]),
            strict=tuple(frozenset(n.split("|")) - context for n in r["needs"]),
            span=int(r.get("span", 12)),
            unless=frozenset(r.get("unless", ())),
            unless_near=frozenset(r.get("unless_near", ())),
            unless_text=frozenset(r.get("unless_text", ())),
            tolerate=frozenset(r.get("tolerate", ())),
        )
        for r in raw["rules"]
    )
    content = frozenset(c for rule in rules for need in rule.needs for c in need)
    lengths: dict[str, set[int]] = {}
    for word in index:
        if len(word) > 1:
            lengths.setdefault(word[:2], set()).add(len(word))
    for prefix, sizes in lengths.items():
        if prefix[0] in index:
            sizes.add(1)
    by_class: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for name in rule.needs[0]:
            by_class.setdefault(name, []).append(i)
    return _Lexicon(
        firsts=frozenset(w[0] for w in index),
        lengths={p: tuple(sorted(sizes, reverse=True)) for p, sizes in lengths.items()},
        words={w: _describe(cs, content) for w, cs in _closure(index, content).items()},
        rules=rules,
        rules_by_class={name: tuple(ids) for name, ids in by_class.items()},
        evidence=content - _BACKGROUND,
        transfer=dict(raw["transfer_to"]),
        priority=tuple(raw["priority"]),
    )


def _tokens(norm: str, lex: _Lexicon) -> list[_Hit]:
    """The longest vocabulary word at each position; a word inside an earlier one is dropped.

    Dictionary probes by word length: CPython tries a regex alternation of thousands of
    words branch by branch, which costs ten times more. A marker word, or any word, that
    straddles the end of an exempt or marker word is a false reading and is dropped too.
    """
    hits: list[_Hit] = []
    reach = 0
    shield = False
    firsts, lengths, words = lex.firsts, lex.lengths, lex.words
    limit = len(norm)
    for start, ch in enumerate(norm):
        if ch not in firsts:
            continue
        for size in lengths.get(norm[start : start + 2]) or (_ONE if ch in words else ()):
            end = start + size
            if end <= reach:
                break
            if end > limit:
                continue
            word = norm[start:end]
            info = words.get(word)
            if info is None:
                continue
            if start < reach and (shield or not info.content):
                break
            reach, shield = end, info.shield
            if info.kept:
                hits.append(_Hit(start, end, word, info))
            break
    dates = [_Hit(m.start(), m.end(), m.group(), _DATE_WORD) for m in _DATE.finditer(norm)]
    return sorted(hits + dates, key=lambda h: h.start) if dates else hits


def _read_time(hits: list[_Hit], norm: str) -> set[int]:
    """Block content hits read in a past, habitual or hypothetical clause.

    The time a clause is about carries on to the next two clauses of the sentence (a date
    to its end) until a cue of now (现在, 刚才) or a turn (但是) ends it; a hypothetical
    holds to the end of its own clause even against 现在. Returns the clauses ending in "!".
    """
    breaks = list(_CLAUSE_BREAK.finditer(norm))
    clause_breaks = [m.start() for m in breaks]
    sentence_breaks = [m.start() for m in _SENTENCE_BREAK.finditer(norm)]
    state: str | None = None
    clause = sentence = set_in = -1
    hypo_here = sticky = False
    for hit in hits:
        hit.clause = bisect_left(clause_breaks, hit.start)
        hit.sentence = bisect_left(sentence_breaks, hit.start)
        info = hit.info
        if hit.sentence != sentence:
            state, sentence = None, hit.sentence
        if hit.clause != clause:
            clause, hypo_here = hit.clause, False
            if clause - set_in > _CARRY and not sticky:
                state = None
        if "TURN" in info.classes:
            state = None
        if info.content and state in _BLOCKING_STATES:
            hit.block(state)
        kind = info.temporal
        if kind is None:
            continue
        if kind == "hypo":
            state, hypo_here, set_in = kind, True, clause
        elif kind == "now" and sticky and set_in == clause:
            continue  # 4月23日刚起火: 刚 is relative to the date, still the past
        elif not hypo_here:
            state, set_in = kind, clause
        sticky = info is _DATE_WORD
    return {i for i, m in enumerate(breaks) if m.group() == "!"}


def _read_clauses(hits: list[_Hit], norm: str) -> dict[int, list[_Hit]]:
    """Block content hits that their own clause denies, likens, asks about or bills for."""
    by_clause: dict[int, list[_Hit]] = {}
    for hit in hits:
        by_clause.setdefault(hit.clause, []).append(hit)
    for same in by_clause.values():
        markers = [h for h in same if h.info.markers]
        now_here = any(h.info.temporal == "now" for h in same)
        for hit in same:
            if not hit.info.content:
                continue
            for other in markers:
                if other is hit:
                    continue
                names, gap = other.info.markers, other.start - hit.end
                if "FIG" in names and other.end <= hit.start:
                    hit.block("fig")
                if "NEG" in names and 0 <= hit.start - other.end <= _NEG_REACH:
                    hit.block("neg")
                if ("AFTER" in names and 0 <= gap <= _AFTER_REACH) or (
                    "AFTER_NEXT" in names and gap == 0
                ):
                    hit.block("after")
                if "ASK" in names and gap >= 0 and not now_here:
                    asked = norm[hit.start : other.start]  # 油锅起火怎么办, not 油锅起火了
                    if "了" not in asked and "啦" not in asked:
                        hit.block("generic")
                if "PROC" in names:
                    hit.block("proc")
            tail = norm[hit.end : hit.end + 3]
            if tail.startswith(_AFTER_PAST) or (
                tail[:1] == "过" and tail[:2] not in ("过来", "过去")
            ):
                hit.block("past")
    return by_clause


def _find(
    rule: _Rule, by_class: dict[str, list[_Hit]], by_clause: dict[int, list[_Hit]]
) -> list[_Hit] | None:
    """Hits meeting every need of ``rule`` within its span in one sentence, or None."""
    slots: list[list[_Hit]] = []
    for need, strict in zip(rule.needs, rule.strict, strict=True):
        candidates = [h for name in need for h in by_class.get(name, ())]
        if len(need) > 1:
            candidates = sorted(dict.fromkeys(candidates), key=lambda h: h.start)
        usable: list[_Hit] = []
        for hit in candidates:
            if not hit.info.classes.isdisjoint(strict):
                if hit.blocks - rule.tolerate:
                    continue
                if rule.unless and any(
                    not o.info.classes.isdisjoint(rule.unless) for o in by_clause[hit.clause]
                ):
                    continue
            usable.append(hit)
        if not usable:
            return None
        slots.append(usable)
    for anchor in slots[0]:
        chosen = [anchor]
        for depth, usable in enumerate(slots[1:], start=1):
            # needs that share a class ask for two different words (嘴歪 and 说话不清)
            repeated = any(rule.needs[depth] & earlier for earlier in rule.needs[:depth])
            pick = next(
                (
                    h
                    for h in usable
                    if h.sentence == anchor.sentence
                    and abs(h.start - anchor.start) <= rule.span
                    and not (repeated and any(h is c for c in chosen))
                ),
                None,
            )
            if pick is None:
                break
            chosen.append(pick)
        else:
            return chosen
    return None


def _near(a: _Hit, b: _Hit, reach: int) -> bool:
    return a.sentence == b.sentence and abs(a.start - b.start) <= reach


def detect_emergency(text: str) -> Emergency | None:
    """Return the emergency the text describes as happening now, or None.

    A strong rule (燃气 + 嘶嘶响, 跌了一跤 + 爬不起来, 小孩 + 不见了) flags unless its words
    are past, habitual, hypothetical, denied or figurative in their clause; a weak one
    (受伤, 打架) also needs a cue of now near it (现在, 刚才, 突然, !) or a cry for help
    (救命, 快来人), and stays quiet when the caller says they are safe or already reported
    it. Talk of fees and procedures (收费, 怎么申请) makes strong rules weak.
    When several numbers apply, fire beats police beats a severe medical case beats traffic.
    """
    norm = normalize(text)
    if not norm:
        return None
    lex = _lexicon()
    hits = _tokens(norm, lex)
    if not any(hit.info.content for hit in hits):
        return None
    exclaimed = _read_time(hits, norm)
    by_clause = _read_clauses(hits, norm)
    by_class: dict[str, list[_Hit]] = {}
    for hit in hits:
        for name in hit.info.classes:
            by_class.setdefault(name, []).append(hit)
    present = set(by_class)
    cues = [h for name in _LIVELY for h in by_class.get(name, ())]
    urgent = "URGENT" in present

    def lively(chosen: list[_Hit]) -> bool:
        return urgent or any(
            hit.clause in exclaimed
            or hit.clause + 1 in exclaimed
            or any(_near(cue, hit, _LIVELY_REACH) for cue in cues)
            for hit in chosen
        )

    def settled(rule: _Rule, chosen: list[_Hit]) -> bool:  # 已经送到医院, 火灭了: in hand
        done = [h for name in rule.unless_near for h in by_class.get(name, ())]
        return any(_near(h, d, _SETTLED_REACH) for h in chosen for d in done)

    fired: dict[str, list[str]] = {}
    for i in sorted({i for name in present for i in lex.rules_by_class.get(name, ())}):
        rule = lex.rules[i]
        if not rule.unless_text.isdisjoint(present) or any(
            present.isdisjoint(need) for need in rule.needs[1:]
        ):
            continue
        chosen = _find(rule, by_class, by_clause)
        if chosen is None or settled(rule, chosen):
            continue
        now = lively(chosen)
        strong = rule.strong and (now or "PROC" not in present)
        if not strong and (not now or "SAFE" in present):
            continue
        shown = [h for h in chosen if not h.info.classes.isdisjoint(lex.evidence)] or chosen
        fired.setdefault(rule.category, []).extend(
            h.word for h in sorted(shown, key=lambda h: h.start)
        )
    if not fired:
        return None
    best = next(c for c in lex.priority if c in fired)
    matched = fired[best] + [w for c in lex.priority if c in fired and c != best for w in fired[c]]
    return Emergency(
        transfer_to=lex.transfer[best],
        category="medical" if best == "severe" else best,
        matched=tuple(meaningful_words(norm, matched)),  # 冒、烟 -> 冒烟; never 了 alone
    )
