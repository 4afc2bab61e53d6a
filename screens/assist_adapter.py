"""The screens' side of the intake assist and the KB: imported lazily, optional.

The form must work while ``assist`` or ``kb_index`` are missing or broken:
every function here returns ``None`` (no suggestion, no KB) instead of raising.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
_assistants: dict[int, Any] = {}  # (routing directory, model file) hash -> Assistant
_latest: dict[int, int] = {}  # routing directory hash -> the key of its newest assistant


def detect_emergency(text: str) -> Any | None:
    """The fast lexicon check (well under 1 ms): safe to run on the event loop per keystroke."""
    if not text.strip():
        return None
    try:
        from assist.lexicon import detect_emergency as detect
    except ImportError:
        return None
    try:
        return detect(text)
    except Exception:  # the assist must never break typing
        log.exception("detect_emergency failed")
        return None


def assistant_for(services: Any) -> Any | None:
    """One ``Assistant`` per routing directory and model; its directory classifier comes from
    the seat's cache (~0.05 s; trained in a child process on the first start). Call it from
    a thread worker."""
    with _lock:
        try:
            units = services.units()
        except Exception:
            log.exception("routing directory unavailable")
            return None
        model_path = _model_path(services)
        # the same directory and model give the same (immutable) assistant
        key = hash((tuple(units), str(model_path)))
        if key in _assistants:
            return _assistants[key]
        try:
            from assist.assistant import Assistant

            model = _load_model(model_path)
            assistant: Any = _cached(services, units, model)
            if assistant is None:  # in-process training holds the GIL: the last resort
                assistant = Assistant.from_directory(units, model=model)
            assistant.warm_up()  # vocabularies load here, off the event loop, not on a keystroke
        except Exception:
            log.exception("intake assist unavailable")
            assistant = None
        previous = _latest.get(hash(tuple(units)))
        if previous is not None:
            _assistants.pop(previous, None)  # the assistant of the model this one replaces
        _latest[hash(tuple(units))] = key
        _assistants[key] = assistant
        return assistant


def _cached(services: Any, units: list[Any], model: Any | None) -> Any | None:
    """The directory classifier from the seat's cache: trained once, in a child process.

    The adapter trains it without KB articles, so its key is the routing directory alone.
    """
    data_dir = getattr(services, "data_dir", None)
    if data_dir is None:
        return None
    try:
        from assist.cache import cached_assistant

        return cached_assistant(units, data_dir / "assist", model=model)
    except Exception:
        log.exception("assist model cache unavailable; training in this process")
        return None


def _model_path(services: Any) -> Any | None:
    """The model the seat received with its sync (``assist_model_path``), if any."""
    try:
        return services.assist_model_path()
    except AttributeError:
        return None
    except Exception:
        log.exception("assist model lookup failed")
        return None


def _load_model(path: Any | None) -> Any | None:
    """The trained model, or None (a damaged file: the directory alone still suggests)."""
    if path is None:
        return None
    try:
        from assist.model import Model

        return Model.load(path)
    except Exception:
        log.exception("assist model %s unusable", path)
        return None


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
        from kb_index.knowledge_base import KnowledgeBase

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
