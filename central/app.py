"""The FastAPI application: routers, error handlers, body limits and the job loop.

``create_app`` takes the routers to mount from ``ROUTERS`` (import paths of
``APIRouter`` objects), so Open311 and reports plug in by adding a line. ``app_factory``
is what ``uvicorn --factory`` calls in each worker process (settings from the
environment: ``WORKSTATION_DB_URL``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from central.store import Clock, Store

log = logging.getLogger(__name__)

ROUTERS: tuple[str, ...] = (
    "central.auth:router",
    "central.sync_server:router",
    "central.orders_api:router",
    "central.kb_api:router",
    "central.open311:router",
    "central.reports:router",
    "central.assist_api:router",
)
"""Routers to mount; a module that does not exist yet is skipped."""

GZIP_MIN_BYTES = 500


def _load_router(path: str) -> Any | None:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, attr)


def create_app(
    store: Store | None = None,
    *,
    db_url: str | None = None,
    clock: Clock | None = None,
    routers: Sequence[str] = ROUTERS,
    run_jobs: bool | None = None,
) -> Any:
    """Build the app. Migrations run at once; the job loop starts with the app (lifespan)."""
    from fastapi import FastAPI
    from starlette.middleware.gzip import GZipMiddleware

    from central.api_models import Health, error_responses
    from central.body_limit import BodyLimitMiddleware
    from central.jobs import interval_from, job_loop

    store = store or Store.open(db_url, clock)
    store.db.migrate()
    interval = interval_from(store.settings)
    jobs_on = (interval > 0) if run_jobs is None else run_jobs

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(job_loop(store, interval or 60.0)) if jobs_on else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            store.db.dispose()

    docs = store.settings.security.api_docs  # off unless configured (docs/security.md)
    app = FastAPI(
        title="12345 hotline central server",
        version="1.0",
        description="Sync, orders, knowledge base (docs/sync-protocol.md).",
        lifespan=lifespan,
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.store = store
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    # Responses gzip-compressed for clients that accept it (push results and pull pages
    # shrink 5-8x; on a 256 kbit/s seat link that decides the sync time). Level 6: nearly
    # the size of level 9 for a fraction of the CPU.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=6)

    @app.get("/healthz", response_model=Health, tags=["health"], responses=error_responses(503))
    def healthz() -> Health:
        return Health(
            status="ok", schema_version=store.db.schema_version(), database=store.db.dialect
        )

    for path in routers:
        router = _load_router(path)
        if router is not None:
            app.include_router(router)
    return app


def app_factory() -> Any:
    """For ``uvicorn --factory central.app:app_factory`` (one app per worker process)."""
    return create_app()


def install_error_handlers(app: Any) -> None:
    """Every error answers ``{"error", "zh", "en"}``; nothing escapes as a bare 500."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from sqlalchemy import exc as sa_exc
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from central.errors import HTTPError
    from workstation.errors import DomainError, UserFacingError

    def body(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
        return {"error": code, "zh": zh, "en": en, **extra}

    @app.exception_handler(UserFacingError)
    async def user_facing(request: Request, exc: UserFacingError) -> JSONResponse:
        if isinstance(exc, HTTPError):
            status = exc.status
        else:
            status = 409 if isinstance(exc, DomainError) else 422
        data = exc.to_dict()
        data["error"] = data.pop("code")
        headers = {"Retry-After": "1"} if status == 503 else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(data, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        first = detail[0] if detail else {"loc": [], "msg": ""}
        where = ".".join(first["loc"])
        return JSONResponse(
            body(
                "invalid",
                f"请求格式不正确：{where} {first['msg']}",
                f"malformed request: {where}: {first['msg']}",
                detail=detail,
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, f"http_{exc.status_code}"
        )
        return JSONResponse(
            body(code, f"请求无法处理（{exc.status_code}）", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(sa_exc.DataError)
    async def bad_data(request: Request, exc: sa_exc.DataError) -> JSONResponse:
        return JSONResponse(
            body("invalid", "数据格式不正确", "the request holds data the database cannot store"),
            status_code=422,
        )

    @app.exception_handler(sa_exc.OperationalError)
    async def unavailable(request: Request, exc: sa_exc.OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return JSONResponse(
            body("unavailable", "服务器繁忙，请稍后重试", "the database is busy; retry"),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            body("internal", "服务器内部错误，请稍后重试", "internal server error; retry later"),
            status_code=500,
        )
