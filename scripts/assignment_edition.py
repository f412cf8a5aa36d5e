"""The assignment edition: `assignments/NN_name.ipynb`, a chapter whose exercises check themselves.

A chapter's graded questions are specified in ``questions/NN_name.py`` (a list
``QUESTIONS`` of :class:`Question`), each keyed by the label of the book exercise it
grades. The edition is the student edition of ``book/NN_name.md``
(``scripts/student_edition.py``) with, for every graded exercise, the worked solution taken
out and put in its place: what to enter, an answer cell (the stub: ``...`` where the
solution was) and a check cell, ``grader.check("q2_1")``, which runs the question's public
tests and says what is wrong. Exercises without a question keep their folded solutions;
a chapter without a spec file gets no assignment.

The tooling is otter-grader, offline: this script writes the *master* notebook of a
chapter (the student edition with otter's question, solution and test blocks) and runs
``otter assign`` on it. Its student view, with cell ids numbered as in the student edition,
is the committed ``assignments/NN_name.ipynb`` (the public tests live in its metadata, so
the one file is all a student needs); its autograder zip, with the hidden tests, is built
on demand for ``make grade-assignments`` (``scripts/grade_assignments.py``).

Usage: ``python scripts/assignment_edition.py [--no-run-tests] book/NN_name.md ...``
writes the assignments (otter assign first runs every test against the reference
solutions, executing the chapter); ``--autograder DIR`` writes the autograder zips instead.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib.util
import inspect
import logging
import re
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import student_edition as se  # noqa: E402
from question_spec import Question  # noqa: E402

ROOT = se.ROOT
QUESTIONS = ROOT / "questions"
ASSIGNMENTS = ROOT / "assignments"
QUESTION_TAG = "assignment-question"  # the placeholder of a question during conversion
INTRO = (
    "**Assignment edition.** Each graded exercise below has an answer cell: replace its "
    "`...` with your answer and run it, then run the check cell after it, "
    "`grader.check(...)`, which says whether your answer passes and, if not, what is "
    "wrong. Run the first code cell (it starts the checker) before any check. Keep this "
    "file's name: the checks are stored in this notebook. Your teacher grades it with "
    "more tests than the ones you see."
)


# --------------------------------------------------------------------------------------
# The question specs
# --------------------------------------------------------------------------------------


def spec_path(stem: str) -> Path:
    return QUESTIONS / f"{stem}.py"


def load_questions(stem: str) -> list[Question]:
    """The questions of chapter ``stem`` (``questions/<stem>.py``), or [] without a spec."""
    path = spec_path(stem)
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"questions_{stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    questions = list(module.QUESTIONS)
    for question in questions:
        if not isinstance(question, Question):
            raise TypeError(f"{path}: QUESTIONS holds a {type(question).__name__}")
    return questions


def question_names(stem: str, questions: Sequence[Question]) -> list[str]:
    """``q<chapter>_<k>``: the chapter's number on the site, then 1, 2, ... in order."""
    number = se.load_book().chapter_numbers[stem]
    return [f"q{number}_{k}" for k in range(1, len(questions) + 1)]


class _HoistMistakes(ast.NodeTransformer):
    """Move a check's ``mistakes=[...]`` into a variable on the line before the call.

    A failing otter test shows the line that raised: the call, not the list of planted
    mistakes and their hints.
    """

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        body: list[ast.stmt] = []
        for statement in node.body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            for keyword in call.keywords if isinstance(call, ast.Call) else []:
                if keyword.arg == "mistakes" and not isinstance(keyword.value, ast.Name):
                    target = ast.Name("mistakes", ast.Store())
                    body.append(ast.Assign(targets=[target], value=keyword.value))
                    keyword.value = ast.Name("mistakes", ast.Load())
            body.append(statement)
        node.body = body
        return node


