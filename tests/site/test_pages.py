"""Every page of the built site, as a reader's browser gets it, with no network.

Each page is loaded once at desktop width and once at 390 px (a phone); every request
to another host is aborted and counted.  A summary per page (formulas rendered,
outside requests) is written to ``_build/site-report.json``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from .conftest import SITE, site_pages
from .serve import WAIT_FOR_MATHJAX, block_other_hosts

PAGES = site_pages() or ["(no built site: run make book)"]

COLLECT = """() => {
    const maths = [...document.querySelectorAll('.math')];
    return {
        math_nodes: maths.length,
        math_rendered: maths.filter(m => m.querySelector('mjx-container')).length,
        mjx_containers: document.querySelectorAll('mjx-container').length,
        mjx_errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
        images: [...document.images].map(i => ({
            src: i.currentSrc || i.src, alt: i.getAttribute('alt'),
            width: i.naturalWidth})),
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        ids: [...document.querySelectorAll('[id]')].map(e => e.id)
            .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
    };
}"""
LOAD_IMAGES = """async () => {
    const imgs = [...document.images];
    imgs.forEach(i => { i.loading = 'eager'; });
    await Promise.all(imgs.map(i => i.complete ? null :
        new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
}"""
OVERFLOW = """() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter(e => !e.closest('pre, .highlight, .cell_output, .math, table, mjx-container'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className),
})"""
FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}", re.I)


def _load(browser, base_url: str, page_name: str, width: int, collect: str) -> dict:
    outside: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900})
    block_other_hosts(context, base_url, outside)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + page_name, wait_until="load")
    page.wait_for_load_state("networkidle")
    mathjax_ready = page.evaluate(WAIT_FOR_MATHJAX)
    page.evaluate(LOAD_IMAGES)
    result = page.evaluate(collect)
    result.update(outside=outside, console_errors=errors, mathjax_ready=mathjax_ready)
    result["url"] = page.url
    context.close()
    return result


_REPORTS: dict[tuple[str, int], dict] = {}


@pytest.fixture
def desktop(browser, base_url, request) -> dict:
    return _report(browser, base_url, request.node.callspec.params["page_name"], 1280)


@pytest.fixture
def phone(browser, base_url, request) -> dict:
    return _report(browser, base_url, request.node.callspec.params["page_name"], 390)


def _report(browser, base_url: str, page_name: str, width: int) -> dict:
    key = (page_name, width)
    if key not in _REPORTS:
        collect = COLLECT if width > 390 else OVERFLOW
        _REPORTS[key] = _load(browser, base_url, page_name, width, collect)
        _REPORTS[key]["base_url"] = base_url
        _write_summary()
    return _REPORTS[key]


def _write_summary() -> None:
    summary = {
        page: {
            "formulas": r["math_nodes"],
            "formulas_rendered": r["math_rendered"],
            "outside_requests": len(r["outside"]),
        }
        for (page, width), r in sorted(_REPORTS.items())
        if width > 390
    }
    (SITE.parent / "site-report.json").write_text(json.dumps(summary, indent=1) + "\n")


@cache
def _static_ids(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


@cache
def _static_math_count(path: Path) -> int:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return len(soup.select(".math"))


@pytest.mark.parametrize("page_name", PAGES)
def test_no_request_leaves_the_site(desktop, phone, page_name):
    assert desktop["outside"] == [], f"{page_name} requested other hosts"
    assert phone["outside"] == [], f"{page_name} (390 px) requested other hosts"


@pytest.mark.parametrize("page_name", PAGES)
def test_every_formula_is_rendered(site, desktop, page_name):
    # index.html redirects to the first page: count the page the browser ended on.
    landed = site / unquote(urlsplit(desktop["url"]).path).lstrip("/")
    expected = _static_math_count(landed)
    if expected:
        assert desktop["mathjax_ready"], f"MathJax did not start on {page_name}"
    # Every math node in the HTML file reaches the DOM and holds MathJax's output.
    assert desktop["math_nodes"] == expected
    assert desktop["math_rendered"] == expected, (
        f"{page_name}: {expected - desktop['math_rendered']} of {expected} formulas unrendered"
    )
    assert desktop["mjx_errors"] == 0, f"{page_name}: MathJax reported TeX errors"


@pytest.mark.parametrize("page_name", PAGES)
def test_every_image_loads_and_has_alt_text(desktop, page_name):
    for image in desktop["images"]:
        assert image["width"] > 0, f"{page_name}: image not loaded: {image['src']}"
        alt = (image["alt"] or "").strip()
        assert alt, f"{page_name}: no alt text on {image['src']}"
        assert not FILE_NAME.search(alt), f"{page_name}: alt text is a file name: {alt!r}"
        assert len(alt.split()) >= 3, f"{page_name}: alt text too short to describe: {alt!r}"


@pytest.mark.parametrize("page_name", PAGES)
def test_every_internal_link_and_anchor_resolves(site, desktop, page_name):
    own = urlsplit(desktop["base_url"]).netloc
    broken = []
    for href in sorted(set(desktop["links"])):
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != own:
            continue
        target = site / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no such file")
        elif parts.fragment and target.suffix == ".html":
            ids = _static_ids(target)
            if target == site / unquote(urlsplit(desktop["url"]).path).lstrip("/"):
                ids = ids | set(desktop["ids"])
            if unquote(parts.fragment) not in ids:
                broken.append(f"{href}: no element with id {parts.fragment!r}")
    assert broken == [], f"{page_name}: broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize("page_name", PAGES)
def test_no_javascript_errors(desktop, phone, page_name):
    assert desktop["console_errors"] == [], page_name
    assert phone["console_errors"] == [], f"{page_name} (390 px)"


@pytest.mark.parametrize("page_name", PAGES)
def test_no_sideways_scrolling_on_a_phone(phone, page_name):
    assert phone["scroll"] <= phone["client"], (
        f"{page_name} is {phone['scroll']} px wide in a {phone['client']} px window; "
        f"elements past the edge: {phone['wide']}"
    )
