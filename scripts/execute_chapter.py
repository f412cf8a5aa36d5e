"""Write the student edition ``notebooks/NN_name.ipynb`` of ``book/NN_name.md``, executed.

Used by ``make notebooks``.  ``student_edition.py`` converts the chapter (code cells as in
the book, markdown in plain CommonMark); this script runs it top to bottom and writes it.
Cell ids are numbered and no execution timestamps are recorded, so regenerating an
unchanged chapter rewrites the notebook byte for byte (apart from figure images) and a
diff shows only what really changed (consecutive stream outputs are merged, however the
kernel happened to split them).  The kernel runs with CurveZMQ transport encryption,
so it prints no "running over TCP without encryption" warning.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import ROOT, ConversionError, student_notebook  # noqa: E402


def execute_chapter(markdown: Path) -> Path:
    notebook = student_notebook(markdown)
    kernel = KernelManager(kernel_name="python3", transport_encryption="auto")
    client = NotebookClient(
        notebook, km=kernel, timeout=120, record_timing=False, coalesce_streams=True
    )
    try:
        client.execute(cwd=str(ROOT / "notebooks"))
    finally:
        if kernel.has_kernel:
            kernel.shutdown_kernel()
    target = ROOT / "notebooks" / (markdown.stem + ".ipynb")
    nbformat.write(notebook, target)
    return target


def main() -> None:
    failed = []
    for name in sys.argv[1:]:
        try:
            print(f"{name} -> {execute_chapter(Path(name)).relative_to(ROOT)}", flush=True)
        except ConversionError as error:  # report it, convert the other chapters
            print(f"{name}: not converted: {error}", file=sys.stderr, flush=True)
            failed.append(name)
    if failed:
        sys.exit(f"{len(failed)} chapter(s) could not be converted: {', '.join(failed)}")


if __name__ == "__main__":
    main()
