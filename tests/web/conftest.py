"""Fixtures of the citizen pages' tests: a real server (SQLite file, or PostgreSQL when
``WORKSTATION_TEST_PG_URL`` is set) behind a TestClient, and helpers that read its HTML."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.central_reports.support import TZ, Server, db_urls, make_server

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)


def at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


@pytest.fixture(params=db_urls())
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Server:
    server = make_server(request.param, tmp_path, NOW)
    settings = server.store.settings
    open311 = settings.open311.model_copy(update={"rate_per_minute": 1000})
    server.store.settings = settings.model_copy(update={"open311": open311})
    return server


def with_settings(server: Server, section: str, **values: Any) -> None:
    settings = server.store.settings
    part = getattr(settings, section).model_copy(update=values)
    server.store.settings = settings.model_copy(update={section: part})


class Page(HTMLParser):
    """What a test checks in a page: tags with their attributes, texts by element id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, a.get("id")))
            if a.get("id"):
                self.texts[a["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            if ident:
                self.texts[ident] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def csrf_token(server: Server) -> str:
    r = server.client.get("/citizen/submit")
    assert r.status_code == 200, r.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert found
    return found.group(1)


def submit(server: Server, **fields: str) -> tuple[str, str]:
    """Submit the form as a browser does; (order number, lookup code)."""
    data = {"kind": "consultation", "content": "请问居住证怎么办理", "channel": "web", **fields}
    r = server.client.post("/citizen/submit", data={"csrf_token": csrf_token(server), **data})
    assert r.status_code == 200, r.text
    page = Page(r.text)
    return page.texts["order-number"].strip(), page.texts["lookup-code"].strip()


def follow(server: Server, number: str, code: str) -> Any:
    return server.client.get("/citizen/follow", params={"number": number, "code": code})


def steps(html: str) -> list[str]:
    return [a["data-step"] for a in Page(html).find("li") if "data-step" in a]
