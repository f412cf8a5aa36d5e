"""Write the student edition ``notebooks/NN_name.ipynb`` of ``book/NN_name.md``, executed.

Used by ``make notebooks``.  ``student_edition.py`` converts the chapter (code cells as in
the book, markdown in plain CommonMark); this script runs it top to bottom and writes it.
Cell ids are numbered and no execution timestamps are recorded, so regenerating an
unchanged chapter rewrites the notebook byte for byte (apart from figure images) and a
diff shows only what really changed.  The kernel runs with CurveZMQ transport encryption,
so it prints no "running over TCP without encryption" warning.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import ROOT, student_notebook  # noqa: E402


def execute_chapter(markdown: Path) -> Path:
    notebook = student_notebook(markdown)
    kernel = KernelManager(kernel_name="python3", transport_encryption="auto")
    client = NotebookClient(notebook, km=kernel, timeout=120, record_timing=False)
    client.execute(cwd=str(ROOT / "notebooks"))
    target = ROOT / "notebooks" / (markdown.stem + ".ipynb")
    nbformat.write(notebook, target)
    return target


def main() -> None:
    for name in sys.argv[1:]:
        print(f"{name} -> {execute_chapter(Path(name)).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
