"""Colab and Binder buttons: present with a repository address, absent without one.

One cheap build (two pages, no execution) with a placeholder ``repository.url``
checks the buttons' targets; the real site (``make book``, empty address) must have none.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from .conftest import ROOT, SITE

URL = "https://github.com/example-org/loss-book"
CHAPTER = "book/02_gaussian"
COLAB = "https://colab.research.google.com/github/example-org/loss-book/blob/main/notebooks/02_gaussian.ipynb"
BINDER = "https://mybinder.org/v2/gh/example-org/loss-book/main?urlpath=lab/tree/notebooks/02_gaussian.ipynb"


def _launch_links(html: Path) -> list[str]:
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return [
        a["href"]
        for a in soup.find_all("a", href=True)
        if "colab.research.google.com" in a["href"] or "mybinder.org" in a["href"]
    ]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("published")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = URL
    config["execute"]["execute_notebooks"] = "off"
    # Local extensions are found relative to the configuration file.
    extensions = config["sphinx"]["local_extensions"]
    config["sphinx"]["local_extensions"] = {k: str(ROOT / v) for k, v in extensions.items()}
    (tmp / "_config.yml").write_text(yaml.safe_dump(config))
    toc = {"format": "jb-book", "root": "book/intro", "chapters": [{"file": CHAPTER}]}
    (tmp / "_toc.yml").write_text(yaml.safe_dump(toc))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(ROOT),
            "--config",
            str(tmp / "_config.yml"),
            "--toc",
            str(tmp / "_toc.yml"),
            "--path-output",
            str(tmp),
            "-q",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return tmp / "_build" / "html"


def test_published_chapter_opens_its_notebook_in_colab_and_binder(published):
    links = _launch_links(published / f"{CHAPTER}.html")
    assert sorted(links) == sorted([COLAB, BINDER])


def test_pages_without_a_notebook_get_no_launch_button(published):
    assert _launch_links(published / "book" / "intro.html") == []


def test_unpublished_site_has_no_launch_button():
    pages = sorted((SITE / "book").glob("*.html"))
    assert pages, "no built site: run make book"
    assert {p.name: _launch_links(p) for p in pages} == {p.name: [] for p in pages}


def test_only_github_addresses_are_accepted():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from launch_buttons import launch_links

    links = launch_links(URL + ".git", "main", "notebooks/02_gaussian.ipynb")
    assert links == {"colab": COLAB, "binder": BINDER}
    with pytest.raises(ValueError, match="repository.url"):
        launch_links("https://gitlab.com/a/b", "main", "notebooks/02_gaussian.ipynb")
