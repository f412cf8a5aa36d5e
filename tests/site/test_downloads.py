"""The download menu of each chapter page offers its notebook and its assignment.

Reads the built site (``_build/html``, ``make book``): each chapter page links ".ipynb"
to the committed student notebook and, where ``assignments/NN_name.ipynb`` exists,
"assignment" to the committed assignment notebook, copied byte for byte under its own
name (its checks rely on it). No browser needed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))


def _links(page: Path) -> dict[str, str]:
    """The download menu's links of a page: the text of each, to its href."""
    html = page.read_text()
    found = {}
    for match in re.finditer(r'<a href="(?P<href>[^"]+)"[^>]*>(?P<body>.*?)</a>', html, re.DOTALL):
        text = re.sub(r"<[^>]+>", " ", match["body"])
        found[" ".join(text.split())] = match["href"]
    return found


@pytest.mark.parametrize("markdown", CHAPTERS, ids=lambda p: p.stem)
def test_download_menu_offers_notebook_and_assignment(site, markdown):
    page = site / "book" / f"{markdown.stem}.html"
    links = _links(page)
    notebook = (page.parent / links[".ipynb"]).resolve()
    assert notebook.read_bytes() == (ROOT / "notebooks" / f"{markdown.stem}.ipynb").read_bytes()
    committed = ROOT / "assignments" / f"{markdown.stem}.ipynb"
    if not committed.exists():
        assert "assignment" not in links
        return
    offered = (page.parent / links["assignment"]).resolve()
    assert offered.name == committed.name, "the assignment must keep its file name"
    assert offered.read_bytes() == committed.read_bytes()
