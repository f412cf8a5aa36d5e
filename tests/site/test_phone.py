"""Every page of the built site on a phone: loaded at 390 px wide, with no network.

Each page is loaded once in a 390 x 900 window (its own browser context, every request
to another host aborted and counted), after MathJax has typeset it and every image has
loaded: nothing may stick out sideways, no request may leave the site, and no
JavaScript error may occur.
"""

from __future__ import annotations

import pytest

from .conftest import site_pages
from .serve import WAIT_FOR_MATHJAX, block_other_hosts
from .visits import LOAD_IMAGES

PAGES = site_pages() or ["(no built site: run make book)"]
PHONE = {"width": 390, "height": 900}
OVERFLOW = """() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter(e => !e.closest('pre, .highlight, .cell_output, .math, table, mjx-container'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className),
})"""

_LOADED: dict[str, dict] = {}


@pytest.fixture
def phone(browser, base_url, page_name) -> dict:
    if page_name not in _LOADED:
        outside: list[str] = []
        errors: list[str] = []
        context = browser.new_context(viewport=PHONE)
        block_other_hosts(context, base_url, outside)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base_url + page_name, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(WAIT_FOR_MATHJAX)
        page.evaluate(LOAD_IMAGES)
        result = page.evaluate(OVERFLOW)
        context.close()
        result.update(outside=outside, console_errors=errors)
        _LOADED[page_name] = result
    return _LOADED[page_name]


@pytest.mark.parametrize("page_name", PAGES)
def test_no_sideways_scrolling_on_a_phone(phone, page_name):
    assert phone["scroll"] <= phone["client"], (
        f"{page_name} is {phone['scroll']} px wide in a {phone['client']} px window; "
        f"elements past the edge: {phone['wide']}"
    )


@pytest.mark.parametrize("page_name", PAGES)
def test_no_request_leaves_the_site_on_a_phone(phone, page_name):
    assert phone["outside"] == [], f"{page_name} (390 px) requested other hosts"


@pytest.mark.parametrize("page_name", PAGES)
def test_no_javascript_errors_on_a_phone(phone, page_name):
    assert phone["console_errors"] == [], f"{page_name} (390 px)"
