"""Regenerate ``notebooks/NN_name.ipynb`` from ``book/NN_name.md`` and execute it.

Used by ``make notebooks``.  Cell ids are numbered and no execution timestamps are
recorded, so regenerating an unchanged chapter rewrites the notebook byte for byte
(apart from figure images) and a diff shows only what really changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute_chapter(markdown: Path) -> Path:
    notebook = jupytext.read(markdown)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", record_timing=False)
    client.execute(cwd=str(ROOT / "notebooks"))
    target = ROOT / "notebooks" / (markdown.stem + ".ipynb")
    nbformat.write(notebook, target)
    return target


def main() -> None:
    for name in sys.argv[1:]:
        print(f"{name} -> {execute_chapter(Path(name)).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
