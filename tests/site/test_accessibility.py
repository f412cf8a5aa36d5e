"""WCAG 2.1 AA on every page, in the light and the dark theme, checked by axe-core.

axe-core comes with the pinned ``axe-playwright-python`` wheel (its ``axe.min.js``), and
is injected into each page after MathJax has typeset it; only the rules tagged WCAG 2.0
and 2.1, levels A and AA, run.  A violation fails the test with its rule, the page, the
theme and every offending element (CSS selector, HTML, axe's reason).  Each page is
loaded once, checked in the light theme, switched to the dark one as the theme's button
does, and checked again.  The count of violating elements per page, theme and rule goes
to ``_build/accessibility-report.json``.

The syntax-highlighted tokens of code cells (Pygments' ``<span>`` elements, some 8,000
of a chapter's 19,000 elements) are checked once per theme, in a code block holding
every token class that occurs on the site (``test_code_token_colours``): their colours
are the same on every page.  In the page checks each code block's tokens are first
merged into its plain text, which then carries the block's own text colour.  Leaving
them out through axe's ``exclude`` instead costs about eight times as long (axe tests
every element against the exclusion), and so does leaving them in.  Two pages are
checked at a time, each in its own renderer process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache

import pytest

from .conftest import SITE, site_pages
from .serve import WAIT_FOR_MATHJAX, block_other_hosts, theme_script

PAGES = site_pages() or ["(no built site: run make book)"]
THEMES = ["light", "dark"]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANES = 2  # pages checked at once
# Syntax-highlighted tokens (Pygments), checked by test_code_token_colours, merged into
# their code block's text.  Returns how many elements are left on the page.
PLAIN_CODE = """() => {
    for (const pre of document.querySelectorAll('div.highlight pre')) {
        pre.textContent = pre.textContent;
    }
    return document.querySelectorAll('div.highlight pre span').length;
}"""
# Starts axe on the whole page and returns at once; FINISH waits for its violations.
START = """(tags) => {
    window.axeViolations = axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    }).then(results => results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({
            target: n.target.join(' >>> '), html: n.html, summary: n.failureSummary})),
    })));
    return true;
}"""
FINISH = "() => window.axeViolations"
# Switches the open page to another theme as the theme's own button does (pydata-sphinx-
# theme draws both from the data-theme attribute) and remembers it, like the button.
# Waits until the colours' CSS transitions have ended: axe must not see a colour on its way.
SWITCH_THEME = """async theme => {
    localStorage.setItem('mode', theme); localStorage.setItem('theme', theme);
    document.documentElement.dataset.mode = theme;
    document.documentElement.dataset.theme = theme;
    const ending = document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    await Promise.all(ending.map(a => a.finished.catch(() => null)));
    return document.documentElement.dataset.theme;
}"""

Results = dict[str, dict[str, list[dict]]]


class _Check:
    """One page open in its own browser context, checked in one theme after the other."""

    def __init__(self, browser, base_url: str, page_name: str, axe_source: str) -> None:
        self.name = page_name
        self.outside: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        block_other_hosts(self.context, base_url, self.outside)
        self.context.add_init_script(theme_script(THEMES[0]))
        self.page = self.context.new_page()
        self.page.goto(base_url + page_name, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate(WAIT_FOR_MATHJAX)
        assert self.page.evaluate(PLAIN_CODE) == 0, f"{page_name}: code tokens left"
        self.page.evaluate(axe_source)
        self.themes = list(THEMES)
        self.found: dict[str, list[dict]] = {}
        self._start()

    def _start(self) -> None:
        shown = self.page.evaluate(SWITCH_THEME, self.themes[0])
        assert shown == self.themes[0], f"{self.name}: asked for {self.themes[0]}, got {shown}"
        self.page.evaluate(START, TAGS)

    def finish(self) -> bool:
        """Wait for the running check; start the next theme's.  True when all are done."""
        self.found[self.themes.pop(0)] = self.page.evaluate(FINISH)
        if self.themes:
            self._start()
            return False
        self.context.close()
        assert self.outside == [], f"{self.name} requested other hosts: {self.outside}"
        return True


