"""The colours of the code's syntax highlighting pass WCAG 2.1 AA contrast, in both themes.

The page checks (``test_pages.py``, through ``visits.py``) run axe-core's WCAG 2.0 and
2.1 level A and AA rules on every page in the light and the dark theme, with each code
block's tokens merged into its plain text first: some 8,000 of a chapter's 19,000
elements are Pygments' token ``<span>`` elements, and checking them on every page would
cost about eight times as long.  Their colours are the same on every page, so they are
checked here once per theme: a copy of a real code block, holding one token of every
class that occurs on the site, checked by axe's ``color-contrast`` rule.
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
