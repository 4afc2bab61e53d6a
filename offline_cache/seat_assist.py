"""The seat's knowledge base and intake assist, as the screens receive them.

Owned by ``SeatServices``: one ``KnowledgeBase`` on the seat's SQLite file and one
``Assistant`` per routing directory and model. Both are optional at run time: a missing
or broken ``assist`` or ``kb_index`` gives no hits and no suggestion, never an exception,
so the intake form always works. Results are converted to the frozen records of
:mod:`workstation.seat_api`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workstation.models import Unit
from workstation.seat_api import (
    EmergencyAlert,
    KbArticle,
    KbHit,
    KbSearchResult,
    KbSearchStatus,
    Suggestion,
    UnitHint,
)

log = logging.getLogger(__name__)
_lock = threading.Lock()
# one (immutable) assistant per (routing directory, model file), shared by the seats of a
# process; a newer model of the same directory replaces the older one
_assistants: dict[int, Any] = {}
_latest: dict[int, int] = {}  # routing directory hash -> the key of its newest assistant


class SeatAssist:
    """KB search and intake suggestions for one seat."""

    def __init__(
        self,
        db_path: Path,
        data_dir: Path,
        units: Callable[[], list[Unit]],
        model_path: Callable[[], Path | None],
    ) -> None:
        self._db_path = db_path
        self._data_dir = data_dir
        self._units = units
        self._model_path = model_path
        self._kb: Any = None
        self._kb_lock = threading.Lock()

    # -- knowledge base ------------------------------------------------------------------

    @property
    def kb(self) -> Any:
        """``kb_index.KnowledgeBase`` on the seat file (kb_* tables), opened on first use.

        Its own connection, for searches from worker threads; it sees what the pull wrote
        through the services' ``kb_writer`` once that transaction commits."""
        with self._kb_lock:
            if self._kb is None:
                from kb_index.knowledge_base import KnowledgeBase

                self._kb = KnowledgeBase(self._db_path)
            return self._kb

    def _kb_or_none(self) -> Any | None:
        try:
            return self.kb
        except Exception:
            log.exception("knowledge base unavailable")
            return None

    def search_kb(self, query: str, limit: int = 20) -> list[KbHit]:
        if not query.strip():
            return []
        kb = self._kb_or_none()
        if kb is None:
            return []
        return [_hit(h) for h in kb.search(query, limit=limit)]

    def search_kb_fused(self, query: str, limit: int = 20) -> KbSearchResult:
        """kb_index's fused search with the seat's query encoder. The encoder or the dense
        stage failing gives the lexical list (``dense_used`` False), never an exception."""
        if not query.strip():
            return KbSearchResult()
        kb = self._kb_or_none()
        if kb is None:
            return KbSearchResult(reason="unavailable")
        encoder = self.encoder()
        try:
            found = kb.search_fused(query, limit=limit, encoder=encoder)
        except Exception:
            log.exception("fused KB search failed; lexical results only")
            return KbSearchResult(tuple(self.search_kb(query, limit)), False, "error")
        hits = tuple(_hit(h) for h in found.hits)
        return KbSearchResult(hits, bool(found.dense_used), str(found.reason or ""))

    def kb_search_status(self) -> KbSearchStatus:
        """How many articles have a vector from this seat's encoder (the KB panel says)."""
        kb = self._kb_or_none()
        encoder = self.encoder()
        if kb is None or encoder is None:
            return KbSearchStatus()
        try:
            status = kb.vector_status(encoder.version)
        except Exception:
            log.exception("KB vector status unavailable")
            return KbSearchStatus()
        return KbSearchStatus(
            int(status.articles), int(status.with_vectors), str(status.version), status.usable
        )

    def encoder(self) -> Any | None:
        """The query encoder (``kb_index.encoder.default_encoder``; about 0.1 s to load the
        first time): None if it cannot load, and the KB stays lexical."""
        try:
            from kb_index.encoder import default_encoder

            return default_encoder()
        except Exception:
            log.exception("KB query encoder unavailable; lexical search only")
            return None

    def kb_article(self, article_id: str) -> KbArticle | None:
        kb = self._kb_or_none()
        found = kb.get(article_id) if kb is not None else None
        if found is None:
            return None
        return KbArticle(
            id=found.id, title=found.title, body=found.body, unit=found.unit,
            category=found.category, tags=tuple(found.tags), updated=found.updated,
        )  # fmt: skip

    def close(self) -> None:
        if self._kb is not None:
            self._kb.close()

    # -- intake assist ----------------------------------------------------------------------

    def detect_emergency(self, text: str) -> EmergencyAlert | None:
        """The fast lexicon check (well under 1 ms): fine on the event loop per keystroke."""
        if not text.strip():
            return None
        try:
            from assist.lexicon import detect_emergency

            found = detect_emergency(text)
        except Exception:  # the assist must never break typing
            log.exception("detect_emergency failed")
            return None
        if found is None:
            return None
        return EmergencyAlert(found.transfer_to, found.category, tuple(found.matched))

    def suggest(self, text: str) -> Suggestion | None:
        if len(text.strip()) < 4:
            return None
        assistant = self.assistant()
        if assistant is None:
            return None
        try:
            s = assistant.suggest(text)
        except Exception:
            log.exception("assist suggest failed")
            return None
        return Suggestion(
            type=s.type,
            type_confidence=float(s.type_confidence),
            units=tuple(
                UnitHint(u.code, u.name, float(u.score), tuple(u.reasons)) for u in s.units
            ),
            reject_reason=s.reject_reason,
            transfer_to=s.transfer_to,
            flags=tuple(s.flags),
        )

    def warm_up(self) -> None:
        """Load the assistant and the KB's index now (a thread worker at start-up), so the
        first keystroke and the first search are as fast as the others."""
        self.assistant()
        kb = self._kb_or_none()
        if kb is not None:
            kb.warm_up()
        self.encoder()

    def assistant(self) -> Any | None:
        """The ``assist.Assistant`` of the routing directory and the newest model; its
        directory classifier comes from the seat's cache (~0.05 s; trained in a child
        process on the first start). Call it from a thread worker."""
        with _lock:
            try:
                units = self._units()
            except Exception:
                log.exception("routing directory unavailable")
                return None
            model_path = self._model_or_none()
            key = hash((tuple(units), str(model_path)))
            if key in _assistants:
                return _assistants[key]
            try:
                from assist.assistant import Assistant

                model = _load_model(model_path)
                assistant: Any = self._cached(units, model)
                if assistant is None:  # in-process training holds the GIL: the last resort
                    assistant = Assistant.from_directory(units, model=model)
                assistant.warm_up()  # vocabularies load here, off the event loop
            except Exception:
                log.exception("intake assist unavailable")
                assistant = None
            previous = _latest.get(hash(tuple(units)))
            if previous is not None:
                _assistants.pop(previous, None)  # the assistant of the model this one replaces
            _latest[hash(tuple(units))] = key
            _assistants[key] = assistant
            return assistant

    def _model_or_none(self) -> Path | None:
        try:
            return self._model_path()
        except Exception:
            log.exception("assist model lookup failed")
            return None

    def _cached(self, units: list[Unit], model: Any | None) -> Any | None:
        """The directory classifier from the seat's cache, trained once in a child process
        (without KB articles, so its key is the routing directory alone)."""
        try:
            from assist.cache import cached_assistant

            return cached_assistant(units, self._data_dir / "assist", model=model)
        except Exception:
            log.exception("assist model cache unavailable; training in this process")
            return None


def _hit(h: Any) -> KbHit:
    return KbHit(
        id=str(h.id), title=str(h.title), score=float(h.score), unit=str(h.unit or ""),
        category=str(h.category or ""), snippet=str(h.snippet or ""),
        spans=tuple((str(f), int(a), int(b)) for f, a, b in h.spans),
    )  # fmt: skip


def _load_model(path: Path | None) -> Any | None:
    """The trained model, or None (a damaged file: the directory alone still suggests)."""
    if path is None:
        return None
    try:
        from assist.model import Model

        return Model.load(path)
    except Exception:
        log.exception("assist model %s unusable", path)
        return None
