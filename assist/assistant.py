"""The intake assist's one entry point for the UI and the server: :class:`Assistant`.

``Assistant.from_directory(units, kb_articles, model)`` then ``suggest(text)`` gives the
type with a confidence, three handling units with reasons, and a possible non-accepted
reason (with the number to transfer an emergency to). The agent decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assist.directory import DirectoryIndex, UnitArticle
from assist.features import softmax
from assist.lexicon import (
    detect_emergency,
    detect_litigation,
    detect_secret,
    detect_vague,
)
from assist.model import Model
from assist.places import detect_out_of_area
from assist.text import normalize
from assist.type_cues import cue_type_scores
from workstation.models import OrderType, RejectReason, Unit

KEYWORD_WEIGHT = 0.3  # keyword evidence next to the pseudo-document classifier
EMERGENCY_TYPE_CONFIDENCE = 0.9
CUE_BLEND = (
    0.1  # cue log-odds beside a trained type head: 0.813 -> 0.821 by 5-fold CV (real messages)
)
TEMPERATURE = 0.25  # turns linear scores into shares that can be blended
HISTORY_HALF = 300  # orders with a unit label at which history and directory weigh equally
HISTORY_MAX = 0.85  # the directory always keeps a say (new units, reorganisations)


@dataclass(frozen=True)
class UnitSuggestion:
    code: str
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Suggestion:
    """What the intake form shows beside the text; every field is a suggestion."""

    type: OrderType
    type_confidence: float
    units: list[UnitSuggestion]
    reject_reason: RejectReason | None = None
    transfer_to: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def emergency(self) -> bool:
        return self.reject_reason is RejectReason.EMERGENCY

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "type_confidence": round(self.type_confidence, 4),
            "units": [u.code for u in self.units],
            "unit_details": [u.to_dict() for u in self.units],
            "reject_reason": self.reject_reason.value if self.reject_reason else None,
            "transfer_to": self.transfer_to,
            "flags": list(self.flags),
        }


class Assistant:
    """Suggests type, units and a non-accepted reason for a request text."""

    def __init__(self, index: DirectoryIndex, model: Model | None = None) -> None:
        self.index = index
        self.model = model
        self._local_names = tuple(
            normalize(u.short) for u in index.units if u.kind in ("town", "zone") and u.short
        )

    @classmethod
    def from_directory(
        cls,
        units: Sequence[Unit],
        kb_articles: Iterable[UnitArticle | Mapping[str, Any]] | None = None,
        model: Model | None = None,
    ) -> Assistant:
        articles = [
            a if isinstance(a, UnitArticle) else UnitArticle.from_dict(a) for a in kb_articles or ()
        ]
        return cls(DirectoryIndex(list(units), articles).fit(), model)

    def warm_up(self) -> None:
        """Load every vocabulary now (about 0.2 s once) so no suggestion pays for it."""
        self.suggest("预热：我想问一下小区路灯不亮找哪个部门")

    def suggest(self, text: str) -> Suggestion:
        norm = normalize(text)
        row = self.model.transform(norm) if self.model is not None else None
        order_type, confidence = self._type(norm, row)
        units, specificity = self._units(norm, row)
        reason, transfer_to, flags = self._reject(text, norm, specificity)
        if reason is RejectReason.EMERGENCY:  # a call for urgent help is a 求助 whatever its words
            order_type, confidence = OrderType.HELP, max(confidence, EMERGENCY_TYPE_CONFIDENCE)
        return Suggestion(order_type, confidence, units, reason, transfer_to, flags)

    def _type(self, norm: str, row: Any) -> tuple[OrderType, float]:
        scores = self.model.type_scores(row) if self.model is not None and row is not None else {}
        cues = cue_type_scores(norm)
        if scores:  # the cues still add what a city's history may not have seen yet
            scores = {k: v + CUE_BLEND * cues.get(k, 0.0) for k, v in scores.items()}
        else:
            scores = cues
        shares = softmax(scores)
        best = max(shares, key=lambda k: shares[k])
        return OrderType(best), shares[best]

    def _units(self, norm: str, row: Any) -> tuple[list[UnitSuggestion], float]:
        index = self.index
        kw_scores, hits = index.keyword_scores(norm)
        clf = index.classifier_scores(norm)
        cold = {c: clf.get(c, 0.0) + KEYWORD_WEIGHT * kw_scores.get(c, 0.0) for c in index.codes}
        blended = softmax(cold, TEMPERATURE)
        history: dict[str, float] = {}
        similar: list[tuple[float, str, str, str]] = []
        if self.model is not None and self.model.unit_head is not None and row is not None:
            raw = {c: v for c, v in self.model.unit_scores(row).items() if c in blended}
            if raw:
                history = softmax(raw, TEMPERATURE)
                n = self.model.unit_orders
                w = min(HISTORY_MAX, n / (n + HISTORY_HALF))
                blended = {c: (1 - w) * p + w * history.get(c, 0.0) for c, p in blended.items()}
            similar = self.model.similar_orders(row)
        top = sorted(blended, key=lambda c: (-blended[c], c))[:3]
        suggestions = []
        for code in top:
            unit = index.unit(code)
            reasons = index.hit_reasons(code, hits.get(code, []))
            duties = index.duty_reasons(code, norm)
            if duties:
                reasons.append("职责: " + "；".join(duties))
            articles = index.article_reasons(code, norm)
            if articles:
                reasons.append("知识库: " + "；".join(f"{a.id} {a.title}" for a in articles))
            near = [s for s in similar if s[1] == code and s[0] >= 0.2]
            if near:
                label = near[0][2] or near[0][3][:24]
                reasons.append(f"相似历史工单 {len(near)} 件: {label}")
            if not reasons:
                grams = index.ngram_reasons(code, norm)
                if grams:
                    reasons.append("相近用语: " + "、".join(grams))
            if history.get(code, 0.0) >= 0.2:
                reasons.append(f"历史派单模型 {history[code]:.0%}")
            suggestions.append(
                UnitSuggestion(code, unit.name if unit else code, blended[code], reasons)
            )
        best = top[0] if top else ""
        specificity = kw_scores.get(best, 0.0) + max(clf.values(), default=0.0)
        return suggestions, specificity

    def _reject(
        self, text: str, norm: str, specificity: float
    ) -> tuple[RejectReason | None, str | None, list[str]]:
        emergency = detect_emergency(text)
        if emergency is not None:
            words = "、".join(emergency.matched)
            flag = f"emergency:{emergency.category}:{emergency.transfer_to} ({words})"
            return RejectReason.EMERGENCY, emergency.transfer_to, [flag]
        checks = (
            lambda: detect_litigation(text),
            lambda: detect_secret(text),
            lambda: detect_out_of_area(text, self._local_names),
            lambda: detect_vague(text, specificity, self._local_names),
        )
        for check in checks:  # in order: a case in court is litigation wherever it is
            found = check()
            if found is not None:
                return (
                    RejectReason(found.reason),
                    None,
                    [f"{found.reason}: " + "、".join(found.evidence)],
                )
        return None, None, []
