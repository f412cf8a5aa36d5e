"""Fixtures for the browser tests: the built site, a local server, headless Chromium.

The tests read ``_build/html`` (``make book`` writes it).  Without Chromium they skip
with one line saying how to get it, except where ``SITE_TESTS_REQUIRED=1`` (set by
``.ci/run``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from .serve import INSTALL_HINT, LAUNCH_ARGS, chromium_path, serve

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"


def site_pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the built site, relative to its root (assets excluded)."""
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not skip.intersection(p.relative_to(site).parts)
    )


_SKIPPED: list[str] = []


VISIT_GROUPS = 2
REPORTS = ("site-report.json", "accessibility-report.json")  # in _build, from test_pages.py


def visit_group(page_name: str) -> str:
    """The share of the page visits ``page_name`` belongs to: every other page of
    :func:`site_pages`, so that two pytest-xdist workers visit half the pages each."""
    pages = _pages()
    return f"visits-{pages.index(page_name) % VISIT_GROUPS}" if page_name in pages else "visits-0"


@cache
def _pages() -> tuple[str, ...]:
    return tuple(site_pages())


def pytest_collection_modifyitems(config, items) -> None:
    """Without Chromium, skip the tests that need it (CI requires it instead)."""
    if chromium_path() is not None or os.environ.get("SITE_TESTS_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason=f"Chromium not found: {INSTALL_HINT}")
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
            _SKIPPED.append(item.nodeid)


def pytest_xdist_make_scheduler(config, log):
    """How ``pytest -n`` shares these tests: each file's tests on one worker (its module
    fixtures made once, as ``--dist loadfile``), except the page visits' tests, which go
    with their page's share (:func:`visit_group`), so that each worker visits half the
    pages.  (pytest-xdist's own ``--dist loadgroup`` does not group under pytest 9.)"""
    from xdist.scheduler import LoadScopeScheduling

    class VisitShares(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, test = nodeid.partition("::")
            page = _page_of(test[test.index("[") + 1 : -1]) if "[" in test else None
            return visit_group(page) if path.endswith("test_pages.py") and page else path

    return VisitShares(config, log)


def _page_of(params: str) -> str | None:
    """The page a test id's parameters name (``book/intro.html``, ``book/intro.html-dark``)."""
    named = [p for p in _pages() if params in (p, *(f"{p}-{t}" for t in ("light", "dark")))]
    named += [p for p in _pages() if params in (f"light-{p}", f"dark-{p}")]
    return max(named, key=len, default=None)


def pytest_sessionstart(session) -> None:
    """Remove the reports of an earlier run (each worker adds its pages to them)."""
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without -n
        for name in REPORTS:
            (SITE.parent / name).unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter) -> None:
    if _SKIPPED:
        terminalreporter.write_line(
            f"{len(_SKIPPED)} browser tests skipped, Chromium not found: {INSTALL_HINT}"
        )


def _unavailable(reason: str) -> None:
    if os.environ.get("SITE_TESTS_REQUIRED") == "1":
        pytest.fail(f"browser tests required but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "book" / "intro.html").exists():
        pytest.fail(f"no built site in {SITE}: run `make book` first", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        _unavailable(f"Chromium not found: {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: make env")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()
