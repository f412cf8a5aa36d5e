"""The assignment edition's specs (questions/NN_name.py) and committed notebooks (assignments/).

Cheap checks, in `make test`: every spec grades exercises of its own chapter, chapters
01-15 have at least two questions each, and each committed notebook holds exactly its
spec's questions: the stubs, the check cells, the public tests and no hidden test.
`make test-assignments` runs every question (tests/assignments/) and regenerates the
notebooks with otter.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import assignment_edition as ae  # noqa: E402
import student_edition as se  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
SPECS = sorted(ae.QUESTIONS.glob("*.py"))
FIRST_EDITION = 15  # chapters 01-15 were written before the assignment edition: all graded


def test_every_spec_belongs_to_a_chapter():
    stems = {c.stem for c in CHAPTERS}
    assert SPECS, "no question specs"
    assert [s.stem for s in SPECS if s.stem not in stems] == []


def test_first_edition_chapters_have_at_least_two_questions():
    for markdown in CHAPTERS:
        if int(markdown.stem[:2]) <= FIRST_EDITION:
            count = len(ae.load_questions(markdown.stem))
            assert count >= 2, f"{markdown.name}: {count} graded question(s)"


def test_questions_grade_exercises_of_their_chapter():
    book = se.load_book()
    for spec in SPECS:
        for question in ae.load_questions(spec.stem):
            label = book.labels.get(question.exercise)
            assert label is not None and label.kind == "exercise", question.exercise
            assert label.doc == spec.stem, f"{question.exercise} is not in {spec.stem}"
            assert question.tests and question.mistakes, question.exercise


@pytest.mark.parametrize("markdown", ae.chapters_with_questions(CHAPTERS), ids=lambda p: p.stem)
def test_committed_assignment_matches_its_spec(markdown):
    path = ae.ASSIGNMENTS / f"{markdown.stem}.ipynb"
    assert path.exists(), f"run: make assignments CHAPTERS=book/{markdown.name}"
    notebook = nbformat.read(path, as_version=4)
    questions = ae.load_questions(markdown.stem)
    names = ae.question_names(markdown.stem, questions)
    tests = notebook.metadata["otter"]["tests"]
    assert list(tests) == names
    assert notebook.metadata["otter"]["assignment_name"] == markdown.stem
    answers = [
        c.source for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    assert answers == [ae.stub(q.answer) for q in questions]
    checks = [c.source for c in notebook.cells if c.source.startswith("grader.check(")]
    assert checks == [f'grader.check("{name}")' for name in names]
    for name, question in zip(names, questions, strict=True):
        for test in question.tests:
            assert f"def {test.__name__}(" in tests[name]
        for test in question.hidden:
            assert f"def {test.__name__}(" not in tests[name], "a hidden test is public"
        assert "hidden=True" not in tests[name]


def test_no_assignment_without_a_spec():
    assert sorted(p.stem for p in ae.ASSIGNMENTS.glob("*.ipynb")) == [s.stem for s in SPECS]


def _defined(source: str) -> set[str]:
    """The names a cell binds at its top level, imports left out (same modules everywhere)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _used(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # an IPython magic: no Python names to read
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


@pytest.mark.parametrize("markdown", ae.chapters_with_questions(CHAPTERS), ids=lambda p: p.stem)
def test_no_later_cell_reads_an_answer(markdown):
    """A blank answer (`...`) cannot break the chapter: no later cell uses its names.

    (Every blank assignment is also run top to bottom by `make test-assignments`.)
    """
    notebook = nbformat.read(ae.ASSIGNMENTS / f"{markdown.stem}.ipynb", as_version=4)
    answers: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type != "code" or cell.source.startswith("grader.check("):
            continue
        if "otter_answer_cell" in cell.metadata.get("tags", []):
            answers |= _defined(cell.source)
            continue
        clash = answers & _used(cell.source)
        assert not clash, f"{cell.id} uses {sorted(clash)}, which an answer cell defines"
