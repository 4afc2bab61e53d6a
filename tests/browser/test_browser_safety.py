"""The citizen pages' defences, in a real browser against a real server.

- XSS: script and markup in every field of the form and in the query of every page; the
  DOM then holds no element or script the text made, and the text shows literally.
- CSRF: a post without the form's token, or with another one, is refused (403) and makes
  no request.
- Rate limits: the address's submissions beyond ``[open311] rate_per_minute`` get 429.
- Lookup enumeration: wrong number/code pairs beyond ``[web] follow_failures_per_minute``
  get 429, then even the right pair is refused until the window has room (no oracle).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from selenium.webdriver.common.by import By

from central.testing import LiveServer, start_live_server
from tests.browser.conftest import screenshot
from tests.browser.pages import fill, submit, text_of, wait_for

RATE = 4
FOLLOW_FAILURES = 3
XSS = {
    "content": '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">内容',
    "place": '"><svg id="injected-place" onload="window.__xss=3"></svg>',
    "name": '<b id="injected-name">张</b>\'"',
    "phone": "<i id=injected-phone>1</i>",
    "lat": '"><script>window.__xss=4</script>',
    "lon": "</textarea><a id=injected-lon>x</a>",  # within maxlength 40
}
INJECTED = "#injected-place, #injected-name, #injected-phone, #injected-lon, img[src='x'], svg"


@pytest.fixture
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server per test: each spends its own address's budget, in any order."""
    env = {
        "WORKSTATION_OPEN311__RATE_PER_MINUTE": str(RATE),
        "WORKSTATION_WEB__FOLLOW_FAILURES_PER_MINUTE": str(FOLLOW_FAILURES),
    }
    root: Path = tmp_path_factory.mktemp("browser-safety")
    with start_live_server(root / "central", env=env) as server:
        yield server


def clean(driver: Any) -> None:
    assert driver.find_elements(By.CSS_SELECTOR, INJECTED) == []
    assert driver.find_elements(By.CSS_SELECTOR, "script") == []
    assert driver.execute_script("return window.__xss === undefined")


def test_markup_in_every_field_and_query_stays_text(browser: Any, guarded: LiveServer) -> None:
    base = guarded.base_url
    submit(browser, base, {"kind": "complaint", **XSS})
    # refused (phone, lat, lon are not valid), the typed text kept as it was typed
    assert browser.find_elements(By.CSS_SELECTOR, ".field-error[data-field=phone]")
    clean(browser)
    form = browser.find_element(By.ID, "submit-form")
    for name, value in XSS.items():
        assert form.find_element(By.NAME, name).get_attribute("value") == value, name
    screenshot(browser, "submit-errors")

    # accepted with valid phone and coordinates: the answer page is clean too
    fill(browser, {"phone": "13912340000", "lat": "31.8", "lon": "121.6"})
    browser.find_element(By.ID, "submit-button").click()
    number = text_of(browser, "#order-number") if wait_for(browser, "#order-number") else ""
    assert number.startswith("311-")
    clean(browser)

    for path in ("/citizen/", "/citizen/submit", "/citizen/public", "/citizen/follow"):
        for key in ("q", "number", "code", "kind", "unit", "month", "page", "lang"):
            browser.get(f"{base}{path}?{key}={quote(XSS['place'] + XSS['content'])}")
            wait_for(browser, "h1")
            clean(browser)
    browser.get(f"{base}/citizen/public?q={quote(XSS['name'])}")
    assert browser.find_element(By.ID, "q").get_attribute("value") == XSS["name"]


def test_a_post_without_the_forms_token_is_refused(browser: Any, guarded: LiveServer) -> None:
    base = guarded.base_url
    for forged in ("", "forged-token"):
        browser.get(f"{base}/citizen/submit")
        wait_for(browser, "#submit-form")
        fill(browser, {"kind": "consultation", "content": "公积金怎么提取？"})
        field = browser.find_element(By.NAME, "csrf_token")
        browser.execute_script("arguments[0].value = arguments[1]", field, forged)
        browser.find_element(By.ID, "submit-button").click()
        wait_for(browser, "#error-message")
        assert not browser.find_elements(By.ID, "order-number")

    # another client's token (a page fetched by a third party) does not fit this cookie
    with httpx.Client(base_url=base) as other:
        page = other.get("/citizen/submit").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
    with httpx.Client(base_url=base) as victim:
        victim.get("/citizen/submit")
        data = {"csrf_token": token.group(1), "kind": "consultation", "content": "你好",
                "channel": "web"}  # fmt: skip
        assert victim.post("/citizen/submit", data=data).status_code == 403
        assert victim.post("/citizen/submit", data={**data, "csrf_token": ""}).status_code == 403
        data.pop("csrf_token")
        assert victim.post("/citizen/submit", data=data).status_code == 403


def test_lookup_enumeration_is_throttled(browser: Any, guarded: LiveServer) -> None:
    base = guarded.base_url
    submit(browser, base, {"kind": "consultation", "content": "社保卡怎么补办？"})
    number, code = text_of(browser, "#order-number"), text_of(browser, "#lookup-code")
    wrong = "ZZZZZZZZZZ" if code != "ZZZZZZZZZZ" else "YYYYYYYYYY"
    messages = set()
    guesses = [f"number={number}&code={wrong}", f"number=311-2099-999999&code={code}"]
    guesses += [f"number={number}&code=AAAAAAAA{i:02d}" for i in range(FOLLOW_FAILURES)]
    for guess in guesses[:FOLLOW_FAILURES]:
        browser.get(f"{base}/citizen/follow?{guess}")
        messages.add(text_of(browser, "#follow-error"))
        assert not browser.find_elements(By.ID, "timeline")
    assert len(messages) == 1  # an unknown number and a wrong code read the same
    screenshot(browser, "follow-error")
    browser.get(f"{base}/citizen/follow?{guesses[FOLLOW_FAILURES]}")  # one too many
    assert text_of(browser, "#follow-error") not in messages

    browser.get(f"{base}/citizen/follow?number={number}&code={code}")
    throttled = text_of(browser, "#follow-error")
    assert throttled not in messages and not browser.find_elements(By.ID, "timeline")
    r = httpx.get(f"{base}/citizen/follow", params={"number": number, "code": code})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_submissions_beyond_the_rate_are_refused(browser: Any, guarded: LiveServer) -> None:
    base = guarded.base_url
    seen = []
    for i in range(RATE + 1):
        submit(browser, base, {"kind": "suggestion", "content": f"建议增加公交班次 {i}"})
        seen.append(bool(browser.find_elements(By.ID, "order-number")))
        if not seen[-1]:
            break
    assert seen[-1] is False and len(seen) <= RATE + 1
    assert browser.find_elements(By.ID, "error-message")
    with httpx.Client(base_url=base) as client:
        page = client.get("/citizen/submit").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        data = {"csrf_token": token.group(1), "kind": "suggestion", "content": "再来一条",
                "channel": "web"}  # fmt: skip
        r = client.post("/citizen/submit", data=data)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
