"""Grade a folder of submitted assignment notebooks into a CSV of scores.

For every ``.ipynb`` under the folder (students' subfolders included), the chapter comes
from the notebook's metadata (``otter.assignment_name``, written by ``otter assign``); the
chapter's autograder (public and hidden tests, ``scripts/assignment_edition.py``) is built
once, and ``otter run`` executes the notebook top to bottom in this environment, without
Docker, and scores each question. The CSV has one row per submission: its path, the
chapter, the points and the points possible, one column per question (``q4_1``, ...), and
an ``error`` column that says why a notebook could not be graded.

A submission is code: it runs with your permissions. Grade notebooks you trust, or run
this in a throwaway account or container.

Usage: ``python scripts/grade_assignments.py SUBMISSIONS [--output grades.csv]``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assignment_edition import ROOT, _quietly_import, spec_path, write_autograder  # noqa: E402

FIXED_COLUMNS = ["submission", "assignment", "points", "possible", "error"]


def _question_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name))


def submissions(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
    )


def assignment_of(path: Path) -> str:
    """The chapter stem a submission answers, from its otter metadata."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # not a notebook at all
        raise ValueError(f"not a readable notebook: {error}") from None
    stem = notebook.metadata.get("otter", {}).get("assignment_name")
    if not stem:
        raise ValueError("no otter.assignment_name in its metadata: not an assignment notebook")
    if not spec_path(stem).exists():
        raise ValueError(f"unknown assignment {stem!r}")
    return str(stem)


def grade(folder: Path, output: Path, autograders: Path) -> list[dict[str, object]]:
    """Grade every submission under ``folder``; write and return the rows of the CSV."""
    otter_run = _quietly_import("otter.run").main
    rows: list[dict[str, object]] = []
    zips: dict[str, Path] = {}
    for path in submissions(folder):
        row: dict[str, object] = {"submission": str(path.relative_to(folder))}
        rows.append(row)
        try:
            stem = assignment_of(path)
        except ValueError as error:
            row["error"] = str(error)
            continue
        row["assignment"] = stem
        if stem not in zips:
            zips[stem] = write_autograder(ROOT / "book" / f"{stem}.md", autograders)
        with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(io.StringIO()):
            results = otter_run(
                str(path.resolve()), autograder=str(zips[stem]), output_dir=scratch, no_logo=True
            )
        row["points"], row["possible"] = results.total, results.possible
        for name in results.test_files:
            row[name] = results.get_score(name)
        if results.catastrophic_error is not None:
            row["error"] = f"{type(results.catastrophic_error).__name__}"
    questions = sorted({k for row in rows for k in row} - set(FIXED_COLUMNS), key=_question_key)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIXED_COLUMNS[:4] + questions + ["error"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("submissions", type=Path, help="a folder of submitted notebooks")
    parser.add_argument("--output", type=Path, help="the CSV (default: SUBMISSIONS/grades.csv)")
    parser.add_argument(
        "--autograders",
        type=Path,
        default=ROOT / "_build" / "assignments" / "autograder",
        help="where the autograder zips are built",
    )
    args = parser.parse_args()
    if not args.submissions.is_dir():
        sys.exit(f"{args.submissions}: not a folder of notebooks")
    output = args.output or args.submissions / "grades.csv"
    rows = grade(args.submissions, output, args.autograders)
    graded = sum(1 for row in rows if "points" in row)
    print(f"{graded} of {len(rows)} notebook(s) graded -> {output}")


if __name__ == "__main__":
    main()