def test_source(test: Callable[..., None]) -> str:
    """The source of a test function as its otter test file holds it."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(test)))
    return ast.unparse(ast.fix_missing_locations(_HoistMistakes().visit(tree)))


BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
LINE = re.compile(r"^(?P<indent>\s*)(?P<code>.*?)\s*# SOLUTION\s*$")


def with_solution(answer: str, code: str) -> str:
    """The answer cell with its marked solution replaced by ``code`` (a planted mistake)."""
    lines = answer.strip("\n").split("\n")
    for i, line in enumerate(lines):
        if match := BEGIN.match(line):
            end = next(j for j in range(i + 1, len(lines)) if END.match(lines[j]))
            body = textwrap.indent(textwrap.dedent(code).strip("\n"), match["indent"])
            return "\n".join([*lines[:i], body, *lines[end + 1 :]])
        if match := LINE.match(line):
            body = textwrap.indent(textwrap.dedent(code).strip("\n"), match["indent"])
            return "\n".join([*lines[:i], body, *lines[i + 1 :]])
    raise ValueError(f"the answer marks no solution:\n{answer}")


def reference_solution(answer: str) -> str:
    """The answer cell as the reference solution: otter's markers taken off."""
    lines = [ln for ln in answer.strip("\n").split("\n") if not (BEGIN.match(ln) or END.match(ln))]
    return "\n".join(LINE.sub(r"\g<indent>\g<code>", ln) for ln in lines)


def _quietly_import(module: str) -> Any:
    """Import a module of otter, whose imports warn (ipylab's traitlets, ...)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(module)


def stub(answer: str) -> str:
    """The answer cell as the student gets it, by otter's own rule."""
    replace_solutions = _quietly_import("otter.assign.solutions").replace_solutions
    return "\n".join(replace_solutions(answer.strip("\n").split("\n"), "python"))


# --------------------------------------------------------------------------------------
# The master notebook
# --------------------------------------------------------------------------------------


def _without_graded_solutions(
    source: nbformat.NotebookNode, graded: dict[str, list[tuple[str, Question]]], where: str
) -> nbformat.NotebookNode:
    """The chapter with each graded exercise's solution replaced by its questions' cells.

    A question becomes a markdown cell (its task) and a placeholder code cell, which
    :func:`master_notebook` expands into otter's blocks after the conversion.
    """
    cells: list[nbformat.NotebookNode] = []
    dropping: str | None = None
    found: set[str] = set()

    for cell in source.cells:
        if cell.cell_type != "markdown":
            if dropping is None:
                cells.append(cell)
            continue
        text, kept, position = cell.source + "\n", [], 0
        for marker in se.SOLUTION_SPLIT.finditer(text):
            if dropping is None:
                kept.append(text[position : marker.start()])
            label = marker["arg"].strip()
            if marker["name"] == "solution-start" and label in graded:
                cells.append(nbformat.v4.new_markdown_cell("".join(kept).strip("\n")))
                kept, dropping = [], label
                found.add(label)
                for name, question in graded[label]:
                    cells.append(nbformat.v4.new_markdown_cell(question.task.strip()))
                    cells.append(
                        nbformat.v4.new_code_cell("", metadata={"tags": [QUESTION_TAG, name]})
                    )
            elif marker["name"] == "solution-end" and dropping is not None:
                dropping = None
            elif dropping is None:
                kept.append(marker.group(0))
            position = marker.end()
        if dropping is None:
            kept.append(text[position:])
        rest = "".join(kept).strip("\n")
        if rest:
            cells.append(nbformat.v4.new_markdown_cell(rest, metadata=cell.metadata))
    missing = sorted(set(graded) - found)
    if missing:
        raise se.ConversionError(
            f"{where}: questions/{Path(where).stem}.py grades {', '.join(missing)}, "
            "which the chapter has no solution of (renamed or removed exercise?)"
        )
    result = copy.copy(source)
    result.cells = [c for c in cells if c.cell_type != "markdown" or c.source.strip()]
    return result


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def _question_cells(name: str, question: Question, task: nbformat.NotebookNode) -> list:
    cells = [_raw(f"# BEGIN QUESTION\nname: {name}\npoints: {question.points}"), task]
    cells += [_raw("# BEGIN SOLUTION"), nbformat.v4.new_code_cell(question.answer.strip("\n"))]
    cells += [_raw("# END SOLUTION"), _raw("# BEGIN TESTS")]
    cells += [nbformat.v4.new_code_cell(test_source(t)) for t in question.tests]
    cells += [nbformat.v4.new_code_cell("# HIDDEN\n" + test_source(t)) for t in question.hidden]
    return [*cells, _raw("# END TESTS"), _raw("# END QUESTION")]


def assignment_config(stem: str, *, run_tests: bool, generate: bool) -> str:
    return "\n".join(
        [
            "# ASSIGNMENT CONFIG",
            f"name: {stem}",
            "init_cell: true",
            "check_all_cell: false",
            "export_cell: false",
            f"run_tests: {'true' if run_tests else 'false'}",
            f"generate: {'true' if generate else 'false'}",
            "tests:",
            "  files: false",
            "  ok_format: false",
        ]
    )


