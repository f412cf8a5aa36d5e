"""The colours of the code's syntax highlighting pass WCAG 2.1 AA contrast, in both themes.

The page checks (``test_pages.py``, through ``visits.py``) run axe-core's WCAG 2.0 and
2.1 level A and AA rules on every page in the light and the dark theme, with each code
block's tokens merged into its plain text first: some 8,000 of a chapter's 19,000
elements are Pygments' token ``<span>`` elements, and checking them on every page would
cost about eight times as long.  Their colours are the same on every page, so they are
checked here once per theme: a copy of a real code cell, holding one token of every
class that occurs on the site, checked by axe's ``color-contrast`` rule.  The copy is
made on the smallest page with a code cell (the quickest to load), checked in the light
theme, then switched to the dark one as the theme's button does and checked again.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from .conftest import SITE, site_pages
from .serve import WAIT_FOR_MATHJAX, block_other_hosts, theme_script
from .visits import SWITCH_THEME, THEMES

PAGES = site_pages() or ["(no built site: run make book)"]


@cache
def code_on_pages() -> dict[str, tuple[list[str], bool]]:
    """Each page's token classes, and whether it has a code cell, from one read of it."""
    found = {}
    for name in PAGES:
        html = (SITE / name).read_text(encoding="utf-8") if (SITE / name).is_file() else ""
        blocks = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', html, re.S)
        classes = sorted({c for b in blocks for c in re.findall(r'<span class="(\w+)">', b)})
        found[name] = (classes, 'class="cell_input' in html)
    return found


# A copy of the page's first code cell's block, holding one token of each class, for axe.
TOKEN_BLOCK = """classes => {
    const original = document.querySelector('.cell_input div.highlight');
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


def host_page() -> str | None:
    """The smallest page (the quickest to load) with a highlighted code cell."""
    pages = [name for name, (classes, cells) in code_on_pages().items() if classes and cells]
    return min(pages, key=lambda name: (SITE / name).stat().st_size, default=None)


@pytest.fixture(scope="module")
def token_checks(browser, base_url) -> dict:
    """axe's color-contrast results on the block of every token, by theme."""
    from axe_playwright_python.base import AXE_SCRIPT

    classes = sorted({c for found, _ in code_on_pages().values() for c in found})
    page_name = host_page()
    assert page_name is not None and len(classes) > 5, "no highlighted code on the site"
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    block_other_hosts(context, base_url, outside)
    context.add_init_script(theme_script(THEMES[0]))
    page = context.new_page()
    checks: dict = {"classes": classes, "outside": outside}
    try:
        page.goto(base_url + page_name, wait_until="load")
        page.evaluate(WAIT_FOR_MATHJAX)
        checks["tokens"] = page.evaluate(TOKEN_BLOCK, classes)
        page.evaluate(AXE_SCRIPT)
        for theme in THEMES:
            page.emulate_media(color_scheme=theme)
            checks[theme] = {"shown": page.evaluate(SWITCH_THEME, theme)}
            checks[theme].update(
                page.evaluate(
                    """() => axe.run('#every-token',
                        {runOnly: {type: 'rule', values: ['color-contrast']}})
                        .then(r => ({violations: r.violations, passes: r.passes}))"""
                )
            )
    finally:
        context.close()
    return checks


@pytest.mark.parametrize("theme", THEMES)
def test_code_token_colours(token_checks, theme):
    """Every token class of the site's code, in a real code cell, passes axe's contrast."""
    classes = token_checks["classes"]
    assert token_checks["tokens"] == len(classes)
    assert token_checks["outside"] == []
    results = token_checks[theme]
    assert results["shown"] == theme
    nodes = {
        kind: [n for v in results[kind] for n in v["nodes"]] for kind in ("violations", "passes")
    }
    checked = len(nodes["violations"]) + len(nodes["passes"])
    assert checked == len(classes), f"axe checked {checked} of {len(classes)} tokens"
    bad = [f"{n['html']}: {n['failureSummary']}" for n in nodes["violations"]]
    assert bad == [], f"code tokens in the {theme} theme:\n" + "\n".join(bad)
