"""Accessibility basics of every citizen page, read from the DOM in the browser.

Every input has a label, ``<html lang>`` says the page's language (zh-CN, or en after the
switch), one h1 and no skipped heading level, images have alt text, links and buttons have
something to read, and nothing is wider than a 375-pixel phone screen. (axe-core would need
a download at test time; this checker runs in the page itself, with nothing to install.)
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

from central.testing import LiveServer
from tests.browser.conftest import DESKTOP, PHONE, resize, screenshot
from tests.browser.pages import a11y_problems, overflows, submit, text_of, wait_for

LANGS = {"zh": "zh-CN", "en": "en"}


def check(driver: Any, where: str) -> None:
    for size in (PHONE, DESKTOP):
        resize(driver, size)
        assert a11y_problems(driver) == [], (where, size)
        assert not overflows(driver), (where, size)
    resize(driver, PHONE)


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_page_has_the_basics(browser: Any, web_server: LiveServer, lang: str) -> None:
    base = web_server.base_url
    browser.get(f"{base}/citizen/?lang={lang}")
    wait_for(browser, "h1")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == LANGS[lang]
    check(browser, "home")

    browser.get(f"{base}/citizen/submit")  # the language stays (cookie)
    wait_for(browser, "#submit-form")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == LANGS[lang]
    check(browser, "submit")

    submit(browser, base, {"kind": "complaint", "content": "路灯", "phone": "abc", "lat": "x"})
    wait_for(browser, ".field-error")
    check(browser, "submit with errors")

    submit(browser, base, {"kind": "consultation", "content": "办理居住证需要什么材料？"})
    number, code = text_of(browser, "#order-number"), text_of(browser, "#lookup-code")
    check(browser, "submitted")

    browser.get(f"{base}/citizen/follow")
    wait_for(browser, "#follow-form")
    check(browser, "follow")
    browser.get(f"{base}/citizen/follow?number={number}&code={code}")
    wait_for(browser, "ol#timeline")
    check(browser, "follow with a timeline")
    browser.get(f"{base}/citizen/follow?number={number}&code=WRONG00000")
    wait_for(browser, "#follow-error")
    check(browser, "follow refused")

    browser.get(f"{base}/citizen/public")
    wait_for(browser, "#public-filter")
    check(browser, "public")
    browser.get(f"{base}/citizen/public?month=not-a-month&page=999")
    wait_for(browser, "h1")
    check(browser, "public, bad filter")

    browser.get(f"{base}/citizen/no-such-page")
    wait_for(browser, "#error-message")
    check(browser, "not found")
    screenshot(browser, f"not-found-{lang}")
    if lang == "en":
        for page in ("", "submit", "follow", "public"):
            browser.get(f"{base}/citizen/{page}")
            wait_for(browser, "h1")
            screenshot(browser, f"{page or 'home'}-en")