def _check_all(browser, base_url: str, pages: Iterable[str], axe_source: str) -> Results:
    """axe's violations on each page in each theme, LANES pages in flight at a time."""
    waiting, running, results = list(pages), [], {}
    while waiting or running:
        while waiting and len(running) < LANES:
            # Loading one page overlaps with axe working on the other.
            running.append(_Check(browser, base_url, waiting.pop(0), axe_source))
        check = running.pop(0)
        if check.finish():
            results[check.name] = check.found
        else:
            running.append(check)
    return results


def _write_report(results: Results) -> None:
    report = {
        page: {theme: {v["id"]: len(v["nodes"]) for v in found} for theme, found in themes.items()}
        for page, themes in sorted(results.items())
    }
    (SITE.parent / "accessibility-report.json").write_text(json.dumps(report, indent=1) + "\n")


@pytest.fixture(scope="module")
def violations(request, browser, base_url) -> Results:
    from axe_playwright_python.base import AXE_SCRIPT

    # Only the pages whose tests were selected (pytest -k).
    pages = sorted(
        {
            item.callspec.params["page_name"]
            for item in request.session.items
            if item.module is request.module
            and "page_name" in getattr(getattr(item, "callspec", None), "params", {})
        }
    )
    results = _check_all(browser, base_url, pages, AXE_SCRIPT)
    _write_report(results)
    return results


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


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page_name", PAGES)
def test_wcag_21_aa(violations, page_name, theme):
    found = violations[page_name][theme]
    if found:
        pytest.fail(_describe(page_name, theme, found), pytrace=False)


@cache
def token_classes() -> dict[str, list[str]]:
    """The Pygments token classes in the code blocks of the built site, by page."""
    found = {}
    for name in PAGES:
        html = (SITE / name).read_text(encoding="utf-8") if (SITE / name).is_file() else ""
        blocks = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', html, re.S)
        found[name] = sorted({c for b in blocks for c in re.findall(r'<span class="(\w+)">', b)})
    return found


# A copy of the page's first code block, holding one token of each class, for axe.
TOKEN_BLOCK = """classes => {
    const original = document.querySelector('div.highlight');
    const block = original.cloneNode(true);
    block.id = 'every-token';
    block.querySelector('pre').replaceChildren(...classes.flatMap(c => {
        const span = document.createElement('span');
        span.className = c;
        span.textContent = `token_${c}`;
        return [span, document.createTextNode('\\n')];
    }));
    original.after(block);
    return block.querySelectorAll('pre span').length;
}"""


@pytest.mark.parametrize("theme", THEMES)
def test_code_token_colours(browser, base_url, theme):
    """Every token class of the site's code, in a real code block, passes axe's contrast."""
    from axe_playwright_python.base import AXE_SCRIPT

    classes = sorted({c for found in token_classes().values() for c in found})
    page_name = next((name for name, found in token_classes().items() if found), None)
    assert page_name is not None and len(classes) > 5, "no highlighted code on the site"
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    block_other_hosts(context, base_url, outside)
    context.add_init_script(theme_script(theme))
    page = context.new_page()
    try:
        page.goto(base_url + page_name, wait_until="load")
        page.evaluate(WAIT_FOR_MATHJAX)
        assert page.evaluate(TOKEN_BLOCK, classes) == len(classes)
        assert page.evaluate(SWITCH_THEME, theme) == theme
        page.evaluate(AXE_SCRIPT)
        results = page.evaluate(
            """() => axe.run('#every-token', {runOnly: {type: 'rule', values: ['color-contrast']}})
                .then(r => ({violations: r.violations, passes: r.passes}))"""
        )
    finally:
        context.close()
    assert outside == []
    nodes = {kind: [n for v in found for n in v["nodes"]] for kind, found in results.items()}
    checked = len(nodes["violations"]) + len(nodes["passes"])
    assert checked == len(classes), f"axe checked {checked} of {len(classes)} tokens"
    bad = [f"{n['html']}: {n['failureSummary']}" for n in nodes["violations"]]
    assert bad == [], f"code tokens in the {theme} theme:\n" + "\n".join(bad)
