"""Every page of the built site, as a reader's browser gets it, with no network.

Each page is visited once (``visits.py``): every request to another host is aborted
and counted, and the page is read as loaded at desktop width (formulas, images, links,
anchors, JavaScript errors), laid out in a phone's 390 px window (nothing may stick out
sideways), and checked by axe-core's WCAG 2.0 and 2.1 level A and AA rules in the light
and the dark theme.
In the dark theme, figures and formulas stay readable, measured on what the browser
draws on three pages (``visits.DARK_PAGES``): each figure's screenshot keeps a light
background with dark ink on it, and every formula's text colour contrasts with the page
background (WCAG ratio >= 4.5).
A summary per page (formulas rendered, outside requests) goes to
``_build/site-report.json``, and the count of violating elements per page, theme and
rule to ``_build/accessibility-report.json``.
"""

from __future__ import annotations

import fcntl
import io
import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from PIL import Image

from .colours import contrast, luminance
from .conftest import REPORTS, SITE, site_pages, visit_group
from .visits import DARK_PAGES, visit_all

PAGES = site_pages() or ["(no built site: run make book)"]
FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}", re.I)


class Visits:
    """The visits of this process's pages, made a share at a time on first use.

    Under ``pytest -n 2`` each worker gets one share of the pages (``conftest.py``'s
    scheduler, ``visit_group``); asking for a page visits every selected page of its share
    (``pytest -k`` selects), ``LANES`` at a time, and adds them to the reports.
    """

    def __init__(self, browser, base_url: str, selected: list[str]) -> None:
        from axe_playwright_python.base import AXE_SCRIPT

        self.browser, self.base_url, self.axe = browser, base_url, AXE_SCRIPT
        self.selected = selected
        self.done: dict = {}

    def __getitem__(self, page_name: str):
        if page_name not in self.done:
            group = visit_group(page_name)
            share = [p for p in self.selected if visit_group(p) == group]
            visited = visit_all(self.browser, self.base_url, share, self.axe)
            _add_to_reports(visited)
            self.done.update(visited)
        return self.done[page_name]


@pytest.fixture(scope="module")
def visits(request, browser, base_url) -> Visits:
    selected = sorted(
        {
            item.callspec.params["page_name"]
            for item in request.session.items
            if item.module is request.module
            and "page_name" in getattr(getattr(item, "callspec", None), "params", {})
        }
    )
    return Visits(browser, base_url, selected)


@pytest.fixture
def desktop(visits, page_name) -> dict:
    return visits[page_name].report


def _add_to_reports(done: dict) -> None:
    summary = {
        page: {
            "formulas": visit.report["math_nodes"],
            "formulas_rendered": visit.report["math_rendered"],
            "outside_requests": len(visit.report["outside"]),
        }
        for page, visit in done.items()
    }
    violations = {
        page: {
            theme: {v["id"]: len(v["nodes"]) for v in found}
            for theme, found in visit.violations.items()
        }
        for page, visit in done.items()
    }
    for name, entries in zip(REPORTS, (summary, violations), strict=True):
        _merge(SITE.parent / name, entries)


def _merge(path: Path, entries: dict) -> None:
    """Add ``entries`` to the JSON object in ``path``; another worker may be adding too."""
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = json.loads(path.read_text()) if path.exists() else {}
        report.update(entries)
        path.write_text(json.dumps(dict(sorted(report.items())), indent=1) + "\n")


class _StaticPage(HTMLParser):
    """What a built HTML file holds before any script runs: its anchors (every ``id``, and
    each ``<a name>``) and how many elements have the class ``math``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.math = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name == "class" and "math" in value.split():
                self.math += 1


@cache
def _static_page(path: Path) -> _StaticPage:
    return _StaticPage(path.read_text(encoding="utf-8"))


def _static_ids(path: Path) -> frozenset[str]:
    return frozenset(_static_page(path).ids)


def _static_math_count(path: Path) -> int:
    return _static_page(path).math


@pytest.mark.parametrize("page_name", PAGES)
def test_no_request_leaves_the_site(desktop, page_name):
    assert desktop["outside"] == [], f"{page_name} requested other hosts"


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
def test_no_javascript_errors(desktop, page_name):
    assert desktop["console_errors"] == [], page_name


@pytest.mark.parametrize("page_name", PAGES)
def test_no_sideways_scrolling_on_a_phone(desktop, page_name):
    phone = desktop["phone"]
    assert phone["client"] == 390, f"the window is {phone['client']} px wide, not 390"
    assert phone["scroll"] <= phone["client"], (
        f"{page_name} is {phone['scroll']} px wide in a {phone['client']} px window; "
        f"elements past the edge: {phone['wide']}"
    )


def _describe(page_name: str, theme: str, found: list[dict]) -> str:
    lines = [f"{page_name}, {theme} theme: {len(found)} WCAG 2.1 A/AA rules violated"]
    for v in found:
        lines.append(f"  rule {v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}")
        for node in v["nodes"][:10]:
            html = " ".join(node["html"].split())
            lines.append(f"    element {node['target']}: {html[:160]}")
            for reason in (node["summary"] or "").splitlines()[1:2]:
                lines.append(f"      {reason.strip()}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("page_name", PAGES)
def test_wcag_21_aa(visits, page_name, theme):
    found = visits[page_name].violations[theme]
    if found:
        pytest.fail(_describe(page_name, theme, found), pytrace=False)


# --- the dark theme ------------------------------------------------------------------------


@pytest.mark.parametrize("page_name", sorted(DARK_PAGES))
def test_dark_theme_is_on_and_dark(visits, page_name):
    colours = visits[page_name].report["dark"]["colours"]
    assert colours["theme"] == "dark"
    assert luminance(colours["page"]) < 0.1, colours["page"]


@pytest.mark.parametrize("page_name", sorted(DARK_PAGES))
def test_figures_keep_a_light_background_and_dark_ink(visits, page_name):
    shots = visits[page_name].report["dark"]["figures"]
    assert shots, f"{page_name} has no figure"
    for shot in shots:
        lum = luminance(np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")))
        # The paper is the figure's outer margin (matplotlib's face colour); the ink is
        # the darkest 1 % of the whole figure (axes, ticks, labels, lines).
        margin = max(2, min(lum.shape) // 40)
        ring = np.concatenate(
            [
                lum[:margin].ravel(),
                lum[-margin:].ravel(),
                lum[:, :margin].ravel(),
                lum[:, -margin:].ravel(),
            ]
        )
        paper = float(np.median(ring))
        ink = float(np.percentile(lum, 1))
        # The theme dims images a little in dark mode (white paper shows as light grey,
        # luminance ~0.45); a transparent figure would show the page (~0.01) instead.
        assert paper > 0.3, f"figure background too dark in the dark theme: {paper:.2f}"
        assert contrast(paper, ink) >= 4.5, f"axes and labels fade: {contrast(paper, ink):.1f}"


@pytest.mark.parametrize("page_name", sorted(DARK_PAGES))
def test_formulas_contrast_with_their_background(visits, page_name):
    maths = visits[page_name].report["dark"]["colours"]["math"]
    assert maths, f"{page_name} has no rendered formula"
    ratios = [contrast(luminance(m["fg"]), luminance(m["bg"])) for m in maths]
    assert min(ratios) >= 4.5, min(ratios)
