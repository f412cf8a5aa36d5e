"""What a graded question of the assignment edition is: ``questions/NN_name.py`` lists them.

``scripts/assignment_edition.py`` reads the lists and builds the notebooks; the tests
(``tests/test_assignments.py``) run every question's reference solution, its stub and its
planted mistakes against its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer, and a phrase its failure message must contain.

    ``code`` replaces the solution of the answer cell (the lines between ``# BEGIN
    SOLUTION`` and ``# END SOLUTION``, indented as they are, or the one line marked
    ``# SOLUTION``).
    """

    code: str
    says: str


@dataclass(frozen=True)
class Question:
    """A graded question: the exercise it grades, what to enter, and how it is checked.

    - ``exercise``: the label of the book exercise (``ex-04-divide``); the question takes
      the place of that exercise's worked solution.
    - ``task``: markdown (MyST roles allowed): what to enter, and what the check compares.
    - ``answer``: the answer cell with the reference solution marked for otter: lines
      between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, or one line ending in
      ``# SOLUTION`` (``v = S / I  # SOLUTION`` becomes ``v = ...``). The rest of the cell
      (imports, symbols, the function's signature and docstring) is given to the student.
    - ``tests`` / ``hidden``: test functions, public (the student's check cell runs them)
      and hidden (only grading does); each takes the answer's names as parameters and
      imports what it needs inside, as otter's test files hold only the function.
    - ``mistakes``: at least one plausible wrong answer that the tests must reject.
    """

    exercise: str
    task: str
    answer: str
    tests: Sequence[Callable[..., None]]
    mistakes: Sequence[Mistake]
    hidden: Sequence[Callable[..., None]] = field(default_factory=tuple)
    points: int = 1
