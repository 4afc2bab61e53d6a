"""Open311 GeoReport v2 under ``/open311/v2/``: the web and mobile channels, public status.

- ``GET discovery``, ``GET services``, ``GET services/{code}``: the city's categories
  (``central/data/open311_services.json``, Chinese by default, ``?lang=en`` for English).
- ``POST requests``: a citizen's request becomes a *logged contact* (channel ``mobile``
  when a ``device_id`` is sent, else ``web``; outcome ``logged``) that agents triage: it
  reaches agents and supervisors through the sync pull as a ``contact`` change (never
  unit users). The response carries the ``service_request_id`` at once (type realtime).
- ``GET requests``, ``GET requests/{id}`` (``central.open311_status``, its own router):
  public status of requests made through this endpoint only (phone orders are never published). Never personal data: no name,
  phone, e-mail, address or media; the description is masked
  (``workstation.masking.mask_text``, plus the submitter's own name, phone, e-mail and
  address where they appear in it); lat/long rounded to 3 decimals (about 100 m).

``api_key``: when ``[open311] api_keys`` (keys issued by the administrator; in the
environment ``WORKSTATION_OPEN311_API_KEYS``, comma-separated) is set, ``POST requests``
needs one of them (403 otherwise); when unset, anyone may post. Posts are rate-limited
(429 with ``Retry-After``) per registered key (``key_rate_per_minute``, default 120), else
per client address (``rate_per_minute``, default 20), counted in the database so every
server process shares the limit (``central.rate_limit``): an unregistered key counts for
nothing, and ``X-Forwarded-For`` is believed only from ``[security] trusted_proxies``.
Every field is valid Unicode and has a maximum length (400 otherwise). Bodies
are capped at 64 KiB; descriptions at 4,000 characters. Errors are the specification's
array of ``{code, description}`` with the HTTP status, in the requested format.
Location (lat/long, ``address_string`` or ``address_id``) is required only for the
categories marked ``location_required`` (a consultation has no place).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from central.open311_http import (
    FMT,
    PREFIX,
    answer,
    app_store,
    check_format,
    error_response,
    render,
)
from central.open311_intake import (
    FIELD_LIMITS,
    REQUEST_TYPES,
    Open311Error,
    catalogue,
    definition_doc,
    parse_body,
    parse_lang,
    service_doc,
    store_request,
    validate_request,
)

router = APIRouter(prefix=PREFIX, tags=["open311"])

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
_LANG = Query(json_schema_extra={"enum": ["zh", "en"]}, description="zh (default) or en")


# -- discovery and services ------------------------------------------------------------


@router.get("/discovery.{fmt}", summary="Open311 discovery")
def discovery(request: Request, fmt: Annotated[str, FMT]) -> Response:
    """Where this GeoReport v2 endpoint lives and what it speaks."""

    def build() -> dict[str, Any]:
        store = app_store(request)
        changeset = "2026-01-01T00:00:00+08:00"
        return {
            "changeset": changeset,
            "contact": f"{store.settings.city} 12345 政务服务便民热线",
            "key_service": "api_key from the hotline administrator (optional unless required)",
            "endpoints": [
                {
                    "specification": SPEC_URL,
                    "url": str(request.base_url).rstrip("/") + router.prefix,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }

    return answer(fmt, "discovery", build)


@router.get("/services.{fmt}", summary="Service categories")
def list_services(fmt: Annotated[str, FMT], lang: Annotated[str | None, _LANG] = None) -> Response:
    """The city's service categories (``service_code`` is stable)."""
    return answer(
        fmt,
        "services",
        lambda: [service_doc(s, parse_lang(lang)) for s in catalogue()["services"]],
    )


@router.get("/services/{service_code}.{fmt}", summary="Service definition")
def get_service(
    service_code: str, fmt: Annotated[str, FMT], lang: Annotated[str | None, _LANG] = None
) -> Response:
    """The extra fields of a category: its ``request_type`` list."""

    def build() -> dict[str, Any]:
        service = catalogue()["by_code"].get(service_code)
        if service is None:
            raise Open311Error(404, f"service_code {service_code[:64]!r} not found")
        return definition_doc(service, parse_lang(lang))

    return answer(fmt, "service_definition", build)


# -- POST requests ---------------------------------------------------------------------

_POST_SCHEMA = {
    "type": "object",
    "required": ["service_code"],
    "properties": {
        **{name: {"type": "string", "maxLength": n} for name, n in FIELD_LIMITS.items()},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "attribute[request_type]": {"type": "string", "enum": list(REQUEST_TYPES)},
    },
}


def _check_rate(request: Request, key: str | None) -> None:
    """Count the post against its registered key's bucket or its address's, shared by all
    server processes (``central.rate_limit``); 429 with Retry-After when full."""
    from central import rate_limit

    store = app_store(request)
    limits = store.settings.open311
    limit = limits.key_rate_per_minute if key is not None else limits.rate_per_minute
    refused = rate_limit.check(store, "open311:" + _client_key(request, key), limit=limit,
                               window_s=60)  # fmt: skip
    if refused is not None:
        raise Open311Error(429, "too many requests; retry later (请求过于频繁)", refused.headers())


def _registered_key(request: Request, key: str) -> str | None:
    """The key when it is one of ``[open311] api_keys``; 403 for another key when keys are
    set (required), None when none are (anyone posts; a key then counts for nothing)."""
    import hmac

    keys = app_store(request).settings.open311.api_keys
    if not keys:
        return None
    for known in keys:
        if hmac.compare_digest(key.encode(), known.encode()):
            return known
    raise Open311Error(403, "invalid api_key (api_key 无效)")


def _client_key(request: Request, key: str | None) -> str:
    """The bucket a post counts against: its registered key, else the client's address
    (``X-Forwarded-For`` believed only from ``[security] trusted_proxies``)."""
    from central.security import client_address

    if key is not None:
        return "key:" + key
    trusted = app_store(request).settings.security.trusted_proxies
    peer = request.client.host if request.client else None
    return "ip:" + client_address(peer, request.headers.get("x-forwarded-for"), trusted)


@router.post(
    "/requests.{fmt}",
    summary="Submit a service request",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": _POST_SCHEMA}},
        }
    },
)
async def post_request(request: Request, fmt: Annotated[str, FMT]) -> Response:
    """Log a citizen's request for an agent to triage; answers its ``service_request_id``."""
    from starlette.concurrency import run_in_threadpool

    try:
        fmt = check_format(fmt)
        body = await request.body()
        fields = {
            **dict(request.query_params),  # the Swagger description sends them in the query
            **parse_body(body, request.headers.get("content-type", "")),
        }
        req = validate_request(fields)
        key = _registered_key(request, fields.get("api_key", "").strip())
        await run_in_threadpool(_check_rate, request, key)
        request_id = await run_in_threadpool(store_request, app_store(request), req)
    except Open311Error as exc:
        return error_response(exc, fmt)
    notice = "已收到，工作人员将尽快受理 (received; an operator will review it shortly)"
    doc = [{"service_request_id": request_id, "service_notice": notice, "account_id": None}]
    return render("requests", doc, fmt)
