"""The screens' side of the intake assist and the KB: imported lazily, optional.

The form must work while ``workstation.assist`` or ``kb_index`` are missing or broken:
every function here returns ``None`` (no suggestion, no KB) instead of raising.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
_assistants: dict[int, Any] = {}  # routing directory hash -> Assistant


def detect_emergency(text: str) -> Any | None:
    """The fast lexicon check (well under 1 ms): safe to run on the event loop per keystroke."""
    if not text.strip():
        return None
    try:
        from workstation.assist.lexicon import detect_emergency as detect
    except ImportError:
        return None
    try:
        return detect(text)
    except Exception:  # the assist must never break typing
        log.exception("detect_emergency failed")
        return None


def assistant_for(services: Any) -> Any | None:
    """One ``Assistant`` per services object, built from its routing directory (slow: thread)."""
    with _lock:
        try:
            units = services.units()
        except Exception:
            log.exception("routing directory unavailable")
            return None
        key = hash(tuple(units))  # the same directory gives the same (immutable) assistant
        if key in _assistants:
            return _assistants[key]
        try:
            from workstation.assist.assistant import Assistant

            assistant: Any = Assistant.from_directory(units)
        except Exception:
            log.exception("intake assist unavailable")
            assistant = None
        _assistants[key] = assistant
        return assistant


def suggest(services: Any, text: str) -> Any | None:
    if len(text.strip()) < 4:
        return None
    assistant = assistant_for(services)
    if assistant is None:
        return None
    try:
        return assistant.suggest(text)
    except Exception:
        log.exception("assist suggest failed")
        return None


def knowledge_base(services: Any) -> Any | None:
    """``services.kb``; with an older kb_index package, the store class on the seat file."""
    try:
        return services.kb
    except ImportError:
        pass
    except Exception:
        log.exception("knowledge base unavailable")
        return None
    try:
        from kb_index.store import KnowledgeBase

        kb = KnowledgeBase(services.db.path)
    except Exception:
        log.exception("knowledge base unavailable")
        return None
    services._kb = kb  # cached on the services object, as its own property does
    return kb


def article(kb: Any, article_id: str) -> Any | None:
    for name in ("get", "article"):
        getter = getattr(kb, name, None)
        if getter is not None:
            return getter(article_id)
    return None
