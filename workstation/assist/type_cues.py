"""Cold-start request type from cue phrases (请问 → consultation, 建议 → suggestion).

Used until the server has trained a model on the city's own closed orders; the weights in
``assist/data/type_cues.json`` are rough log-odds.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from workstation.assist.lexicon import load_json
from workstation.assist.text import normalize
from workstation.models import OrderType


@cache
def _type_cues() -> dict[str, Any]:
    return load_json("type_cues.json")


def cue_type_scores(norm: str) -> dict[str, float]:
    """Cold-start type scores from cue phrases (请问 → consultation, 建议 → suggestion)."""
    cues = _type_cues()
    scores = dict(cues["prior"])
    for order_type in OrderType:
        for phrase, weight in cues[order_type.value].items():
            if normalize(phrase) in norm:
                scores[order_type.value] += weight
    return scores
