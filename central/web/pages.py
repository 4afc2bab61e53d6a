"""The citizen pages' routes under ``/citizen/`` (docs/web.md): home, submit, follow,
public answers, and ``install`` that mounts them, their static files and their headers.

Every page is a Jinja2 template with autoescaping on (citizen text is data, never
markup); every error answers a readable page (403 CSRF, 404, 422 form, 429 throttled),
never a traceback. The language is ``?lang=en|zh``, remembered in the ``lang`` cookie.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from central.store import Store
from central.web import csrf
from central.web.strings import LANGS, text

PREFIX = "/citizen"
HERE = Path(__file__).parent
LANG_COOKIE = "lang"
COOKIE_DAYS = 365

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def install(app: FastAPI) -> None:
    """Mount the pages, ``/citizen/static`` and the security headers on ``app``."""
    from starlette.staticfiles import StaticFiles

    from central.web.headers import CitizenHeadersMiddleware

    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="citizen-static")
    app.add_middleware(CitizenHeadersMiddleware)


@cache
def templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def language(request: Request) -> tuple[str, bool]:
    """(lang, chosen now): ``?lang=`` first, then the cookie, else Chinese."""
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked, True
    cookie = request.cookies.get(LANG_COOKIE, "")
    return (cookie if cookie in LANGS else "zh"), False


def page(
    request: Request,
    name: str,
    status: int = 200,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``name`` in the request's language; sets the ``lang`` cookie when chosen."""
    lang, chosen = language(request)
    store = store_of(request)
    other = "zh" if lang == "en" else "en"
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "code")]
    switch_url = request.url.path + "?" + urlencode([*query, ("lang", other)])
    html = (
        templates()
        .get_template(name)
        .render(
            lang=lang,
            t=lambda key, **v: text(key, lang, **v),
            city=store.settings.city,
            switch_url=switch_url,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["cache-control"] = "no-store"
    if chosen:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=COOKIE_DAYS * 86400, path="/", samesite="lax"
        )
    for key, value in (cookies or {}).items():
        response.set_cookie(key, value, path=PREFIX, httponly=True, samesite="strict")
    return response


def error_page(
    request: Request, status: int, key: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    lang, _ = language(request)
    return page(request, "error.html", status=status, headers=headers, message=text(key, lang))


def is_citizen_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


_STATUS_TEXT = {404: "error.not_found", 405: "error.not_found", 503: "error.busy"}


def status_page(request: Request, status: int) -> Response:
    """The error page for a status the framework raised (unknown page, busy database)."""
    try:
        key = _STATUS_TEXT.get(status, "error.busy" if status >= 500 else "error.title")
        headers = {"Retry-After": "1"} if status == 503 else None
        return error_page(request, status, key, headers)
    except Exception:  # the page itself failed (e.g. the database is down): plain text
        return Response("12345: error", status_code=status, media_type="text/plain")


def web_secret(request: Request) -> bytes:
    """The secret of CSRF tokens and lookup digests (config, else kept in the DB)."""
    secret: bytes | None = getattr(request.app.state, "citizen_secret", None)
    if secret is None:
        from central.web.lookup import server_secret

        store = store_of(request)
        secret = server_secret(store.db, store.settings.web.secret, store.now())
        request.app.state.citizen_secret = secret
    return secret


def unit_names(request: Request) -> dict[str, str]:
    from central.web.public_list import UnitNames

    cache: UnitNames | None = getattr(request.app.state, "citizen_unit_names", None)
    if cache is None:
        cache = UnitNames()
        request.app.state.citizen_unit_names = cache
    return cache.get(store_of(request))


def client_address(request: Request) -> str:
    from central.security import client_address as resolve

    trusted = store_of(request).settings.security.trusted_proxies
    peer = request.client.host if request.client else None
    return resolve(peer, request.headers.get("x-forwarded-for"), trusted)


# -- home -------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return page(request, "home.html")


@router.get("", include_in_schema=False)
def home_no_slash(request: Request) -> Response:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


# -- submit -----------------------------------------------------------------------------


def _submit_page(request: Request, form: Any, status: int = 200) -> HTMLResponse:
    from central.web.intake import CHANNELS, KINDS, LIMITS

    lang, _ = language(request)
    nonce = request.cookies.get(csrf.COOKIE, "")
    cookies = {}
    if not csrf.valid_nonce(nonce):
        nonce = csrf.new_nonce()
        cookies[csrf.COOKIE] = nonce
    errors = {
        name: str(values["message"]) if key == "field.raw" else text(key, lang, **values)
        for name, (key, values) in form.errors.items()
    }
    return page(
        request,
        "submit.html",
        status=status,
        cookies=cookies,
        form=form,
        errors=errors,
        kinds=KINDS,
        channels=CHANNELS,
        limits=LIMITS,
        csrf_token=csrf.token_for(web_secret(request), nonce),
    )


@router.get("/submit", response_class=HTMLResponse)
def submit_form(request: Request) -> HTMLResponse:
    from central.web.intake import CHANNELS, WebForm

    form = WebForm()
    channel = request.query_params.get("channel", "")
    if channel in CHANNELS:
        form.channel = channel
    return _submit_page(request, form)


@router.post("/submit", response_class=HTMLResponse)
async def submit(request: Request) -> HTMLResponse:
    from central.open311_intake import Open311Error, parse_body
    from central.web import intake
    from central.web.throttle import check_submit

    try:
        fields = parse_body(await request.body(), request.headers.get("content-type", ""))
    except Open311Error as exc:  # not UTF-8, too large, too many fields, not a form
        return error_page(request, exc.status, "error.bad_form")
    secret = await run_in_threadpool(web_secret, request)  # made once, in the database
    if not csrf.token_ok(secret, request.cookies.get(csrf.COOKIE), fields.get(csrf.FIELD)):
        return error_page(request, 403, "error.csrf")
    form = intake.WebForm.from_fields(fields)
    intake.check(form)
    req = None if form.errors else intake.validated(form)
    if req is None:
        return _submit_page(request, form, status=422)
    try:
        check_submit(request, client_address(request), time.monotonic())
    except Open311Error as exc:
        return error_page(request, 429, "error.rate", exc.headers)
    number, code = await run_in_threadpool(_store, store_of(request), secret, req, form)
    return page(request, "submitted.html", number=number, code=code)


def _store(store: Store, secret: bytes, req: dict[str, Any], form: Any) -> tuple[str, str]:
    from central.open311_intake import store_request
    from central.web.lookup import store_code

    codes: list[str] = []

    def also(tx: Any, contact_id: str) -> None:
        codes.append(store_code(tx.conn, secret, contact_id, form.channel, tx.now))

    number = store_request(
        store, req, channel=form.channel, confidential=form.confidential, also=also
    )
    return number, codes[0]


# -- follow -----------------------------------------------------------------------------


@router.get("/follow", response_class=HTMLResponse)
def follow(request: Request) -> HTMLResponse:
    from central.web.throttle import FollowThrottled, follow_guard
    from central.web.timeline import find_timeline

    number = request.query_params.get("number", "").strip()[:64]
    code = request.query_params.get("code", "").strip()[:64]
    if not number.isprintable():  # never sent to the database
        number = ""
    if not code.isprintable():
        code = "?"  # a failed lookup, counted
    if not number or not code:
        return page(request, "follow.html", number=number, steps=None, error=None)
    lang, _ = language(request)
    guard = follow_guard(request, client_address(request))
    try:
        guard.before(time.monotonic())
        found = find_timeline(
            store_of(request), web_secret(request), number, code, lang, unit_names(request)
        )
        if found is None:
            guard.failed(time.monotonic())
    except FollowThrottled as exc:
        return page(
            request,
            "follow.html",
            status=429,
            number=number,
            steps=None,
            error=text("follow.throttled", lang),
            headers={"Retry-After": str(exc.retry_after)},
        )
    if found is None:
        return page(
            request,
            "follow.html",
            status=404,
            number=number,
            steps=None,
            error=text("follow.error", lang),
        )
    return page(
        request,
        "follow.html",
        number=number,
        steps=found.steps,
        waiting=found.waiting,
        work_order=found.work_order,
        error=None,
    )


# -- public answers ---------------------------------------------------------------------


@router.get("/public", response_class=HTMLResponse)
def public(request: Request) -> HTMLResponse:
    from central.web.intake import KINDS
    from central.web.public_list import PublicFilter, find_public

    lang, _ = language(request)
    store = store_of(request)
    f, bad = PublicFilter.from_query(dict(request.query_params))
    names = unit_names(request)
    result = find_public(store, f, names) if not bad else None
    items = result.items if result else []

    def url(n: int) -> str:
        return f"{PREFIX}/public?" + urlencode({**f.query(), "page": str(n)})

    return page(
        request,
        "public.html",
        status=200 if not bad else 422,
        f=f,
        kinds=KINDS,
        units=list(names.items()),
        items=items,
        page=f.page,
        error=text("public.bad_filter", lang) if bad else None,
        prev_url=url(f.page - 1) if f.page > 1 and not bad else None,
        next_url=url(f.page + 1) if result and result.more else None,
    )
