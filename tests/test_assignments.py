"""The assignment edition's questions (questions/NN_name.py) and notebooks (assignments/).

For every graded question: its reference solution passes all its tests, the untouched
stub (the answer cell as the student gets it) fails every one of them, and each planted
mistake fails with a message that names it. The tests run here as otter runs them: each
test function is called with the answer cell's names from the namespace the cell made.
The committed notebooks are checked against the specs (questions, stubs, public tests,
no hidden test); `make test-assignments` regenerates them with otter and grades some.
"""

from __future__ import annotations

import inspect
import sys
import traceback
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


def _all_questions():
    for markdown in ae.chapters_with_questions(CHAPTERS):
        questions = ae.load_questions(markdown.stem)
        for name, question in zip(ae.question_names(markdown.stem, questions), questions):
            yield pytest.param(markdown.stem, question, id=name)


QUESTIONS = list(_all_questions())


def _run(question, code):
    """Execute an answer cell, then every test of the question; return the failures."""
    namespace: dict = {"__name__": "__main__"}
    exec(compile(code, "<answer cell>", "exec"), namespace)
    failures = {}
    for test in [*question.tests, *question.hidden]:
        arguments = {
            name: namespace if name == "env" else namespace.get(name)
            for name in inspect.signature(test).parameters
        }
        try:
            test(**arguments)
        except Exception as error:  # a failing test may raise anything
            failures[test.__name__] = "".join(traceback.format_exception_only(error))
    return failures


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


@pytest.mark.parametrize("stem, question", QUESTIONS)
def test_reference_solution_passes(stem, question):
    assert _run(question, ae.reference_solution(question.answer)) == {}


@pytest.mark.parametrize("stem, question", QUESTIONS)
def test_untouched_stub_fails_every_test(stem, question):
    failures = _run(question, ae.stub(question.answer))
    tests = [t.__name__ for t in [*question.tests, *question.hidden]]
    assert sorted(failures) == sorted(tests), "a test passes on the blank stub"
    for message in failures.values():
        assert "AssertionError" in message, f"the stub makes a test crash: {message}"


@pytest.mark.parametrize("stem, question", QUESTIONS)
def test_planted_mistakes_fail_and_are_named(stem, question):
    for mistake in question.mistakes:
        failures = _run(question, ae.with_solution(question.answer, mistake.code))
        assert failures, f"passes every test: {mistake.code}"
        said = "\n".join(failures.values())
        assert mistake.says in said, f"{mistake.code}: expected {mistake.says!r} in\n{said}"


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
    answers = [c.source for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert answers == [ae.stub(q.answer) for q in questions]
    checks = [c.source for c in notebook.cells if c.source.startswith("grader.check(")]
    assert checks == [f'grader.check("{name}")' for name in names]
    for name, question in zip(names, questions):
        for test in question.tests:
            assert f"def {test.__name__}(" in tests[name]
        for test in question.hidden:
            assert f"def {test.__name__}(" not in tests[name], "a hidden test is public"
        assert "hidden=True" not in tests[name]


def test_no_assignment_without_a_spec():
    assert sorted(p.stem for p in ae.ASSIGNMENTS.glob("*.ipynb")) == [s.stem for s in SPECS]
