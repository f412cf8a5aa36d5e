"""A chapter read with the keyboard alone: Tab reaches everything, and shows where it is.

Tabbing through a chapter page from the top, every link a reader can see and every
"Solution" toggle must receive the focus, and each Solution opens with Enter (its links
then join the tab order).  Each element that receives the focus must be visibly marked:
a computed outline or box-shadow ring at least 2 px wide, in a colour that contrasts 3:1
with the background it is drawn on (WCAG 2.4.7 and 1.4.11), in the light and the dark
theme.

The walk with Tab is made once, in the light theme.  The page is then switched to the
dark theme as the theme's button does, and every element the walk reached is focused
again, in the walk's order, by the page's own script (one call for all of them), and
its mark read in the dark colours.  The theme cannot change the tab order, which follows
the document and what it shows, so the test checks what the theme could change: the
dark page shows the same links and toggles, and marks each one.  Focus moved by script
is drawn as keyboard focus once the last input was a key (``:focus-visible``, checked on
every stop), and it reads the same marks as Tab: checked in the light theme on every run.
"""

from __future__ import annotations

import pytest

from .colours import contrast, luminance
from .serve import WAIT_FOR_MATHJAX, block_other_hosts, theme_script
from .visits import SWITCH_THEME, THEMES

CHAPTER = "book/02_gaussian.html"
MAX_PRESSES = 2000
# How a report names an element: tag, href or class, and the start of its text.
NAME = """e => e.tagName.toLowerCase() + ' ' + (e.getAttribute('href') || e.className)
    + ` "${(e.textContent || '').trim().slice(0, 40)}"`"""
# Tags the focused element with a number (once) and reads how the focus is drawn.
FOCUSED = f"""() => {{
    const name = {NAME};
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) return null;
    if (!e.dataset.kbFocus) {{
        window.kbCount = (window.kbCount || 0) + 1;
        e.dataset.kbFocus = String(window.kbCount);
    }}
    // The mark as drawn once the focus styles' CSS transitions (a button's box-shadow)
    // have run, not part way through one.
    e.getAnimations().forEach(a => a.finish());
    const s = getComputedStyle(e);
    const rgba = c => (c.match(/[\\d.]+/g) || []).map(Number);
    // box-shadow: "rgb(r, g, b) x y blur spread [inset], ..."; a ring is its spread.
    const rings = s.boxShadow === 'none' ? [] : s.boxShadow.split(/,(?![^(]*\\))/).map(r => {{
        const colour = rgba((r.match(/rgba?\\([^)]*\\)/) || ['rgba(0,0,0,0)'])[0]);
        const lengths = r.replace(/rgba?\\([^)]*\\)/, '').match(/-?[\\d.]+px/g) || [];
        return {{colour, width: parseFloat(lengths[3] || '0')}};
    }});
    // What the mark is drawn on: the parent's background (translucent layers blended).
    const layers = [];
    for (let el = e.parentElement; el; el = el.parentElement) {{
        const c = rgba(getComputedStyle(el).backgroundColor);
        const alpha = c.length === 3 ? 1 : c[3];
        if (alpha > 0) layers.push([c.slice(0, 3), alpha]);
        if (alpha === 1) break;
    }}
    let behind = [255, 255, 255];
    for (const [c, a] of layers.reverse()) behind = behind.map((v, i) => a * c[i] + (1 - a) * v);
    const outline = {{style: s.outlineStyle, width: parseFloat(s.outlineWidth)}};
    outline.colour = rgba(s.outlineColor);
    return {{
        id: e.dataset.kbFocus,
        what: name(e),
        toggle: e.matches('.solution button.toggle-button'),
        expanded: e.getAttribute('aria-expanded'),
        keyboard: e.matches(':focus-visible'),
        outline,
        rings,
        behind,
    }};
}}"""
# Every link a reader can see, and every Solution toggle, with its focus number if any
# (headerlinks and closed menus are hidden: not expected, and not focusable either).
EXPECTED = f"""() => [...document.querySelectorAll('a[href], .solution button.toggle-button')]
    .filter(e => e.checkVisibility({{visibilityProperty: true}}))
    .map(e => ({{id: e.dataset.kbFocus || null, what: ({NAME})(e)}}))"""
# Every element the walk reached, focused again by script in the walk's order (one call),
# each read as FOCUSED reads it.
REFOCUS = f"""() => [...document.querySelectorAll('[data-kb-focus]')]
    .sort((a, b) => Number(a.dataset.kbFocus) - Number(b.dataset.kbFocus))
    .map(e => {{ e.focus(); return ({FOCUSED})(); }})"""


