"""Put the committed, executed notebooks in Jupyter Book's execution cache.

Run by ``make book`` before the build.  MyST-NB (``execute_notebooks: cache``) keys the
cache on a chapter's code cells (source and cell metadata) and its kernelspec, not on
its markdown.  ``notebooks/NN_name.ipynb`` has exactly the code cells of
``book/NN_name.md`` (the pairing test checks it), so the build takes each chapter's
outputs from its notebook instead of executing the chapter a second time.  A chapter
whose code differs from its notebook's gets no match and is executed afresh during the
build, so the site never shows outputs of other code than its own; and ``make test``
runs nbval on the same notebooks beside the build (re-executing each and comparing every
output), failing if any output is not the one the code produces now.

Only the code cells go into the cache, as the book has them: cells that exist only in
the student edition (tagged ``student-only``, such as the Colab install cell) are
dropped, and the collapse flags of the solutions' code cells taken off
(``student_edition.book_code_cells``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from student_edition import ROOT, book_code_cells


def cache_notebook(cache_path: Path, notebook_path: Path) -> str:
    """Cache one executed notebook under the URI of its chapter; return its hash key."""
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells = book_code_cells(notebook)
    chapter = ROOT / "book" / (notebook_path.stem + ".md")
    record = get_cache(str(cache_path)).cache_notebook_bundle(
        CacheBundleIn(notebook, str(chapter)), check_validity=False, overwrite=True
    )
    return record.hashkey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        cache_notebook(args.cache, path)
    print(f"cached {len(paths)} executed notebooks in {args.cache.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
