"""The converter from a MyST chapter to its student notebook (scripts/student_edition.py)."""

import dataclasses
import io
from contextlib import redirect_stdout
from pathlib import Path

import jupytext
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from scripts import student_edition as se

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "02_gaussian.md"


@pytest.fixture(scope="module")
def book():
    return se.load_book()


def _ctx(book, stem="02_gaussian"):
    return se.Context(book=book, stem=stem, where=f"book/{stem}.md (test)")


def _convert(book, text, stem="02_gaussian"):
    return se.convert_markdown_cell(_ctx(book, stem), text, code_follows=False)


def test_chapters_are_numbered_as_on_the_site(book):
    assert book.chapter_numbers["01_predicting_distributions"] == 1
    assert book.chapter_numbers["10_other_outputs"] == 10
    assert "notation" not in book.chapter_numbers and "intro" not in book.chapter_numbers


def test_cross_references(book):
    text = (
        "{doc}`04_least_squares`, {doc}`the start <01_predicting_distributions>`, "
        "{doc}`notation`, {eq}`eq-02-normal`, {prf:ref}`thm-02-moments`, "
        "{numref}`fig-02-sum`, {ref}`ex-02-within`, {ref}`the check <corr-sd>`."
    )
    assert _convert(book, text) == (
        "[Least squares is a Gaussian NLL](04_least_squares.ipynb), "
        "[the start](01_predicting_distributions.ipynb), Notation, [(2.1)](#eq-02-normal), "
        "[Theorem 2.3](#thm-02-moments), [Fig. 2.1](#fig-02-sum), "
        "[Exercise 2.1](#ex-02-within), [the check](#corr-sd)."
    )
    # From another chapter, the link goes to the notebook that holds the label.
    assert _convert(book, "{prf:ref}`thm-04-variance`", stem="05_heteroscedastic_regression") == (
        "[Theorem 4.3](04_least_squares.ipynb#thm-04-variance)"
    )
    with_site = dataclasses.replace(book, site_url="https://example.org/course")
    assert _convert(with_site, "{doc}`notation`") == (
        "[Notation](https://example.org/course/book/notation.html)"
    )


def test_roles_inside_code_spans_are_left_alone(book):
    assert _convert(book, "write `{doc}`x`` to link") == "write `{doc}`x`` to link"


@pytest.mark.parametrize(
    "text",
    [
        "    {eq}`indented-code`",
        "```\n{eq}`fenced-code`\n```",
        "math $x = {eq}`in-math`$",
        "escaped \\{eq}`not-a-role`",
    ],
)
def test_what_myst_does_not_read_as_a_role_is_left_alone(book, text):
    assert _convert(book, text) == text


def test_unknown_labels_and_roles_are_errors(book):
    with pytest.raises(se.ConversionError, match="no-such-label"):
        _convert(book, "{eq}`no-such-label`")
    with pytest.raises(se.ConversionError, match="abbr"):
        _convert(book, "{abbr}`MLE (maximum likelihood)`")


def test_labelled_equation_gets_its_number_and_an_anchor(book):
    text = "$$\nx = 1\n$$ (eq-02-log-density)"
    assert _convert(book, text) == '<a id="eq-02-log-density"></a>\n$$\nx = 1\n\\tag{2.2}\n$$'
    assert _convert(book, "(corr-sd)=\nThe slip.") == '<a id="corr-sd"></a>The slip.'


def test_citations_and_reference_list(book):
    ctx = _ctx(book)
    text = (
        "{cite:t}`goodfellow2016deep` and {cite:p}`mccullagh1989generalized`, "
        "{cite:t}`prince2023understanding`"
    )
    assert se.convert_markdown_cell(ctx, text, code_follows=False) == (
        "Goodfellow et al. (2016) and (McCullagh and Nelder, 1989), Prince (2023)"
    )
    references = se.references_cell(ctx).source
    assert references.startswith("## References\n")
    assert "- Prince, S. J. D. (2023). *Understanding Deep Learning*. MIT Press." in references
    assert (
        references.index("Goodfellow") < references.index("McCullagh") < references.index("Prince")
    )


def test_references_read_the_bibtex_markup(book):
    """Accents, escaped symbols and hyphenated given names as BibTeX (and the site) read them."""
    ctx = _ctx(book, "14_quantiles")
    se.convert_markdown_cell(ctx, "{cite:p}`lin2017focal, yu2001bayesian`", code_follows=False)
    references = se.references_cell(ctx).source
    assert "- Lin, T.-Y., Goyal, P., Girshick, R., He, K. and Dollár, P. (2017)." in references
    assert "*Statistics & Probability Letters*, 54, 437–447." in references
    assert "\\" not in references


def test_theorem_and_proof(book):
    text = (
        "```{prf:theorem} The Gaussian integral\n:label: thm-02-normaliser\n\n"
        "For every real $\\mu$,\n```\n\n"
        "```{prf:proof}\nSubstitute.\n```"
    )
    assert _convert(book, text) == (
        '<a id="thm-02-normaliser"></a>**Theorem 2.1** (The Gaussian integral). '
        "For every real $\\mu$,"
        "\n\n*Proof.* Substitute. ∎"
    )


def test_admonition_becomes_a_quote(book):
    assert (
        _convert(book, "```{warning}\nMind the square.\n```")
        == "> **Warning**\n>\n> Mind the square."
    )


