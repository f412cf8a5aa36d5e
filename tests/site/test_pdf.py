"""The printed book (``make pdf``): one PDF with every chapter, math typeset.

Reads ``_build/pdf/loss-functions.pdf`` with poppler's ``pdfinfo`` and ``pdftotext``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from .conftest import ROOT

PDF = ROOT / "_build" / "pdf" / "loss-functions.pdf"
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))


def _title(chapter) -> str:
    for line in chapter.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{chapter.name} has no '# ' title")


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.fixture(scope="module")
def pdf_text() -> str:
    if shutil.which("pdftotext") is None:
        reason = "pdftotext not found: apt-get install poppler-utils"
        if os.environ.get("SITE_TESTS_REQUIRED") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    if not PDF.exists():
        pytest.fail(f"{PDF.relative_to(ROOT)} is missing: run `make pdf`", pytrace=False)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_page_count(pdf_text):
    info = subprocess.run(["pdfinfo", str(PDF)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    # Ten chapters with figures and derivations: far more than a page each, and the
    # whole book, not one chapter or an empty shell.
    assert 8 * len(CHAPTERS) <= pages <= 600, pages
    assert pdf_text.count("\f") + 1 >= pages


def test_every_chapter_title_is_in_the_text(pdf_text):
    text = _words(pdf_text)
    missing = [_title(c) for c in CHAPTERS if _words(_title(c)) not in text]
    assert CHAPTERS and missing == []


def test_math_is_typeset_not_raw_tex(pdf_text):
    # Raw TeX would survive in the text layer as its delimiters and commands (code
    # cells may spell a symbol such as r"\hat\sigma", so only markup is looked for).
    for raw in ("\\frac", "\\mathbf", "\\begin{", "$$", "\\(", "\\["):
        assert raw not in pdf_text, raw
    assert "σ" in pdf_text and "∑" in pdf_text
