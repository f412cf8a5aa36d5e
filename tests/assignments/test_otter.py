"""The assignment notebooks with otter itself: regenerated, run blank, and graded.

- Every committed ``assignments/NN_name.ipynb`` is what ``otter assign`` makes of the
  chapter and its spec now (cells and metadata), as the student edition is checked.
- A blank assignment runs top to bottom in a kernel with no error, and every check cell
  shows failing checks, none passing: chapter 06 by default (each run executes a whole
  chapter; ``tests/test_assignments.py`` checks statically, for every chapter, that no
  later cell reads an answer's names), every chapter with ``ASSIGNMENT_BLANK_RUNS=all``.
- ``scripts/grade_assignments.py`` (``make grade-assignments``) grades a folder holding a
  blank, a solved, a mistaken and a foreign notebook into the CSV a teacher gets: zero,
  full marks, partial marks, and a row that says why it was not graded.
Run by ``make test-assignments`` (part of ``make check``).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import assignment_edition as ae  # noqa: E402

CHAPTERS = ae.chapters_with_questions(sorted((ROOT / "book").glob("[0-9][0-9]_*.md")))
GRADED_CHAPTER = "06_binary_classification"
BLANK_RUNS = [
    c
    for c in CHAPTERS
    if os.environ.get("ASSIGNMENT_BLANK_RUNS") == "all" or c.stem == GRADED_CHAPTER
]


def _view(notebook):
    cells = [(c.cell_type, c.source, dict(c.metadata)) for c in notebook.cells]
    return cells, dict(notebook.metadata)


@pytest.mark.parametrize("markdown", CHAPTERS, ids=lambda p: p.stem)
def test_committed_assignment_is_regenerated(markdown):
    committed = nbformat.read(ae.ASSIGNMENTS / f"{markdown.stem}.ipynb", as_version=4)
    fresh = ae.assignment_notebook(markdown, run_tests=False)
    command = f"make assignments CHAPTERS=book/{markdown.name}"
    stale = f"assignments/{markdown.stem}.ipynb is stale: {command}"
    assert _view(fresh) == _view(committed), stale


def _execute(notebook, folder: Path, name: str):
    """Run All in a fresh kernel (nbclient starts it, and stops it at once at the end), in
    ``folder``."""
    nbformat.write(notebook, folder / name)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=300, allow_errors=True, shutdown_kernel="immediate"
    )
    client.execute(cwd=str(folder))
    return notebook


def _text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


@pytest.mark.parametrize("markdown", BLANK_RUNS, ids=lambda p: p.stem)
def test_blank_assignment_runs_and_fails_every_check(markdown, tmp_path):
    name = f"{markdown.stem}.ipynb"
    notebook = _execute(nbformat.read(ae.ASSIGNMENTS / name, as_version=4), tmp_path, name)
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error" or output.get("name") == "stderr"
    ]
    assert not errors, f"{name}: {errors[0]}"
    checks = [c for c in notebook.cells if c.source.startswith("grader.check(")]
    assert checks
    for cell in checks:
        shown = _text(cell)
        assert " results:" in shown and "passed!" not in shown, f"{cell.source}: {shown[:300]}"


def _with_answers(notebook, answers):
    notebook = nbformat.from_dict(notebook)
    cells = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    for cell, answer in zip(cells, answers, strict=True):
        cell.source = answer
    return notebook


def test_grading_a_folder_gives_the_csv(tmp_path):
    stem = GRADED_CHAPTER
    questions = ae.load_questions(stem)
    blank = nbformat.read(ae.ASSIGNMENTS / f"{stem}.ipynb", as_version=4)
    solutions = [ae.reference_solution(q.answer) for q in questions]
    mistaken = [ae.with_solution(questions[0].answer, questions[0].mistakes[0].code)]
    folder = tmp_path / "submissions"
    (folder / "ada").mkdir(parents=True)
    nbformat.write(blank, folder / "blank.ipynb")
    nbformat.write(_with_answers(blank, solutions), folder / "ada" / f"{stem}.ipynb")
    nbformat.write(_with_answers(blank, mistaken + solutions[1:]), folder / "bob.ipynb")
    shutil.copy(ROOT / "notebooks" / f"{stem}.ipynb", folder / "student-edition.ipynb")
    output = tmp_path / "grades.csv"
    command = [sys.executable, str(ROOT / "scripts" / "grade_assignments.py"), str(folder)]
    command += ["--output", str(output), "--autograders", str(tmp_path / "autograder")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 of 4 notebook(s) graded" in done.stdout
    with output.open() as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    names = ae.question_names(stem, questions)
    assert list(next(iter(rows.values())))[4 : 4 + len(names)] == names
    possible = float(sum(q.points for q in questions))
    solved = rows[f"ada/{stem}.ipynb"]
    assert float(solved["points"]) == float(solved["possible"]) == possible
    assert all(float(solved[name]) == q.points for name, q in zip(names, questions, strict=True))
    assert float(rows["blank.ipynb"]["points"]) == 0.0
    assert [float(rows["blank.ipynb"][name]) for name in names] == [0.0] * len(names)
    bob = rows["bob.ipynb"]
    assert float(bob[names[0]]) < questions[0].points
    assert [float(bob[name]) for name in names[1:]] == [q.points for q in questions[1:]]
    foreign = rows["student-edition.ipynb"]
    assert foreign["points"] == "" and "not an assignment notebook" in foreign["error"]
