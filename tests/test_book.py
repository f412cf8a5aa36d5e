"""The book and its notebooks: pairing, executed outputs, table of contents."""

from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_there_are_chapters():
    assert CHAPTERS, "no book/NN_*.md chapter found"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_a_paired_notebook_with_identical_cells(md):
    nb_path = ROOT / "notebooks" / (md.stem + ".ipynb")
    assert nb_path.exists(), (
        f"{md.name} has no paired notebook {nb_path.name}: run `make notebooks`"
    )
    text = _cells(jupytext.read(md))
    stored = _cells(nbformat.read(nb_path, as_version=4))
    assert len(text) == len(stored), (
        f"{md.name} has {len(text)} cells, {nb_path.name} has {len(stored)}: run `make notebooks`"
    )
    for i, (a, b) in enumerate(zip(text, stored, strict=True)):
        assert a == b, (
            f"cell {i} differs between {md.name} and {nb_path.name}: run `make notebooks`"
        )


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
def test_chapter_sets_one_thread_and_a_seed(md):
    source = md.read_text()
    assert "torch.set_num_threads(1)" in source, f"{md.name} must set one torch thread"
    assert "torch.manual_seed(" in source, f"{md.name} must seed torch"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_memory_addresses(nb_path):
    notebook = nbformat.read(nb_path, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
            assert " at 0x" not in text, f"{nb_path.name} prints a memory address: {text[:80]!r}"
