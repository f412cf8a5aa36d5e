"""One visit per page: what the page tests read, at desktop width and on a phone, then axe.

A visit opens the page at 1280 x 900 in a tab of its own (light theme, every request
to another host aborted and recorded, console errors collected), waits for
MathJax and for every image, and reads the page as loaded: its formulas, images, links
and element ids (``COLLECT``).  The window is then narrowed to 390 px, a phone's width,
and the page's layout measured (``OVERFLOW``: the site's layout follows the window's
width through CSS media queries alone), and widened again.  The same page is then
checked by axe-core's WCAG 2.0 and 2.1 level A and AA rules, in the light theme and
again after switching to the dark one as the theme's button does; on three pages
(``DARK_PAGES``) the figures are photographed and the formulas' colours read in the dark
theme first.  Loading a page with its MathJax costs as much as one axe run, so each page
is loaded once for all of it.

The syntax-highlighted tokens of code cells (Pygments' ``<span>`` elements, some 8,000
of a chapter's 19,000 elements) are checked once per theme, in a code block holding
every token class that occurs on the site (``test_accessibility.py``): their colours are
the same on every page.  Before axe runs, each code block's tokens are merged into its
plain text, which then carries the block's own text colour.  Leaving them out through
axe's ``exclude`` instead costs about eight times as long (axe tests every element
against the exclusion), and so does leaving them in.  Two pages are visited at a time,
each in its own renderer process, so that one page's load overlaps the other's axe run.
The tabs share one browser context, as a reader's tabs share one browser: the site's
scripts, style sheets and fonts come from its cache after the first page, which takes a
third off each later page's load (MathJax above all).  What the tabs share does not
change what a visit reads: every tab starts in the light theme (the context's init script
sets it before the page's own scripts run, whatever theme the last tab switched to), and
a request to another host is never cached, so it is aborted and recorded on every page
that makes it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .serve import LOAD_IMAGES, WAIT_FOR_MATHJAX, block_other_hosts, theme_script

THEMES = ["light", "dark"]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANES = 2  # pages visited at once
POLL = 0.05  # seconds between asking the pages in flight whether their check has ended
# Pages whose figures (screenshots) and formula colours are also read in the dark theme.
DARK_PAGES = {
    "book/02_gaussian.html",
    "book/06_binary_classification.html",
    "book/10_other_outputs.html",
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 900}

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
# How wide the page is laid out, once the layout has settled after a resize (two frames,
# then any CSS transition run to its end): the document's scroll width against the
# window's, and the first few elements past the window's edge that are not allowed to
# scroll on their own (code, outputs, math and tables scroll inside their boxes).
OVERFLOW = """async () => {
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ending = document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    await Promise.all(ending.map(a => a.finished.catch(() => null)));
    const width = document.documentElement.clientWidth;
    return {
        scroll: document.documentElement.scrollWidth,
        client: width,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .filter(e => !e.closest('pre, .highlight, .cell_output, .math, table, mjx-container'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className),
    };
}"""
# Syntax-highlighted tokens (Pygments), checked by test_code_token_colours, merged into
# their code block's text.  Returns how many elements are left on the page.
PLAIN_CODE = """() => {
    for (const pre of document.querySelectorAll('div.highlight pre')) {
        pre.textContent = pre.textContent;
    }
    return document.querySelectorAll('div.highlight pre span').length;
}"""
# Starts axe on the whole page and returns at once; READY tells whether it has ended,
# FINISH waits for its violations.
START = """(tags) => {
    window.axeDone = false;
    window.axeViolations = axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    }).then(results => results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({
            target: n.target.join(' >>> '), html: n.html, summary: n.failureSummary})),
    }))).finally(() => { window.axeDone = true; });
    return true;
}"""
READY = "() => window.axeDone"
FINISH = "() => window.axeViolations"
# In the dark theme, on DARK_PAGES: the theme shown, the page's background and the first
# 50 formulas' text colour and background (test_pages.py checks their contrast).
COLOURS = """() => {
    const rgb = s => (s.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
    // The colour behind an element: its ancestors' backgrounds, translucent ones
    // blended over what lies beneath them.
    const background = el => {
        const layers = [];
        for (; el; el = el.parentElement) {
            const c = rgb(getComputedStyle(el).backgroundColor);
            const alpha = c.length === 3 ? 1 : c[3];
            if (alpha > 0) layers.push([c.slice(0, 3), alpha]);
            if (alpha === 1) break;
        }
        let colour = [255, 255, 255];
        for (const [c, a] of layers.reverse())
            colour = colour.map((v, i) => a * c[i] + (1 - a) * v);
        return colour;
    };
    return {
        theme: document.documentElement.dataset.theme,
        page: background(document.querySelector('article') || document.body),
        math: [...document.querySelectorAll('mjx-container')].slice(0, 50)
            .map(m => ({fg: rgb(getComputedStyle(m).color).slice(0, 3), bg: background(m)})),
    };
}"""
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


class Visit:
    """One page open in a tab of ``context``: read at once, then checked theme by theme.

    ``report`` holds what ``COLLECT`` read, how wide the page is laid out in a 390 px
    window (``phone``, from ``OVERFLOW``), the URL the browser ended on, whether MathJax
    started, the requests to other hosts and the console errors; ``violations`` axe's
    findings per theme, once :meth:`finish` has returned True.
    """

    def __init__(self, context: Any, base_url: str, page_name: str, axe_source: str) -> None:
        self.name = page_name
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        block_other_hosts(self.page, base_url, self.outside)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(base_url + page_name, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        mathjax_ready = self.page.evaluate(WAIT_FOR_MATHJAX)
        self.page.evaluate(LOAD_IMAGES)
        self.report: dict[str, Any] = self.page.evaluate(COLLECT)
        # A phone: the same page in a window 390 px wide, as a phone's browser lays it out.
        self.page.set_viewport_size(PHONE)
        self.report["phone"] = self.page.evaluate(OVERFLOW)
        self.page.set_viewport_size(DESKTOP)
        # The console as the reader's page leaves it: axe itself then fetches the style
        # sheets' @import targets relative to the page (a 404 for the theme's
        # "../basic.css"), which is axe's doing, not the page's.
        self.report.update(
            mathjax_ready=mathjax_ready,
            url=self.page.url,
            base_url=base_url,
            console_errors=list(self.errors),
        )
        assert self.page.evaluate(PLAIN_CODE) == 0, f"{page_name}: code tokens left"
        self.page.evaluate(axe_source)
        self.themes = list(THEMES)
        self.violations: dict[str, list[dict]] = {}
        self._start()

    def _start(self) -> None:
        shown = self.page.evaluate(SWITCH_THEME, self.themes[0])
        assert shown == self.themes[0], f"{self.name}: asked for {self.themes[0]}, got {shown}"
        if shown == "dark" and self.name in DARK_PAGES:
            figures = self.page.locator(".cell_output img").all()  # each shot scrolls to it
            self.report["dark"] = {
                "colours": self.page.evaluate(COLOURS),
                "figures": [figure.screenshot() for figure in figures],
            }
            self.page.evaluate("() => window.scrollTo(0, 0)")  # axe sees the page as loaded
        self.page.evaluate(START, TAGS)

    def ready(self) -> bool:
        """Whether the running check has ended (asks the page; does not wait)."""
        return bool(self.page.evaluate(READY))

    def finish(self) -> bool:
        """Wait for the running check; start the next theme's.  True when all are done."""
        self.violations[self.themes.pop(0)] = self.page.evaluate(FINISH)
        if self.themes:
            self._start()
            return False
        self.page.close()
        # Read after the whole visit: a request to another host during axe counts too.
        self.report.update(outside=self.outside)
        return True


def visit_all(browser: Any, base_url: str, pages: Iterable[str], axe_source: str) -> dict:
    """Every page's :class:`Visit`, once done, ``LANES`` pages in flight at a time.

    Whichever page's check ends first is served first (its next theme started, or the
    next page opened in its place), so no lane waits behind a slower page.  Every page
    opens in the light theme of one browser context (the module's docstring says why).
    """
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(theme_script(THEMES[0]))
    waiting, running, done = list(pages), [], {}
    try:
        while waiting or running:
            while waiting and len(running) < LANES:
                running.append(Visit(context, base_url, waiting.pop(0), axe_source))
            visit = next((v for v in running if v.ready()), None)
            if visit is None:
                time.sleep(POLL)
                continue
            running.remove(visit)
            if visit.finish():
                done[visit.name] = visit
            else:
                running.append(visit)
    finally:
        context.close()
    return done
