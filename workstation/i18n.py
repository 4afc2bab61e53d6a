"""The interface language: Simplified Chinese by default, English with ``--lang en``.

Domain messages carry both languages; this module picks one. It holds one process-wide
setting because a workstation serves one person in one language at a time.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]
_current: Language = "zh"


def set_language(lang: str) -> None:
    global _current
    if lang not in ("zh", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'zh' or 'en'")
    _current = lang  # type: ignore[assignment]


def language() -> Language:
    return _current


def tr(zh: str, en: str) -> str:
    """Return the text in the current language."""
    return zh if _current == "zh" else en
