"""What every Open311 route shares: the path prefix, the ``.json``/``.xml`` suffix, and one
way to answer (a document in the requested format, or the specification's error array).

Both routers (``central.open311``: discovery, services, POST requests;
``central.open311_status``: public status) import this; neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Path, Request
from fastapi.responses import JSONResponse, Response

from central.open311_intake import Open311Error
from central.store import Store

PREFIX = "/open311/v2"
FMT = Path(json_schema_extra={"enum": ["json", "xml"]})


def check_format(fmt: str) -> str:
    if fmt in ("json", "xml"):
        return fmt
    raise Open311Error(404, f"unknown format {fmt[:20]!r}: use .json or .xml")


def render(kind: str, payload: Any, fmt: str, status: int = 200, headers: Any = None) -> Response:
    if fmt == "xml":
        from central.open311_xml import to_xml

        return Response(
            to_xml(kind, payload),
            status_code=status,
            media_type="text/xml; charset=utf-8",
            headers=headers,
        )
    return JSONResponse(payload, status_code=status, headers=headers)


def error_response(exc: Open311Error, fmt: str) -> Response:
    body = [{"code": exc.status, "description": exc.description}]
    return render("errors", body, fmt if fmt == "xml" else "json", exc.status, exc.headers)


def answer(fmt: str, kind: str, build: Callable[[], Any]) -> Response:
    """Run ``build`` and render its document; an ``Open311Error`` becomes the spec's errors."""
    try:
        return render(kind, build(), check_format(fmt))
    except Open311Error as exc:
        return error_response(exc, fmt)


def app_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store
