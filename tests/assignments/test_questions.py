"""Every graded question run against its tests: reference, untouched stub, planted mistakes.

For every question of questions/NN_name.py: the reference solution passes all its tests
(public and hidden), the untouched stub (the answer cell as otter gives it to the
student) fails every one of them with an AssertionError (a message, not a crash), and
each planted mistake fails with a message that contains what the spec says it names.
The tests run as otter runs them: each test function's source alone, compiled in a
fresh scope, called with the answer cell's names from the namespace the cell made.
Run by `make test-assignments` (part of `make check`).
"""

from __future__ import annotations

import inspect
import sys
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import assignment_edition as ae  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))


def _all_questions():
    for markdown in ae.chapters_with_questions(CHAPTERS):
        questions = ae.load_questions(markdown.stem)
        for name, question in zip(
            ae.question_names(markdown.stem, questions), questions, strict=True
        ):
            yield pytest.param(markdown.stem, question, id=name)


QUESTIONS = list(_all_questions())


def _run(question, code):
    """Execute an answer cell, then every test of the question; return the failures."""
    namespace: dict = {"__name__": "__main__"}
    exec(compile(code, "<answer cell>", "exec"), namespace)
    failures = {}
    for test in [*question.tests, *question.hidden]:
        # as otter holds it: the function's source alone, in a file of its own
        scope: dict = {}
        exec(compile(ae.test_source(test), f"<test {test.__name__}>", "exec"), scope)
        test = scope[test.__name__]
        arguments = {
            name: namespace if name == "env" else namespace.get(name)
            for name in inspect.signature(test).parameters
        }
        try:
            test(**arguments)
        except Exception as error:  # a failing test may raise anything
            failures[test.__name__] = "".join(traceback.format_exception_only(error))
    return failures


def test_there_are_questions():
    assert len(QUESTIONS) >= 2 * 15


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
