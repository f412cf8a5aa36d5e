"""Time the author loop: a cold book build, the whole test suite, each chapter.

Run: ``make timings`` (or ``.venv/bin/python benchmarks/time_loop.py --runs 3``).  Each
figure is the wall time of a whole command, over ``--runs`` runs, reported as minimum,
median and maximum, so a change that slows the loop shows up next to the budgets: a cold
``make book`` within 60 s, ``make test`` within 120 s, every chapter within 10 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from time_chapters import execute_seconds

ROOT = Path(__file__).resolve().parent.parent


def wall_seconds(command: list[str], before: Callable[[], None] = lambda: None) -> float:
    """Run ``command`` in the repository (after ``before()``) and return its wall time."""
    before()
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold() -> None:
    """As on a fresh clone: no site, no execution cache."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)


def row(name: str, samples: list[float]) -> str:
    low, mid, high = min(samples), statistics.median(samples), max(samples)
    return f"{name:40s} {low:8.1f} {mid:8.1f} {high:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-test", action="store_true", help="do not time make test")
    args = parser.parse_args()
    print(
        f"{'wall seconds, ' + str(args.runs) + ' runs':40s} {'min':>8s} {'median':>8s} {'max':>8s}"
    )
    build = [wall_seconds(["make", "book"], cold) for _ in range(args.runs)]
    print(row("make book (cold _build)", build))
    if not args.skip_test:
        test = [wall_seconds(["make", "test"], cold) for _ in range(args.runs)]
        print(row("make test", test))
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        samples = [execute_seconds(path) for _ in range(args.runs)]
        print(row(f"chapter {path.stem}", samples))


if __name__ == "__main__":
    main()
