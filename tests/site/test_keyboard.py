"""A chapter read with the keyboard alone: Tab reaches everything, and shows where it is.

Tabbing through a chapter page from the top, every link a reader can see and every
"Solution" toggle must receive the focus, and each Solution opens with Enter (its links
then join the tab order).  Each element that receives the focus must be visibly marked:
a computed outline or box-shadow ring at least 2 px wide, in a colour that contrasts 3:1
with the background it is drawn on (WCAG 2.4.7 and 1.4.11).  Run in the light and the dark theme.
"""

from __future__ import annotations

import pytest

from .colours import contrast, luminance
from .serve import WAIT_FOR_MATHJAX, block_other_hosts, theme_script

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


@pytest.fixture(scope="module", params=["light", "dark"])
def walk(request, browser, base_url) -> dict:
    theme = request.param
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=theme)
    block_other_hosts(context, base_url, outside)
    context.add_init_script(theme_script(theme))
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
    result = {
        "theme": theme,
        "shown": page.evaluate("document.documentElement.dataset.theme"),
        "stops": stops,
        "opened": opened,
        "expected": page.evaluate(EXPECTED),
        "outside": outside,
    }
    context.close()
    return result


def test_the_walk_covers_the_page(walk):
    assert walk["shown"] == walk["theme"]
    assert walk["outside"] == []
    assert len(walk["stops"]) < MAX_PRESSES, "Tab never came back round: a focus trap?"
    toggles = [e for e in walk["expected"] if "toggle-button" in e["what"]]
    assert toggles, f"{CHAPTER} has no Solution toggle to reach"


def test_every_link_and_solution_toggle_is_reachable(walk):
    missed = [e["what"] for e in walk["expected"] if e["id"] is None]
    assert missed == [], (
        f"{CHAPTER} ({walk['theme']}): {len(missed)} of {len(walk['expected'])} links and "
        "Solution toggles never receive the focus with Tab:\n" + "\n".join(missed[:20])
    )


def test_each_solution_opens_with_enter(walk):
    toggles = [s for s in walk["stops"] if s["toggle"]]
    assert toggles
    assert len(walk["opened"]) == len(toggles)
    closed = [s["what"] for s in walk["opened"] if s is None or s["expanded"] != "true"]
    assert closed == [], f"Enter did not open: {closed}"


def test_the_focused_element_is_visibly_marked(walk):
    unmarked = [
        f"{s['what']}: outline {s['outline']}, box-shadow {s['rings']}"
        for s in walk["stops"]
        if _indicator(s) < 3.0
    ]
    assert unmarked == [], (
        f"{CHAPTER} ({walk['theme']}): {len(unmarked)} of {len(walk['stops'])} focused elements "
        "show no focus outline (>= 2 px, contrast >= 3:1 with what is behind it):\n"
        + "\n".join(unmarked[:20])
    )
