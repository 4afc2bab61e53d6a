"""A citizen's request in a real browser, from the phone-sized submit page to the public list.

Submit at 375x812 and read the number and code; the staff handle it through the real
server API, each at their own seat (agent triages and dispatches, the unit signs, gets an
extension and replies, the callback is recorded, the supervisor publishes it); the follow
page shows each step; the public list shows it with the name and phone masked, nowhere in
the page's source. Markup typed by the citizen and the unit shows as text. Every page is
photographed at phone and desktop size.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By

from central.testing import LiveServer
from offline_cache.services import SeatServices
from tests.browser.conftest import PHONE, screenshot
from tests.browser.pages import overflows, steps, submit, text_of, wait_for
from tests.offline_cache.helpers import live_seat, run_cli
from workstation.intake_form import IntakeForm

NAME, PHONE_NO, PLACE = "张三丰", "13912346025", "人民中路88号"
MARKUP = '<b id="injected-content">加粗</b><script>window.__xss = 1</script>'
CONTENT = f"{PLACE}路灯不亮一周了。{MARKUP} 请联系我 {PHONE_NO}，我叫{NAME}"
REPLY = f'已修复人民中路路灯 <img src=x onerror="window.__xss=2">，已电话告知{NAME}（{PHONE_NO}）。'
STAFF = ("agent1", "unit1", "callback1", "super1", "Agent1", "Unit1", "Super1")


def sync(*seats: SeatServices) -> None:
    for seat in seats:
        status = asyncio.run(seat.sync_once())
        assert status.online and status.pending == 0, status
        assert seat.problems() == [], seat.problems()


def handle(server: LiveServer, tmp_path: Path, number: str) -> str:
    """The staff's side, through the server's API: returns the work order's number."""
    agent = live_seat(server, tmp_path / "agent", "S01", "agent1")
    unit = live_seat(server, tmp_path / "unit", "S02", "unit1")
    supervisor = live_seat(server, tmp_path / "super", "S03", "super1")
    operator = live_seat(server, tmp_path / "callback", "S04", "callback1")
    sync(agent)
    [request] = [r for r in agent.web_requests() if r.contact_id == number]
    assert request.channel == "web" and MARKUP in request.content
    order_id = agent.dispatch(IntakeForm.parse({**request.form(), "unit": "U001"}))
    sync(agent)

    sync(unit)
    unit.order_command(order_id, "sign", {})
    order = unit.order(order_id)
    assert order is not None
    later = (order.deadline + timedelta(days=10)).date().isoformat()
    unit.order_command(order_id, "request_extension", {"new_deadline": later,
                                                       "reason": "需更换线路"})  # fmt: skip
    sync(unit)
    sync(supervisor)
    supervisor.order_command(order_id, "decide_extension", {"approved": True, "comment": "同意"})
    sync(supervisor)
    sync(unit)
    unit.order_command(order_id, "reply", {"result": REPLY})
    sync(unit)
    assert run_cli("admin", "run-jobs", "--db", server.db_url).returncode == 0  # the callback
    sync(operator)
    operator.order_command(order_id, "record_callback", {"reached": True, "resolved": True,
                                                         "satisfaction": "satisfied",
                                                         "comment": "满意"})  # fmt: skip
    sync(operator)
    return order_id


def publish(server: LiveServer, tmp_path: Path, order_id: str) -> None:
    supervisor = live_seat(server, tmp_path / "super-publish", "S03", "super1")
    sync(supervisor)
    [row] = [r for r in supervisor.supervision_board().closed if r.order_id == order_id]
    assert row.published is None  # a complaint: not public until the supervisor says so
    supervisor.set_publication(order_id, True)
    sync(supervisor)  # the server's publication change replaces the seat's pending one
    [row] = [r for r in supervisor.supervision_board().closed if r.order_id == order_id]
    assert row.published is True


def no_injection(driver: Any) -> None:
    """Nothing the citizen or the unit typed became an element or ran."""
    assert driver.find_elements(By.CSS_SELECTOR, "#injected-content, img[src='x']") == []
    assert driver.execute_script("return window.__xss === undefined")
    assert driver.find_elements(By.CSS_SELECTOR, "script") == []  # no script at all (CSP)


def test_submit_follow_and_read_the_published_answer(
    browser: Any, web_server: LiveServer, tmp_path: Path
) -> None:
    base = web_server.base_url
    browser.get(f"{base}/citizen/")
    wait_for(browser, "#nav-submit")
    assert browser.execute_script("return window.innerWidth") == PHONE[0]
    assert not overflows(browser)
    screenshot(browser, "home")
    browser.find_element(By.ID, "nav-submit").click()
    wait_for(browser, "#submit-form")
    screenshot(browser, "submit")

    submit(browser, base, {"channel": "web", "kind": "complaint", "content": CONTENT,
                           "place": PLACE, "name": NAME, "phone": PHONE_NO})  # fmt: skip
    number, code = text_of(browser, "#order-number"), text_of(browser, "#lookup-code")
    assert number.startswith("311-") and len(code) >= 8
    assert not overflows(browser)
    screenshot(browser, "submitted")

    browser.find_element(By.ID, "follow-link").click()  # the number is filled in already
    wait_for(browser, "#follow-form")
    browser.find_element(By.ID, "code").send_keys(code)
    browser.find_element(By.ID, "follow-button").click()
    wait_for(browser, "ol#timeline")
    assert steps(browser) == ["received"]

    order_id = handle(web_server, tmp_path, number)
    browser.refresh()
    wait_for(browser, "ol#timeline")
    shown = steps(browser)
    for step in ("received", "accepted", "dispatched", "extended", "replied", "callback"):
        assert step in shown, (step, shown)
    assert shown.index("received") < shown.index("dispatched") < shown.index("replied")
    source = browser.page_source
    for secret in (NAME, PHONE_NO, *STAFF):
        assert secret not in source, secret
    assert not overflows(browser)
    screenshot(browser, "follow")

    browser.get(f"{base}/citizen/public")
    wait_for(browser, "#public-filter")
    assert not browser.find_elements(By.CSS_SELECTOR, f"li.public-item[data-number='{order_id}']")
    publish(web_server, tmp_path, order_id)
    browser.get(f"{base}/citizen/public")
    item = wait_for(browser, f"li.public-item[data-number='{order_id}']")
    content = item.find_element(By.CSS_SELECTOR, ".item-content").text
    reply = item.find_element(By.CSS_SELECTOR, ".item-reply").text
    assert '<b id="injected-content">' in content  # markup shows as the text it is
    assert "onerror" in reply and "已修复" in reply
    no_injection(browser)
    source = browser.page_source
    for secret in (NAME, PHONE_NO, *STAFF):
        assert secret not in source, secret
    assert not overflows(browser)
    screenshot(browser, "public")

    browser.get(f"{base}/citizen/public?kind=complaint&unit=U001")
    wait_for(browser, f"li.public-item[data-number='{order_id}']")
    browser.get(f"{base}/citizen/public?kind=consultation")
    wait_for(browser, "#public-filter")
    assert not browser.find_elements(By.CSS_SELECTOR, f"li.public-item[data-number='{order_id}']")
