"""Write the student edition ``notebooks/NN_name.ipynb`` of ``book/NN_name.md``, executed.

Used by ``make notebooks``.  ``student_edition.py`` converts the chapter (code cells as in
the book, markdown in plain CommonMark); this script runs it top to bottom and writes it.
Cell ids are numbered and no execution timestamps are recorded, so regenerating an
unchanged chapter rewrites the notebook byte for byte (apart from figure images) and a
diff shows only what really changed (consecutive outputs of one stream are merged,
however the kernel happened to split them; a print after a display stays after it).
The kernel runs with CurveZMQ transport encryption, so it prints no "running over TCP
without encryption" warning.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import ROOT, ConversionError, student_notebook  # noqa: E402


def merge_consecutive_streams(outputs: list) -> list:
    """``outputs`` with each run of consecutive outputs of one stream joined into one."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.output_type == previous.output_type == "stream"
            and output.name == previous.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def execute_chapter(markdown: Path) -> Path:
    notebook = student_notebook(markdown)
    kernel = KernelManager(kernel_name="python3", transport_encryption="auto")
    # Not nbclient's coalesce_streams: it moves every chunk of a stream up to the stream's
    # first output, so a print that follows a display would be shown before it.
    client = NotebookClient(notebook, km=kernel, timeout=120, record_timing=False)
    try:
        client.execute(cwd=str(ROOT / "notebooks"))
    finally:
        if kernel.has_kernel:
            kernel.shutdown_kernel()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_consecutive_streams(cell.outputs)
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
