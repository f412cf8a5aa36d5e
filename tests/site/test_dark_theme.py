"""In the dark theme, figures and formulas stay readable.

Measured on what the browser draws: each figure's screenshot must keep a light
background with dark ink on it, and every formula's text colour must contrast with
the page background (WCAG ratio >= 4.5).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from .serve import WAIT_FOR_MATHJAX, block_other_hosts, theme_script

PAGES = [
    "book/02_gaussian.html",
    "book/06_binary_classification.html",
    "book/10_other_outputs.html",
]
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


def luminance(rgb) -> np.ndarray:
    """WCAG relative luminance of sRGB values in 0..255 (last axis: R, G, B)."""
    c = np.asarray(rgb, dtype=float)[..., :3] / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


@pytest.fixture(scope="module")
def dark_pages(browser, base_url):
    results = {}
    for name in PAGES:
        outside: list[str] = []
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        block_other_hosts(context, base_url, outside)
        context.add_init_script(theme_script("dark"))
        page = context.new_page()
        page.goto(base_url + name, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(WAIT_FOR_MATHJAX)
        figures = []
        for image in page.locator(".cell_output img").all():
            image.scroll_into_view_if_needed()
            shot = Image.open(io.BytesIO(image.screenshot())).convert("RGB")
            figures.append(luminance(np.asarray(shot)))
        results[name] = {"colours": page.evaluate(COLOURS), "figures": figures}
        context.close()
    return results


@pytest.mark.parametrize("name", PAGES)
def test_dark_theme_is_on_and_dark(dark_pages, name):
    colours = dark_pages[name]["colours"]
    assert colours["theme"] == "dark"
    assert luminance(colours["page"]) < 0.1, colours["page"]


@pytest.mark.parametrize("name", PAGES)
def test_figures_keep_a_light_background_and_dark_ink(dark_pages, name):
    figures = dark_pages[name]["figures"]
    assert figures, f"{name} has no figure"
    for lum in figures:
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


@pytest.mark.parametrize("name", PAGES)
def test_formulas_contrast_with_their_background(dark_pages, name):
    maths = dark_pages[name]["colours"]["math"]
    assert maths, f"{name} has no rendered formula"
    ratios = [contrast(luminance(m["fg"]), luminance(m["bg"])) for m in maths]
    assert min(ratios) >= 4.5, min(ratios)
