"""Time the execution of every chapter notebook (kernel start included).

Run: ``make time-chapters`` (or ``.venv/bin/python benchmarks/time_chapters.py``).
Each chapter of the book should execute in under 10 seconds; this prints the wall
time of each, measured by executing a copy of ``notebooks/NN_name.ipynb`` with
nbclient, and flags the ones over the budget.  It never changes the notebooks.

The time runs from starting a fresh kernel to the last cell's reply: what "Restart
Kernel and Run All" costs a reader.  The kernel is then stopped at once, as nbval
stops it; a graceful shutdown would add the kernel's interpreter finalisation (about a
second once torch and SymPy are loaded), which is not the chapter's execution.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 10.0


def execute_seconds(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", shutdown_kernel="immediate"
    )
    start = time.perf_counter()
    with client.setup_kernel(cwd=str(path.parent)):
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="notebook paths (default: all)")
    args = parser.parse_args()
    paths = [Path(p) for p in args.chapters] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    over = 0
    print(f"{'chapter':40s} {'seconds':>8s}")
    for path in paths:
        seconds = execute_seconds(path)
        flag = "  over budget" if seconds > BUDGET_SECONDS else ""
        over += seconds > BUDGET_SECONDS
        print(f"{path.stem:40s} {seconds:8.2f}{flag}")
    print(f"{over} of {len(paths)} chapters over the {BUDGET_SECONDS:.0f} s budget")


if __name__ == "__main__":
    main()
