"""The book and its notebooks: pairing, executed outputs, table of contents, label coverage."""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

from scripts.student_edition import book_code_cells, myst_leftovers, student_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _code_cells(cells):
    return [(cell.source, cell.metadata) for cell in cells if cell.cell_type == "code"]


def test_there_are_chapters():
    assert CHAPTERS, "no book/NN_*.md chapter found"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_the_student_edition_of_its_chapter(md):
    nb_path = ROOT / "notebooks" / (md.stem + ".ipynb")
    assert nb_path.exists(), (
        f"{md.name} has no student notebook {nb_path.name}: run `make notebooks`"
    )
    stored = nbformat.read(nb_path, as_version=4)
    # The code cells are the book's (same sources, same metadata), once the student
    # edition's own cells and collapse flags are taken off.
    book_code = _code_cells(jupytext.read(md).cells)
    stored_code = _code_cells(book_code_cells(stored))
    assert len(book_code) == len(stored_code), (
        f"{md.name} has {len(book_code)} code cells, {nb_path.name} has {len(stored_code)}: "
        "run `make notebooks`"
    )
    for i, (a, b) in enumerate(zip(book_code, stored_code, strict=True)):
        assert a == b, (
            f"code cell {i} differs between {md.name} and {nb_path.name}: run `make notebooks`"
        )
    # Every cell, markdown included, is what the converter makes of the chapter now.
    expected = student_notebook(md)
    want = [(c.cell_type, c.source, c.metadata) for c in expected.cells]
    have = [(c.cell_type, c.source, c.metadata) for c in stored.cells]
    assert len(want) == len(have), (
        f"{nb_path.name} has {len(have)} cells, the student edition of {md.name} has "
        f"{len(want)}: run `make notebooks`"
    )
    for i, (a, b) in enumerate(zip(want, have, strict=True)):
        assert a == b, (
            f"cell {i} of {nb_path.name} is not the student edition of {md.name}: "
            "run `make notebooks`"
        )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_markdown_has_no_myst(nb_path):
    """Colab, VS Code and GitHub render no MyST: none may reach a student notebook."""
    notebook = nbformat.read(nb_path, as_version=4)
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            found = myst_leftovers(cell.source)
            assert not found, f"{nb_path.name}, cell {i}: MyST-only syntax {found}"


