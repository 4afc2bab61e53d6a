"""A real browser against a real server: the system Chromium, headless, through Selenium.

Chromium and its driver come from Debian packages (``chromium``, ``chromium-driver``; CI
installs them in ``.ci/run``). Selenium is pointed at ``/usr/bin/chromium`` and
``/usr/bin/chromedriver`` and told to stay offline, so Selenium Manager never downloads a
browser or a driver. Without them the tests skip, saying why; under ``CI=true`` they fail
(a CI that silently skips the browser proves nothing).

Screenshots of every page at 375x812 and 1280x800 go to ``test-artifacts/screenshots/``
(``WORKSTATION_SCREENSHOT_DIR`` to move it); the path is printed at the end of the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central.testing import SOURCE_ROOT, LiveServer, start_live_server

CHROMIUM = Path(os.environ.get("WORKSTATION_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("WORKSTATION_CHROMEDRIVER", "/usr/bin/chromedriver"))
PHONE = (375, 812)
DESKTOP = (1280, 800)
SCREENSHOTS = Path(
    os.environ.get("WORKSTATION_SCREENSHOT_DIR", SOURCE_ROOT / "test-artifacts" / "screenshots")
)
_taken: list[Path] = []


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    """One headless Chromium for the session; each test sets its own window size."""
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs the browser tests: {missing}")
        pytest.skip(missing)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run", "--lang=zh-CN",
                f"--window-size={PHONE[0]},{PHONE[1]}"):  # fmt: skip
        options.add_argument(arg)
    browser = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def browser(driver: Any) -> Any:
    """The session's browser, cookies cleared and at phone size."""
    driver.delete_all_cookies()
    resize(driver, PHONE)
    return driver


def resize(driver: Any, size: tuple[int, int]) -> None:
    """Make the page's viewport exactly ``size`` (the window adds its own frame)."""
    driver.set_window_size(*size)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if inner and list(inner) != list(size):
        w, h = driver.get_window_size()["width"], driver.get_window_size()["height"]
        driver.set_window_size(w + size[0] - inner[0], h + size[1] - inner[1])


def screenshot(driver: Any, name: str) -> list[Path]:
    """The current page at phone and desktop size, saved as ``<name>-<w>x<h>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for size in (PHONE, DESKTOP):
        resize(driver, size)
        path = SCREENSHOTS / f"{name}-{size[0]}x{size[1]}.png"
        assert driver.save_screenshot(str(path)), path
        saved.append(path)
    resize(driver, PHONE)
    _taken.extend(saved)
    return saved


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _taken:
        terminalreporter.write_line(f"browser screenshots ({len(_taken)}): {SCREENSHOTS}")


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A seeded server for one module (rate limits generous; the safety module has its own)."""
    root = tmp_path_factory.mktemp("browser")
    env = {"WORKSTATION_OPEN311__RATE_PER_MINUTE": "1000"}
    with start_live_server(root / "central", seats=("S01", "S02", "S03", "S04"), env=env) as srv:
        yield srv