def master_notebook(
    markdown: Path, *, run_tests: bool = True, generate: bool = False
) -> nbformat.NotebookNode:
    """Otter's master notebook of a chapter: the student edition with question blocks."""
    markdown = Path(markdown)
    questions = load_questions(markdown.stem)
    if not questions:
        raise se.ConversionError(f"book/{markdown.name}: no questions/{markdown.stem}.py")
    names = question_names(markdown.stem, questions)
    graded: dict[str, list[tuple[str, Question]]] = {}
    for name, question in zip(names, questions, strict=True):
        graded.setdefault(question.exercise, []).append((name, question))
    source = _without_graded_solutions(jupytext.read(markdown), graded, f"book/{markdown.name}")
    student = se.student_notebook(markdown, source=source)
    by_name = dict(zip(names, questions, strict=True))
    cells = [_raw(assignment_config(markdown.stem, run_tests=run_tests, generate=generate))]
    for cell in student.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and QUESTION_TAG in tags:
            name = tags[1]
            task = cells.pop()  # the question's task, converted, just before it
            cells += _question_cells(name, by_name[name], task)
        else:
            cells.append(cell)
    first_text = next(i for i, c in enumerate(cells) if c.cell_type == "markdown")
    cells.insert(first_text + 1, nbformat.v4.new_markdown_cell(INTRO))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(student.metadata))
    for index, cell in enumerate(notebook.cells):
        cell.id = f"master-{index:03d}"
    return notebook


# --------------------------------------------------------------------------------------
# otter assign
# --------------------------------------------------------------------------------------


def _otter_assign(master: nbformat.NotebookNode, stem: str, folder: Path, run_tests: bool) -> Path:
    """Run ``otter assign`` on ``master`` in ``folder``; return its output directory."""
    otter_assign = _quietly_import("otter.assign").main
    logging.getLogger("otter").setLevel(logging.WARNING)
    path = folder / f"{stem}.ipynb"
    nbformat.write(master, path)
    output = folder / "dist"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        otter_assign(str(path), str(output), no_run_tests=not run_tests, no_pdfs=True)
    return output


def assignment_notebook(markdown: Path, *, run_tests: bool = True) -> nbformat.NotebookNode:
    """The student view of ``otter assign``, with cell ids numbered."""
    markdown = Path(markdown)
    # otter runs its tests through the autograder zip: generate it when testing
    master = master_notebook(markdown, run_tests=run_tests, generate=run_tests)
    with tempfile.TemporaryDirectory() as folder:
        output = _otter_assign(master, markdown.stem, Path(folder), run_tests)
        notebook = nbformat.read(output / "student" / f"{markdown.stem}.ipynb", as_version=4)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
    return notebook


def write_autograder(markdown: Path, folder: Path) -> Path:
    """The autograder zip of a chapter (hidden tests included), in ``folder``."""
    markdown = Path(markdown)
    folder.mkdir(parents=True, exist_ok=True)
    master = master_notebook(markdown, run_tests=False, generate=True)
    with tempfile.TemporaryDirectory() as work:
        output = _otter_assign(master, markdown.stem, Path(work), run_tests=False)
        (built,) = (output / "autograder").glob("*.zip")
        target = folder / f"{markdown.stem}-autograder.zip"
        target.write_bytes(built.read_bytes())
    return target


def chapters_with_questions(chapters: Sequence[Path]) -> list[Path]:
    return [Path(c) for c in chapters if spec_path(Path(c).stem).exists()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--no-run-tests", action="store_true", help="skip otter's own test run")
    parser.add_argument("--autograder", type=Path, help="write autograder zips to this folder")
    args = parser.parse_args()
    for markdown in args.chapters:
        if not spec_path(markdown.stem).exists():
            print(f"{markdown}: no graded questions (no questions/{markdown.stem}.py)")
            continue
        if args.autograder:
            target = write_autograder(markdown, args.autograder)
        else:
            target = ASSIGNMENTS / f"{markdown.stem}.ipynb"
            notebook = assignment_notebook(markdown, run_tests=not args.no_run_tests)
            ASSIGNMENTS.mkdir(exist_ok=True)
            nbformat.write(notebook, target)
        print(f"{markdown} -> {target.relative_to(ROOT) if target.is_absolute() else target}")


if __name__ == "__main__":
    main()