def test_the_myst_scan_finds_every_construct():
    for sample in (
        "{doc}`04_least_squares`",
        "see {ref}`ex-02-within`",
        "{eq}`eq-02-normal`",
        "{numref}`fig-02-sum`",
        "{prf:ref}`thm-02-moments`",
        "{cite:t}`bishop2006pattern`",
        "```{prf:theorem} T\nx\n```",
        ":::{note}\nx\n:::",
        ":label: thm-02-moments",
        ":class: dropdown",
        "$$\nx\n$$ (eq-02-normal)",
        "text\n(corr-sd)=\nmore",
    ):
        assert myst_leftovers(sample), sample
    assert myst_leftovers("plain $x$ text (see Theorem 2.1), a [link](02_gaussian.ipynb)") == []


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed(nb_path):
    assert (ROOT / "book" / (nb_path.stem + ".md")).exists(), f"{nb_path.name} has no chapter"
    notebook = nbformat.read(nb_path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert None not in counts, f"{nb_path.name} has unexecuted cells: run `make notebooks`"
    assert counts == list(range(1, len(code) + 1)), f"{nb_path.name} was not run top to bottom"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"{nb_path.name} stores an error output"


def _toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for value in node.values():
            yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def test_every_chapter_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = set(_toc_files(toc)) | {toc["root"]}
    for md in CHAPTERS:
        assert f"book/{md.stem}" in listed, f"{md.name} is missing from _toc.yml"
    for entry in listed:
        assert (ROOT / f"{entry}.md").exists(), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_chapter_sets_one_thread_a_seed_and_float64(md):
    source = md.read_text()
    assert "torch.set_num_threads(1)" in source, f"{md.name} must set one torch thread"
    assert "torch.manual_seed(" in source, f"{md.name} must seed torch"
    assert "torch.set_default_dtype(torch.float64)" in source, (
        f"{md.name} must compute in float64 (torch.set_default_dtype(torch.float64))"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_memory_addresses(nb_path):
    notebook = nbformat.read(nb_path, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
            assert " at 0x" not in text, f"{nb_path.name} prints a memory address: {text[:80]!r}"


# Label coverage.  Every numbered display equation ``$$ ... $$ (eq-...)``, every
# ``prf:theorem`` and every corrections target ``(corr-...)=`` must be named by a code
# cell that checks it, in a comment line ``# checks: eq-02-normal, thm-02-moments``.
EQUATION = re.compile(r"\$\$\s*\((eq-[\w-]+)\)")
THEOREM = re.compile(r"```\{prf:theorem\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?:label:\s*([\w-]+)")
CORRECTION = re.compile(r"^\((corr-[\w-]+)\)=\s*$", re.M)
CODE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)
CHECKS = re.compile(r"^\s*#\s*checks:\s*(.+)$", re.M)


def _labels_that_need_a_check(text):
    return set(EQUATION.findall(text)) | set(THEOREM.findall(text)) | set(CORRECTION.findall(text))


def _checked_labels(text):
    cited = set()
    for cell in CODE_CELL.findall(text):
        for line in CHECKS.findall(cell):
            cited |= {label for label in re.split(r"[,\s]+", line) if label}
    return cited


BOOK_PAGES = sorted((ROOT / "book").glob("*.md"))
ALL_LABELS = set().union(*(_labels_that_need_a_check(p.read_text()) for p in BOOK_PAGES))


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_every_labelled_identity_is_named_by_a_checking_cell(md):
    text = md.read_text()
    needed = _labels_that_need_a_check(text)
    cited = set().union(*(_checked_labels(p.read_text()) for p in CHAPTERS))
    unchecked = sorted(needed - cited)
    assert not unchecked, (
        f"{md.name}: no code cell names {unchecked} in a '# checks: ...' comment; "
        "add the comment to the cell that checks each of them"
    )


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_every_cited_label_exists(md):
    unknown = sorted(_checked_labels(md.read_text()) - ALL_LABELS)
    assert not unknown, f"{md.name}: '# checks:' names labels that no page defines: {unknown}"


def test_label_coverage_patterns_find_what_they_should():
    sample = (
        "$$\na = b\n$$ (eq-00-a)\n\n```{prf:theorem} T\n:label: thm-00-t\n\nx\n```\n"
        "(corr-00-c)=\ntext\n\n```{code-cell} ipython3\n# checks: eq-00-a, thm-00-t\n"
        "assert True\n```\n"
    )
    assert _labels_that_need_a_check(sample) == {"eq-00-a", "thm-00-t", "corr-00-c"}
    assert _checked_labels(sample) == {"eq-00-a", "thm-00-t"}


def test_chapter_09_checks_the_package_against_its_own_table_of_recipes():
    # Chapter 09 asserts that the package's recipes are the classes its table names; its
    # cell spells the table's names out, and this keeps that list equal to the table.
    text = (ROOT / "book" / "09_the_recipe.md").read_text()
    rows = re.findall(r"^\| [^|\n]+ \| ([^|\n]+) \|", text, re.M)
    named = {m for column in rows for m in re.findall(r"\(`([A-Z]\w*)`", column)}
    assert len(named) >= 17, named
    listed = re.search(r"^table_classes = \{\n(.*?)^\}", text, re.M | re.S)
    assert listed, "chapter 09 no longer spells out table_classes"
    assert set(re.findall(r'"(\w+)"', listed.group(1))) == named


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_chapter_ends_with_a_summary_then_exercises(md):
    # The introduction promises it: "Each chapter ends with a summary and then exercises."
    headings = re.findall(r"^## (.+?)\s*$", md.read_text(), re.M)
    assert headings[-2:] == ["Summary", "Exercises"], f"{md.name}: {headings[-3:]}"
