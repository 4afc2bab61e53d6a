"""Accessibility basics and language of every citizen page: ``lang`` on ``<html>``, one
``<h1>``, a label for every input, the viewport for a 375 px phone, the ids the browser
tests use, and the ``?lang=`` switch remembered in a cookie."""

from __future__ import annotations

import pytest

from tests.central_reports.support import Server
from tests.web.conftest import Page, submit

PAGES = ["/citizen/", "/citizen/submit", "/citizen/follow", "/citizen/public"]


def check_basics(html: str, lang: str) -> Page:
    page = Page(html)
    assert page.find("html")[0]["lang"] == lang
    assert len(page.find("h1")) == 1
    assert page.find("meta", name="viewport")
    labels = {a.get("for") for a in page.find("label")}
    for tag in ("input", "select", "textarea"):
        for field in page.find(tag):
            if field.get("type") in ("hidden", "submit"):
                continue
            assert field.get("id") in labels, (tag, field)
    assert "<script" not in html and " style=" not in html and "onclick" not in html
    return page


@pytest.mark.parametrize("lang,attr", [("zh", "zh-CN"), ("en", "en")])
def test_every_page_has_the_basics(server: Server, lang: str, attr: str) -> None:
    number, code = submit(server)
    pages = [*PAGES, f"/citizen/follow?number={number}&code={code}", "/citizen/nowhere"]
    for path in pages:
        sep = "&" if "?" in path else "?"
        r = server.client.get(f"{path}{sep}lang={lang}")
        assert r.headers["content-type"].startswith("text/html"), path
        check_basics(r.text, attr)


def test_the_contract_ids_are_there(server: Server) -> None:
    home = Page(server.client.get("/citizen/").text)
    for ident in ("nav-submit", "nav-follow", "nav-public"):
        assert home.find("a", id=ident)
    form = Page(server.client.get("/citizen/submit").text)
    assert form.find("form", id="submit-form", method="post", action="/citizen/submit")
    names = {a.get("name") for t in ("input", "select", "textarea") for a in form.find(t)}
    assert {"csrf_token", "kind", "content", "place", "lat", "lon", "name", "phone"} <= names
    assert {"confidential", "channel"} <= names and form.find("button", id="submit-button")
    kinds = [a["value"] for a in form.find("option")]
    assert kinds == ["web", "mailbox", "consultation", "help", "complaint", "suggestion"]
    follow = Page(server.client.get("/citizen/follow").text)
    assert follow.find("form", id="follow-form", method="get")
    public = Page(server.client.get("/citizen/public").text)
    assert public.find("form", id="public-filter", method="get")
    assert public.find("ul", id="public-list") and public.find("nav", **{"class": "pagination"})


def test_language_switch_is_remembered(server: Server) -> None:
    r = server.client.get("/citizen/?lang=en")
    assert 'lang="en"' in r.text and "Citizen services" in r.text
    assert r.cookies.get("lang") == "en"
    again = server.client.get("/citizen/public")
    assert Page(again.text).find("html")[0]["lang"] == "en" and "Public answers" in again.text
    back = server.client.get("/citizen/public?lang=zh")
    assert Page(back.text).find("html")[0]["lang"] == "zh-CN" and "公开答复" in back.text
    odd = server.client.get("/citizen/?lang=fr")
    assert Page(odd.text).find("html")[0]["lang"] == "zh-CN"


def test_field_errors_sit_beside_their_field_and_keep_what_was_typed(server: Server) -> None:
    from tests.web.conftest import csrf_token

    data = {
        "csrf_token": csrf_token(server),
        "kind": "help",
        "content": "家里老人摔倒需要帮助 & <求助>",
        "place": "南阳镇",
        "lat": "31.8",
        "lon": "",
        "channel": "mailbox",
        "confidential": "1",
    }
    r = server.client.post("/citizen/submit", data=data)
    assert r.status_code == 422
    page = Page(r.text)
    flagged = {a["data-field"] for a in page.find("p") if "data-field" in a}
    assert flagged == {"name", "phone", "lon"}
    assert "家里老人摔倒需要帮助 &amp; &lt;求助&gt;" in r.text
    assert page.find("input", id="place")[0]["value"] == "南阳镇"
    assert page.find("input", id="lat")[0]["value"] == "31.8"
    assert "checked" in page.find("input", id="confidential")[0]
    assert page.find("option", value="mailbox")[0].get("selected") is not None
    assert page.find("option", value="help")[0].get("selected") is not None
