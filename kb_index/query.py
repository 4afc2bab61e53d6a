"""Query analysis: what an agent typed -> weighted term keys for the postings.

One plan covers every kind of input at once, so nobody has to guess the kind: Han runs
give character bigrams (exact) and pinyin bigrams (homophone typos, traditional input
after conversion); latin runs are read as full pinyin when they segment into syllables,
else as initials resolved through the corpus phrase table; digits and latin words also
match literally.  Long pastes are cut to ``MAX_QUERY_CHARS`` first, so time is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb_index.phrases import PhraseTable
from kb_index.synonyms import expand_colloquial
from kb_index.text import (
    bigram_keys,
    char_syllable,
    normalize_query,
    segment_pinyin,
    syllable_keys,
    unigram_keys,
)

MAX_QUERY_CHARS = 120
PINYIN_WEIGHT = 0.6
SYNONYM_WEIGHT = 0.5
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z]+|[0-9]+")


@dataclass
class QueryPlan:
    text: str
    terms: dict[int, float] = field(default_factory=dict)
    han: str = ""  # Han text typed or resolved from pinyin, for the fuzzy rerank
    syllables: list[int] = field(default_factory=list)  # pinyin of the whole query
    char_keys: set[int] = field(default_factory=set)
    pinyin_keys: set[int] = field(default_factory=set)

    def add(self, keys: list[int], weight: float) -> None:
        for k in keys:
            self.terms[k] = self.terms.get(k, 0.0) + weight


def analyze(raw: str, phrases: PhraseTable) -> QueryPlan | None:
    text = raw[:MAX_QUERY_CHARS].strip()
    if not text:
        return None
    text = normalize_query(text)
    plan = QueryPlan(text=text)
    han_parts: list[str] = []
    for token in _TOKEN.findall(text):
        first = token[0]
        if first.isdigit():
            plan.add(_keys(token), 1.0)
            plan.char_keys.update(_keys(token))
        elif first.isascii():
            _latin(token, plan, phrases, han_parts)
        else:
            han_parts.append(token)
            _han(token, plan, 1.0)
            for extra in expand_colloquial(token):
                _han(extra, plan, SYNONYM_WEIGHT)
    plan.han = " ".join(han_parts)
    if not plan.terms:
        return None
    return plan


def _keys(text: str) -> list[int]:
    if len(text) == 1:
        return [int(k) for k in unigram_keys(text)]
    return [int(k) for k in bigram_keys(text)]


def _han(token: str, plan: QueryPlan, weight: float) -> None:
    keys = _keys(token)
    plan.add(keys, weight)
    plan.char_keys.update(keys)
    syls = [char_syllable(c) for c in token]
    plan.syllables.extend(s for s in syls if s)
    if len(token) >= 2 and all(syls):
        pk = syllable_keys(syls)
        plan.add(pk, weight * PINYIN_WEIGHT)
        plan.pinyin_keys.update(pk)


def _latin(token: str, plan: QueryPlan, phrases: PhraseTable, han_parts: list[str]) -> None:
    literal = _keys(token) if len(token) >= 2 else []
    plan.add(literal, 0.3)
    segs = segment_pinyin(token)
    if segs and len(segs[0]) >= 2:
        pk = syllable_keys(segs[0])
        plan.add(pk, 1.0 + PINYIN_WEIGHT)
        plan.pinyin_keys.update(pk)
        plan.syllables.extend(segs[0])
        return
    pieces = phrases.lookup(token)
    if not pieces and segs:
        plan.syllables.extend(segs[0])
    for alternatives in pieces:
        best = alternatives[0][0]
        han_parts.append(best)
        plan.syllables.extend(char_syllable(c) for c in best)
        for phrase, prior in alternatives:
            keys = _keys(phrase)
            plan.add(keys, 0.4 + 0.8 * prior)
            plan.char_keys.update(keys)