def test_exercise_and_a_solution_that_spans_code_cells(book):
    ctx = _ctx(book)
    first = (
        "```{exercise}\n:label: ex-02-within\n\nCompute it.\n```\n\n"
        "```{solution-start} ex-02-within\n:class: dropdown\n```\n\nSubstitute first."
    )
    head = se.convert_markdown_cell(ctx, first, code_follows=True)
    assert head.startswith('### <a id="ex-02-within"></a>Exercise 2.1\n\nCompute it.\n\n')
    assert "<details>\n<summary>Solution</summary>\n\nSubstitute first.\n\n</details>" in head
    assert head.endswith(
        "*The code of the solution to Exercise 2.1 follows, collapsed in "
        "JupyterLab and VS Code: click ••• to show it.*"
    )
    assert ctx.solution == "ex-02-within"
    tail = se.convert_markdown_cell(
        ctx, "These are 68%.\n\n```{solution-end}\n```", code_follows=False
    )
    assert (
        tail == "<details>\n<summary>Solution, continued</summary>\n\nThese are 68%.\n\n</details>"
    )
    assert ctx.solution is None


def test_solution_code_cells_are_collapsed_and_tagged(book):
    notebook = se.student_notebook(CHAPTER, book=book)
    solution_code = [
        c for c in notebook.cells if se.SOLUTION_CODE_TAG in c.metadata.get("tags", [])
    ]
    inside, expected = False, 0
    for cell in jupytext.read(CHAPTER).cells:
        if cell.cell_type == "markdown":
            start, end = cell.source.rfind("{solution-start}"), cell.source.rfind("{solution-end}")
            if start != end:  # the later marker of the cell decides
                inside = start > end
        elif inside:
            expected += 1
    assert expected > 0 and len(solution_code) == expected
    for cell in solution_code:
        assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def test_code_cells_are_the_books_and_captions_follow_figures(book):
    notebook = se.student_notebook(CHAPTER, book=book)
    source = jupytext.read(CHAPTER)
    assert [c.source for c in notebook.cells if c.cell_type == "code"] == [
        c.source for c in source.cells if c.cell_type == "code"
    ]
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "mystnb" in cell.metadata:
            caption = notebook.cells[i + 1]
            assert caption.cell_type == "markdown"
            assert caption.source.startswith(
                f'<a id="{cell.metadata["mystnb"]["figure"]["name"]}"></a>**Fig. 2.'
            )
    assert [c.id for c in notebook.cells] == [f"cell-{i:03d}" for i in range(len(notebook.cells))]
    assert "jupytext" not in notebook.metadata


def test_literalinclude_is_refused(book):
    with pytest.raises(se.ConversionError, match="literalinclude.*inspect.getsource"):
        _convert(book, "```{literalinclude} ../lossrecipe/recipes.py\n:pyobject: Recipe\n```")


def test_unknown_directive_is_refused(book):
    with pytest.raises(se.ConversionError, match="tabbed"):
        _convert(book, "```{tabbed} One\nx\n```")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{prf:theorem} T\n:label: thm-02-moments\n:hidden:\nx\n```", "hidden"),
        ("```{note}\nnever closed", "not closed"),
        ("$$\nx = 1\n\nnever closed", "not closed"),
    ],
)
def test_unknown_options_and_unclosed_blocks_are_refused(book, text, message):
    with pytest.raises(se.ConversionError, match=message):
        _convert(book, text)


def test_no_install_cell_without_a_repository_url(book):
    assert book.repository_url == "" or se.install_cell(book) is not None
    if not book.repository_url:
        assert se.install_cell(book) is None
        first = se.student_notebook(CHAPTER, book=book).cells[0]
        assert first.cell_type == "markdown"


def plain_notebook(book):
    return se.student_notebook(CHAPTER, book=dataclasses.replace(book, repository_url=""))


def test_book_code_cells_undo_the_student_markers(book):
    notebook = se.student_notebook(CHAPTER, book=book)
    source = [c for c in jupytext.read(CHAPTER).cells if c.cell_type == "code"]
    restored = se.book_code_cells(notebook)
    assert [(c.source, c.metadata) for c in restored] == [(c.source, c.metadata) for c in source]


class _Shell:
    def __init__(self):
        self.magics = []

    def run_line_magic(self, name, line, _stack_depth=1):
        self.magics.append((name, line))


def _run(source, find_spec_result):
    shell = _Shell()
    code = TransformerManager().transform_cell(source)
    namespace = {"get_ipython": lambda: shell}
    import importlib.util

    real = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: (
        find_spec_result if name == "lossrecipe" else real(name, *a)
    )
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            exec(compile(code, "<install cell>", "exec"), namespace)
    finally:
        importlib.util.find_spec = real
    return shell.magics, out.getvalue()


def test_install_cell_with_a_repository_url(book):
    published = dataclasses.replace(
        book, repository_url="https://github.com/example/loss-functions"
    )
    notebook = se.student_notebook(CHAPTER, book=published)
    cell = notebook.cells[0]
    assert cell.cell_type == "code" and cell.metadata["tags"] == ["remove-cell", "student-only"]
    assert len(se.book_code_cells(notebook)) == len(se.book_code_cells(plain_notebook(book)))
    # Where lossrecipe is importable (this environment) the cell does nothing, silently.
    magics, printed = _run(cell.source, find_spec_result=object())
    assert magics == [] and printed == ""
    # Where it is not (a fresh Colab), it pip-installs the package from the repository.
    magics, printed = _run(cell.source, find_spec_result=None)
    assert magics == [
        ("pip", 'install -q "lossrecipe @ git+https://github.com/example/loss-functions.git@main"')
    ]
    # The rest of the notebook is unchanged.
    plain = se.student_notebook(CHAPTER, book=dataclasses.replace(book, repository_url=""))
    assert [c.source for c in notebook.cells[1:]] == [c.source for c in plain.cells]
