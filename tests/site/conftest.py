"""Fixtures for the browser tests: the built site, a local server, headless Chromium.

The tests read ``_build/html`` (``make book`` writes it).  Without Chromium they skip
with one line saying how to get it, except where ``SITE_TESTS_REQUIRED=1`` (set by
``.ci/run``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def pytest_collection_modifyitems(config, items) -> None:
    """Without Chromium, skip the tests that need it (CI requires it instead)."""
    if chromium_path() is not None or os.environ.get("SITE_TESTS_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason=f"Chromium not found: {INSTALL_HINT}")
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
            _SKIPPED.append(item.nodeid)


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