def _indicator(stop: dict) -> float:
    """The contrast with its surroundings of the clearest focus mark (0 when there is none)."""
    marks = []
    if stop["outline"]["style"] not in ("none", "hidden"):
        marks.append((stop["outline"]["width"], stop["outline"]["colour"]))
    marks += [(ring["width"], ring["colour"]) for ring in stop["rings"]]
    best = 0.0
    for width, colour in marks:
        opaque = len(colour) == 3 or colour[3] > 0.5
        if width >= 2 and opaque:
            best = max(best, contrast(luminance(colour[:3]), luminance(stop["behind"])))
    return best


@pytest.fixture(scope="module")
def walks(browser, base_url) -> dict:
    """The Tab walk in the light theme, and its stops focused again by script in each theme."""
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    block_other_hosts(context, base_url, outside)
    context.add_init_script(theme_script("light"))
    page = context.new_page()
    page.goto(base_url + CHAPTER, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.evaluate(WAIT_FOR_MATHJAX)
    stops: list[dict] = []
    opened: list[dict] = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or (stops and stop["id"] == stops[0]["id"]):
            break  # past the last element: the focus left the page or came round again
        stops.append(stop)
        if stop["toggle"] and stop["expanded"] == "false":
            page.keyboard.press("Enter")
            opened.append(page.evaluate(FOCUSED))
    result: dict = {"stops": stops, "opened": opened, "outside": outside}
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        shown = page.evaluate(SWITCH_THEME, theme)
        page.keyboard.press("Tab")  # the last input is a key, as during the walk
        result[theme] = {
            "shown": shown,
            "stops": page.evaluate(REFOCUS),
            "expected": page.evaluate(EXPECTED),
        }
    context.close()
    return result


def test_the_walk_covers_the_page(walks):
    assert walks["light"]["shown"] == "light"
    assert walks["dark"]["shown"] == "dark"
    assert walks["outside"] == []
    assert len(walks["stops"]) < MAX_PRESSES, "Tab never came back round: a focus trap?"
    toggles = [e for e in walks["light"]["expected"] if "toggle-button" in e["what"]]
    assert toggles, f"{CHAPTER} has no Solution toggle to reach"


def test_every_link_and_solution_toggle_is_reachable(walks):
    expected = walks["light"]["expected"]
    missed = [e["what"] for e in expected if e["id"] is None]
    assert missed == [], (
        f"{CHAPTER}: {len(missed)} of {len(expected)} links and "
        "Solution toggles never receive the focus with Tab:\n" + "\n".join(missed[:20])
    )


def test_the_dark_theme_shows_the_same_links_and_toggles(walks):
    assert walks["dark"]["expected"] == walks["light"]["expected"]


def test_each_solution_opens_with_enter(walks):
    toggles = [s for s in walks["stops"] if s["toggle"]]
    assert toggles
    assert len(walks["opened"]) == len(toggles)
    closed = [s["what"] for s in walks["opened"] if s is None or s["expanded"] != "true"]
    assert closed == [], f"Enter did not open: {closed}"


def _mark(stop: dict) -> dict:
    """What a stop reads, but for its name and aria-expanded (a Solution opened since)."""
    return {key: value for key, value in stop.items() if key not in ("what", "expanded")}


def test_script_focus_reads_the_marks_tab_shows(walks):
    """In the light theme, each stop focused by script reads as it did when Tab reached
    it; only a Solution toggle's state (and so its class) differs: Enter has opened it."""
    walked, refocused = walks["stops"], walks["light"]["stops"]
    assert [s["id"] for s in refocused] == [s["id"] for s in walked]
    differ = [
        f"{a['what']}: {a} / {b}"
        for a, b in zip(walked, refocused, strict=True)
        if _mark(a) != _mark(b)
    ]
    assert differ == [], "script focus reads other marks than Tab:\n" + "\n".join(differ[:10])


@pytest.mark.parametrize("theme", THEMES)
def test_the_focused_element_is_visibly_marked(walks, theme):
    stops = walks[theme]["stops"]
    assert len(stops) == len(walks["stops"])
    not_keyboard = [s["what"] for s in stops if not s["keyboard"]]
    assert not_keyboard == [], f"focus not shown as keyboard focus ({theme}): {not_keyboard[:10]}"
    unmarked = [
        f"{s['what']}: outline {s['outline']}, box-shadow {s['rings']}"
        for s in stops
        if _indicator(s) < 3.0
    ]
    assert unmarked == [], (
        f"{CHAPTER} ({theme}): {len(unmarked)} of {len(stops)} focused elements "
        "show no focus outline (>= 2 px, contrast >= 3:1 with what is behind it):\n"
        + "\n".join(unmarked[:20])
    )
