"""Print the single-page build of the book to one PDF with headless Chromium.

    python scripts/print_pdf.py _build/singlehtml _build/pdf/loss-functions.pdf

The page is served on 127.0.0.1 (no request leaves the machine: MathJax and the
figures come with the site), printed once MathJax has typeset every formula and every
figure has loaded.  No TeX installation is needed.  ``make pdf`` runs this.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.site.serve import (  # noqa: E402
    INSTALL_HINT,
    LAUNCH_ARGS,
    LOAD_IMAGES,
    WAIT_FOR_MATHJAX,
    block_other_hosts,
    chromium_path,
    serve,
)


def root_page(site: Path) -> str:
    """The page that holds the whole book, placed at the top of ``site``.

    With the root document in ``book/``, the singlehtml builder writes the book to
    ``book/intro.html`` (and ``index.html`` redirects there) but makes its links relative
    to the top folder; a copy at the top resolves them.
    """
    index = (site / "index.html").read_text(encoding="utf-8")
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index)
    if redirect is None:
        return "index.html"
    shutil.copyfile(site / redirect.group(1), site / "book.html")
    return "book.html"


def print_pdf(site: Path, output: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        sys.exit(f"Chromium not found: {INSTALL_HINT}")
    outside: list[str] = []
    with serve(site) as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        context = browser.new_context()
        block_other_hosts(context, base_url, outside)
        # The whole book is one page of some 2,500 formulas and 100 figures: on a busy
        # machine its load takes longer than Playwright's default 30 s.
        context.set_default_timeout(300_000)
        page = context.new_page()
        page.goto(base_url + root_page(site), wait_until="load")
        page.wait_for_load_state("networkidle")
        if not page.evaluate(WAIT_FOR_MATHJAX):
            sys.exit("MathJax did not start: the PDF would show raw TeX")
        broken = page.evaluate(LOAD_IMAGES)
        if broken:
            sys.exit(f"figures that did not load: {broken}")
        # MathJax's hidden copy of each formula for screen readers (MathML, clipped to
        # nothing): absent from the PDF's pages and text layer alike (the same text with
        # or without), so its ~3,000 subtrees are not laid out for print.
        page.evaluate(
            "() => document.querySelectorAll('mjx-assistive-mml').forEach(m => m.remove())"
        )
        page.emulate_media(media="print")
        output.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(output),
            format="A4",
            print_background=True,
            margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        )
        browser.close()
    if outside:
        sys.exit(f"the book asked for other hosts while printing: {outside}")
    print(f"wrote {output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the singlehtml build (has index.html)")
    parser.add_argument("output", type=Path, help="the PDF to write")
    args = parser.parse_args()
    print_pdf(args.site, args.output)


if __name__ == "__main__":
    main()
