"""The central server's composition root: the FastAPI app, its routers, error handlers,
body limits and the job loop.

Read top to bottom: every router the server mounts is imported below and included in
``create_app``, in that order. ``app_factory`` is what ``uvicorn --factory`` calls in each
worker process (settings from the environment: ``WORKSTATION_DB_URL``). The ``workstation``
command imports this module only inside ``serve``, so light commands never load FastAPI.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from central import (
    assist_api,
    auth,
    callers_api,
    kb_api,
    open311,
    open311_status,
    orders_api,
    reports,
    sms,
    sync_server,
)
from central.api_models import Health, error_responses
from central.body_limit import BodyLimitMiddleware
from central.errors import HTTPError
from central.jobs import interval_from, job_loop
from central.store import Clock, Store
from central.web import pages as citizen_pages
from workstation.errors import DomainError, UserFacingError

log = logging.getLogger(__name__)

GZIP_MIN_BYTES = 500


def create_app(
    store: Store | None = None,
    *,
    db_url: str | None = None,
    clock: Clock | None = None,
    run_jobs: bool | None = None,
) -> FastAPI:
    """Build the app. Migrations run at once; the job loop starts with the app (lifespan)."""
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

    app.include_router(auth.router)
    app.include_router(sync_server.router)
    app.include_router(orders_api.router)
    app.include_router(kb_api.router)
    app.include_router(open311.router)
    app.include_router(open311_status.router)
    app.include_router(reports.router)
    app.include_router(assist_api.router)
    app.include_router(callers_api.router)
    app.include_router(sms.router)
    citizen_pages.install(app)  # /citizen/: the citizen's web pages (docs/web.md)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory central.app:app_factory`` (one app per worker process)."""
    return create_app()


def install_error_handlers(app: FastAPI) -> None:
    """Every error answers ``{"error", "zh", "en"}``; nothing escapes as a bare 500."""

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
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, int) and status in (429, 503):  # e.g. rate_limit.RateLimited
            headers = {"Retry-After": str(max(1, retry_after))}
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
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if citizen_pages.is_citizen_path(request.url.path):  # the citizen gets a page
            return citizen_pages.status_page(request, exc.status_code)
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
    async def unavailable(request: Request, exc: sa_exc.OperationalError) -> Response:
        log.warning("database unavailable: %s", exc)
        if citizen_pages.is_citizen_path(request.url.path):
            return citizen_pages.status_page(request, 503)
        return JSONResponse(
            body("unavailable", "服务器繁忙，请稍后重试", "the database is busy; retry"),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        if citizen_pages.is_citizen_path(request.url.path):
            return citizen_pages.status_page(request, 500)
        return JSONResponse(
            body("internal", "服务器内部错误，请稍后重试", "internal server error; retry later"),
            status_code=500,
        )
