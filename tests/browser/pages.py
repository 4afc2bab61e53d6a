"""What the browser tests read from a page: form filling, the DOM's accessibility basics,
width at phone size, and whether anything but our own markup was created."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_S = 15

A11Y_SCRIPT = r"""
const problems = [];
const lang = document.documentElement.getAttribute('lang') || '';
if (!/^(zh|en)/.test(lang)) problems.push('html lang is ' + JSON.stringify(lang));
const named = (el) => {
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
  if (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) return true;
  return !!el.closest('label');
};
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden' || el.type === 'submit') continue;
  if (!named(el)) problems.push('no label: ' + el.outerHTML.slice(0, 80));
}
for (const img of document.querySelectorAll('img')) {
  if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.outerHTML.slice(0, 80));
}
for (const el of document.querySelectorAll('button, a[href]')) {
  if (!(el.textContent.trim() || el.getAttribute('aria-label')))
    problems.push('nothing to read on ' + el.outerHTML.slice(0, 80));
}
const heads = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
if (heads.filter(l => l === 1).length !== 1) problems.push('h1 count ' + heads.filter(l => l === 1).length);
if (heads.length && heads[0] !== 1) problems.push('first heading is h' + heads[0]);
for (let i = 1; i < heads.length; i++)
  if (heads[i] > heads[i - 1] + 1) problems.push('heading h' + heads[i - 1] + ' then h' + heads[i]);
if (!document.title.trim()) problems.push('no title');
return problems;
"""


def a11y_problems(driver: Any) -> list[str]:
    """Accessibility basics of the page in the browser (labels, lang, headings, alt)."""
    return list(driver.execute_script(A11Y_SCRIPT))


def overflows(driver: Any) -> bool:
    """Whether the page is wider than the window (sideways scrolling on a phone)."""
    return bool(
        driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    )


def wait_for(driver: Any, css: str) -> Any:
    WebDriverWait(driver, WAIT_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
    return driver.find_element(By.CSS_SELECTOR, css)


def fill(driver: Any, values: dict[str, str]) -> None:
    """Type into the submit form like a person: select options, text, the checkbox."""
    form = driver.find_element(By.ID, "submit-form")
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        elif field.get_attribute("type") == "checkbox":
            if field.is_selected() != bool(value):
                field.click()
        else:
            field.clear()
            field.send_keys(value)


def submit(driver: Any, base_url: str, values: dict[str, str]) -> None:
    driver.get(f"{base_url}/citizen/submit")
    wait_for(driver, "#submit-form")
    fill(driver, values)
    driver.find_element(By.ID, "submit-button").click()
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#order-number, .field-error, #error-message")
    )


def text_of(driver: Any, css: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).text).strip()


def steps(driver: Any) -> list[str]:
    return [
        str(li.get_attribute("data-step"))
        for li in driver.find_elements(By.CSS_SELECTOR, "ol#timeline li.step")
    ]
