"""The student edition: turn a chapter ``book/NN_name.md`` into ``notebooks/NN_name.ipynb``.

The book is MyST Markdown, which only the site renders. The student edition keeps every
code cell as it is (same source, same metadata) and rewrites the markdown into plain
CommonMark plus ``$...$`` / ``$$...$$`` math, which JupyterLab, Colab, VS Code and GitHub
all render:

- ``{doc}`` becomes the chapter's title, linked to the sibling notebook; ``{ref}``,
  ``{numref}``, ``{eq}`` and ``{prf:ref}`` become the text and number the site prints
  ("Theorem 2.1", "Fig. 5.1", "(2.1)"), linked to an HTML anchor;
- a labelled display equation carries its number (``\\tag{2.1}``), and every label becomes
  an anchor ``<a id="label"></a>``;
- ``{cite:t}`` / ``{cite:p}`` become "Author (year)" / "(Author, year)", with a
  "References" cell at the end of the notebook;
- theorems and definitions become a bold title and the statement, proofs "*Proof.* ... ∎",
  admonitions a block quote with a bold title;
- an exercise becomes a heading "### Exercise 2.1"; its solution's text goes inside
  ``<details>`` (collapsed, opens on click) and its code cells, which cannot live inside
  HTML, follow it collapsed (``jupyter.source_hidden`` / ``outputs_hidden``), announced
  by a line that says so;
- a figure's caption (cell metadata ``mystnb.figure``) becomes a markdown cell after it.

The markdown is read as the site reads it, by myst-parser (its markdown-it tokens, with the
extensions of ``_config.yml``, and its directive parser); text between the MyST constructs
is copied as written. Citations and references are formatted by pybtex, with the author
names of the site's ``author_year`` style (sphinxcontrib-bibtex).

A construct the converter does not know (``literalinclude`` above all) raises
:class:`ConversionError` naming the file and the construct; nothing is dropped silently.

Numbers follow the site's rules (Jupyter Book 1.x, ``use_multitoc_numbering``): chapters
are numbered in ``_toc.yml`` order across the numbered parts; equations, figures, each
kind of theorem and exercises are numbered per chapter in order of appearance.

Usage: ``python scripts/student_edition.py book/02_gaussian.md [...]`` writes the
unexecuted notebooks (``make notebooks`` converts and executes them).
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jupytext
import nbformat
import yaml
from docutils.parsers.rst import Directive as DocutilsDirective
from docutils.parsers.rst.directives import flag, unchanged
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.myst_role.index import myst_role
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser
from pybtex.backends import markdown
from pybtex.database import Entry, parse_file
from pybtex.style import template as bib
from pybtex.style.formatting import BaseStyle
from sphinx.locale import admonitionlabels
from sphinx.util.nodes import split_explicit_title
from sphinx_proof.proof_type import PROOF_TYPES
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import year

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

# MyST constructs that no notebook front end renders; the static test scans for them.
MYST_ONLY = (
    "{doc}",
    "{ref}",
    "{eq}",
    "{numref}",
    "{prf:ref}",
    "{cite",
    "```{",
    ":::{",
    ":label:",
    ":class:",
    "(eq-",
)
MYST_TARGET_LINE = re.compile(r"^\s*\([^)\s]+\)=\s*$", re.MULTILINE)

# Directives and their titles as the site prints them (Sphinx's admonition labels,
# sphinx-proof's kinds, titled as sphinx-proof titles them).
ADMONITIONS = {"admonition": None, **{name: str(title) for name, title in admonitionlabels.items()}}
PROOF_KINDS = {kind: kind.title() for kind in PROOF_TYPES}
FIGURE_PREFIX = "Fig."  # Sphinx's numfig_format, which Jupyter Book keeps
INSTALL_TAGS = ["remove-cell", "student-only"]  # hidden on a site; not a cell of the book
STUDENT_ONLY_TAG = "student-only"
SOLUTION_CODE_TAG = "solution"


class ConversionError(ValueError):
    """A MyST construct the student edition cannot express."""


# --------------------------------------------------------------------------------------
# Parsing MyST markdown into blocks: myst-parser's tokens
# --------------------------------------------------------------------------------------


def _role_with_span(state: StateInline, silent: bool) -> bool:
    """mdit-py-plugins' role rule, also recording where the role lies in the text."""
    start = state.pos
    if not myst_role(state, silent):
        return False
    if not silent:
        state.tokens[-1].meta["span"] = (start, state.pos)
    return True


@cache
def markdown_parser() -> MarkdownIt:
    """myst-parser's markdown-it parser with the extensions of ``_config.yml``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = set(config["parse"]["myst_enable_extensions"])
    parser = create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)
    parser.inline.ruler.at("myst_role", _role_with_span)
    return parser


class _Options(DocutilsDirective):
    """What the student edition reads of a directive; myst-parser reports other options."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"label": unchanged, "class": unchanged, "name": unchanged, "nonumber": flag}


@dataclass
class Directive:
    name: str
    arg: str
    options: dict
    body: str
    line: int
    problems: list[str]  # myst-parser's warnings (an option the student edition cannot show)


@dataclass
class Display:
    lines: list[str]  # the LaTeX between the $$ delimiters
    label: str | None


@dataclass
class Target:
    label: str


@dataclass
class Text:
    lines: list[str]  # one block (paragraph, list, table, ...) as written, blank lines before it
    heading: tuple[str, str] | None = None  # an ATX heading: ("##", its text as written)


@dataclass
class Code:
    lines: list[str]  # a code block, copied as it is


Block = Directive | Display | Target | Text | Code


def _block(tokens: list[Token], index: int, lines: list[str], where: str) -> Block | None:
    """The block that a top-level token opens (None for a comment)."""
    token = tokens[index]
    start, end = token.map or (0, 0)
    if token.type == "myst_line_comment":
        return None
    if token.type == "myst_target":
        return Target(token.content)
    if token.type in ("math_block", "math_block_label"):
        return Display(_strip_blank(token.content.split("\n")), token.info or None)
    if token.type == "paragraph_open" and lines[start].lstrip().startswith("$$"):
        raise ConversionError(f"{where}, line {start + 1}: $$ is not closed")
    if token.type == "heading_open" and token.markup.startswith("#"):
        return Text(lines[start:end], (token.markup, tokens[index + 1].content))
    name, _, arg = (token.info.strip() + " ").partition(" ")
    if token.type == "code_block" or (token.type == "fence" and not name.startswith("{")):
        return Code(lines[start:end])
    if token.type not in ("fence", "colon_fence") or not name.startswith("{"):
        return Text(lines[start:end])
    closing = lines[end - 1].strip()
    if end - start < 2 or closing.strip(token.markup[0]) or len(closing) < len(token.markup):
        raise ConversionError(f"{where}, line {start + 1}: {name} is not closed")
    parsed = parse_directive_text(_Options, arg.strip(), token.content)
    problems = [warning.msg for warning in parsed.warnings]
    body = "\n".join(parsed.body)
    return Directive(name.strip("{}"), arg.strip(), parsed.options, body, start + 1, problems)


def parse_blocks(text: str, where: str) -> Iterator[Block]:
    """Yield the top-level blocks of a MyST markdown fragment in order.

    Directives, ``$$`` displays (with their label) and ``(label)=`` targets are blocks of
    their own; everything else is copied as written: each :class:`Text` is one markdown
    block with the blank lines before it, each :class:`Code` a code block. ``%`` comments
    are left out.
    """
    lines = text.split("\n")
    tokens = markdown_parser().parse(text)
    gap: list[str] = []  # the lines between the last block and the next
    position = 0
    for index, token in enumerate(tokens):
        if token.level or token.map is None:
            continue
        gap += lines[position : token.map[0]]
        position = token.map[1]
        block = _block(tokens, index, lines, where)
        if block is None:
            continue
        if isinstance(block, Text):
            block.lines[:0] = gap
        elif gap:
            yield Text(gap)
        gap = []
        yield block
    if gap + lines[position:]:
        yield Text(gap + lines[position:])


# --------------------------------------------------------------------------------------
# The label index: what every label is called and numbered on the site
# --------------------------------------------------------------------------------------


@dataclass
class Label:
    name: str
    doc: str  # the file stem, e.g. "02_gaussian"
    kind: str  # "equation", "figure", "theorem", "exercise", "section", "target", ...
    number: str | None = None  # "2.1"
    title: str | None = None  # a theorem's or an exercise's title, a section's heading


@dataclass
class Book:
    """The table of contents, the titles, the labels and the bibliography of the book."""

    docs: list[str]  # file stems in toc order
    chapter_numbers: dict[str, int]
    titles: dict[str, str]
    labels: dict[str, Label]
    site_url: str
    repository_url: str
    repository_branch: str
    bibliography: dict


def _toc_entries(node: object, numbered: bool = False) -> Iterator[tuple[str, bool]]:
    if isinstance(node, dict):
        numbered = bool(node.get("numbered", numbered))
        if "file" in node:
            yield node["file"], numbered
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                yield from _toc_entries(child, numbered)
    elif isinstance(node, list):
        for child in node:
            yield from _toc_entries(child, numbered)


def _index_page(path: Path, number: int | None, labels: dict[str, Label]) -> str:
    """Number a page's equations, figures, theorems and exercises as the site does, and
    return its title (its first ``#`` heading)."""
    stem, text = path.stem, path.read_text()
    chapter = text.startswith("---\njupytext:")
    cells = jupytext.read(path).cells if chapter else [nbformat.v4.new_markdown_cell(text)]
    counters: dict[str, int] = {}
    titles: list[str] = []

    def next_number(kind: str) -> str | None:
        counters[kind] = counters.get(kind, 0) + 1
        return f"{number}.{counters[kind]}" if number is not None else str(counters[kind])

    def add(label: Label) -> None:
        if label.name in labels:
            raise ConversionError(f"label {label.name!r} is defined twice")
        labels[label.name] = label

    def walk(text: str) -> None:
        pending: str | None = None  # a (label)= waiting for its heading
        for block in parse_blocks(text, f"book/{stem}.md"):
            if isinstance(block, Target):
                pending = block.label
                continue
            if isinstance(block, Text) and block.heading and block.heading[0] == "#":
                titles.append(block.heading[1])
            if pending and isinstance(block, Text) and block.heading:
                add(Label(pending, stem, "section", None, block.heading[1]))
            elif pending:
                add(Label(pending, stem, "target"))
            pending = None
            if isinstance(block, Display) and block.label:
                add(Label(block.label, stem, "equation", next_number("equation")))
            elif isinstance(block, Directive):
                name, options = block.name, block.options
                numbered = "nonumber" not in options
                if name == "math" and "label" in options:
                    add(Label(options["label"], stem, "equation", next_number("equation")))
                elif name.startswith("prf:") and name[4:] in PROOF_KINDS:
                    kind = name[4:]
                    n = next_number(kind) if numbered else None
                    if "label" in options:
                        add(Label(options["label"], stem, kind, n, block.arg or None))
                    walk(block.body)
                elif name == "exercise":
                    n = next_number("exercise") if numbered else None
                    if "label" in options:
                        add(Label(options["label"], stem, "exercise", n, block.arg or None))
                    walk(block.body)
                elif name in ADMONITIONS or name in ("prf:proof", "solution"):
                    walk(block.body)
        if pending:
            add(Label(pending, stem, "target"))

    for cell in cells:
        if cell.cell_type == "markdown":
            walk(cell.source)
        elif cell.cell_type == "code":
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("name"):
                add(Label(figure["name"], stem, "figure", next_number("figure")))
    if not titles:
        raise ConversionError(f"book/{stem}.md: no '# title' heading")
    return titles[0]


@cache
def load_book(root: Path = ROOT) -> Book:
    """Read ``_toc.yml``, ``_config.yml``, every page's title and labels, and the .bib."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    config = yaml.safe_load((root / "_config.yml").read_text())
    entries = [(toc["root"], False), *_toc_entries(toc.get("parts", toc))]
    docs, numbers, titles, labels = [], {}, {}, {}
    for entry, numbered in entries:
        stem = Path(entry).name
        docs.append(stem)
        if numbered:
            numbers[stem] = len(numbers) + 1
        titles[stem] = _index_page(root / f"{entry}.md", numbers.get(stem), labels)
    repository = config.get("repository") or {}
    html = config.get("html") or {}
    bibliography = {}
    for name in config.get("bibtex_bibfiles", []):
        bibliography.update(parse_file(str(root / name)).entries)
    return Book(
        docs=docs,
        chapter_numbers=numbers,
        titles=titles,
        labels=labels,
        site_url=str(html.get("baseurl") or "").rstrip("/"),
        repository_url=str(repository.get("url") or ""),
        repository_branch=str(repository.get("branch") or ""),
        bibliography=bibliography,
    )


# --------------------------------------------------------------------------------------
# Citations: pybtex, with the names of the site's author_year style
# --------------------------------------------------------------------------------------


class _Markdown(markdown.Backend):
    """pybtex's markdown backend without its backslash escapes: our .bib is written as
    markdown (a title may hold ``$t$``), and ``S\\. J\\. D\\.`` would only clutter it."""

    def format_str(self, text: str) -> str:
        return text


MARKDOWN = _Markdown()
# How the site's author_year style (sphinxcontrib-bibtex) names the authors of a citation:
# "Prince", "McCullagh and Nelder", "Goodfellow et al." (here without italics).
CITATION = AuthorYearReferenceStyle(person=PersonStyle(other=" et al."))


def cite_label(entry: Entry) -> tuple[str, str]:
    """("Prince", "2023"), ("McCullagh and Nelder", "1989"), ("Goodfellow et al.", "2016")."""
    data = {"entry": entry, "style": CITATION}
    who = CITATION.person.author_or_editor_or_title(full=False).format_data(data)
    return who.render(MARKDOWN), year.format_data(data).render(MARKDOWN)


_AUTHORS_YEAR = bib.join[
    bib.names("author", sep=", ", sep2=" and ", last_sep=" and "), " (", year, "). "
]


class ReferenceStyle(BaseStyle):
    """The notebook's reference list, author-year, as pybtex templates:
    "Prince, S. J. D. (2023). *Understanding Deep Learning*. MIT Press." and
    "Huber, P. J. (1964). Robust Estimation .... *The Annals of ...*, 35, 73–101."
    """

    default_name_style = "lastfirst"

    def __init__(self) -> None:
        super().__init__(abbreviate_names=True)

    def get_book_template(self, entry: Entry) -> bib.Node:
        where = [bib.optional[" ", bib.field(name), "."] for name in ("institution", "publisher")]
        return bib.join[_AUTHORS_YEAR, bib.tag("em")[bib.field("title")], ".", *where]

    def get_article_template(self, entry: Entry) -> bib.Node:
        venue = bib.first_of[[bib.optional[bib.field(name)] for name in ("journal", "booktitle")]]
        details = [bib.optional[bib.field(name)] for name in ("volume", "pages")]
        venue_details = bib.join(sep=", ")[bib.tag("em")[venue], *details]
        return bib.join[_AUTHORS_YEAR, bib.field("title"), ". ", venue_details, "."]

    get_techreport_template = get_phdthesis_template = get_book_template
    get_mastersthesis_template = get_book_template
    get_inproceedings_template = get_incollection_template = get_article_template


REFERENCES = ReferenceStyle()


# --------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------


@dataclass
class Context:
    book: Book
    stem: str
    where: str
    cited: list[str] = field(default_factory=list)
    solution: str | None = None  # the exercise whose solution is open (solution-start)
    solution_has_code: bool = False


def anchor(label: str) -> str:
    return f'<a id="{label}"></a>'


def _link(ctx: Context, text: str, doc: str, label: str | None = None) -> str:
    fragment = f"#{label}" if label else ""
    if doc == ctx.stem:
        return f"[{text}]({fragment})" if label else text
    if doc in ctx.book.chapter_numbers:
        return f"[{text}]({doc}.ipynb{fragment})"
    if ctx.book.site_url:
        return f"[{text}]({ctx.book.site_url}/book/{doc}.html{fragment})"
    return text


def _label(ctx: Context, name: str, role: str) -> Label:
    try:
        return ctx.book.labels[name]
    except KeyError:
        raise ConversionError(
            f"{ctx.where}: {{{role}}}`{name}`: no such label in the book"
        ) from None


def _kind_name(label: Label) -> str:
    return "Exercise" if label.kind == "exercise" else PROOF_KINDS.get(label.kind, label.kind)


def _role(ctx: Context, role: str, content: str) -> str:
    has_explicit, explicit, target = split_explicit_title(content.strip())  # as Sphinx does
    explicit = explicit if has_explicit else None
    if role == "doc":
        doc = Path(target).name.removesuffix(".md")
        if doc not in ctx.book.titles:
            raise ConversionError(f"{ctx.where}: {{doc}}`{content}`: no such page in the book")
        return _link(ctx, explicit or ctx.book.titles[doc], doc)
    if role == "ref":
        label = _label(ctx, target, role)
        if explicit:
            text = explicit
        elif label.kind in ("section",) and label.title:
            text = label.title
        elif label.number and label.kind not in ("equation", "section", "target"):
            text = f"{_kind_name(label)} {label.number}"
        elif label.title:
            text = label.title
        else:
            raise ConversionError(f"{ctx.where}: {{ref}}`{content}` needs an explicit text")
        return _link(ctx, inline(ctx, text), label.doc, label.name)
    if role == "numref":
        label = _label(ctx, target, role)
        if label.number is None:
            raise ConversionError(f"{ctx.where}: {{numref}}`{content}`: target is not numbered")
        prefix = FIGURE_PREFIX if label.kind == "figure" else _kind_name(label)
        if explicit:
            text = explicit.replace("%s", label.number).replace("{number}", label.number)
        else:
            text = f"{prefix} {label.number}"
        return _link(ctx, text, label.doc, label.name)
    if role == "eq":
        label = _label(ctx, target, role)
        if label.kind != "equation":
            raise ConversionError(f"{ctx.where}: {{eq}}`{content}` is not an equation")
        return _link(ctx, f"({label.number})", label.doc, label.name)
    if role == "prf:ref":
        label = _label(ctx, target, role)
        text = explicit or f"{_kind_name(label)} {label.number}"
        return _link(ctx, text, label.doc, label.name)
    if role in ("cite:t", "cite:p", "cite", "cite:ps", "cite:ts"):
        keys = [key.strip() for key in target.split(",")]
        parts = []
        for key in keys:
            if key not in ctx.book.bibliography:
                raise ConversionError(f"{ctx.where}: {{{role}}}`{key}`: not in references.bib")
            if key not in ctx.cited:
                ctx.cited.append(key)
            parts.append(cite_label(ctx.book.bibliography[key]))
        if role.startswith("cite:t"):
            return "; ".join(f"{who} ({when})" for who, when in parts)
        return "(" + "; ".join(f"{who}, {when}" for who, when in parts) + ")"
    if role == "math":
        return f"${content}$"
    raise ConversionError(f"{ctx.where}: the role {{{role}}} has no student-edition form")


def inline(ctx: Context, text: str) -> str:
    """Rewrite the MyST roles of a piece of markdown (code spans and math stay as they are)."""
    out, position = [], 0
    for token in markdown_parser().parseInline(text)[0].children or []:
        if token.type == "myst_role":
            start, end = token.meta["span"]
            out += [text[position:start], _role(ctx, token.meta["name"], token.content)]
            position = end
    return "".join(out) + text[position:]


def _display(ctx: Context, lines: list[str], label: str | None) -> list[str]:
    if label:
        number = ctx.book.labels[label].number
        return [anchor(label), "$$", *lines, f"\\tag{{{number}}}", "$$"]
    return ["$$", *lines, "$$"]


def _block_types(lines: list[str]) -> list[str]:
    """The kinds of the top-level markdown blocks in some lines: "paragraph_open", ..."""
    tokens = markdown_parser().parse("\n".join(lines))
    return [token.type for token in tokens if token.level == 0 and token.nesting != -1]


def _prefix_first_line(lines: list[str], prefix: str) -> list[str]:
    """Put a bold title in front of a block's first paragraph, or on its own above it."""
    if _block_types(lines)[:1] == ["paragraph_open"]:
        return [f"{prefix} {lines[0]}", *lines[1:]]
    return [prefix, "", *lines]


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def convert_fragment(ctx: Context, text: str) -> list[str]:
    """Convert MyST markdown (a cell, or a directive's body) into CommonMark lines."""
    out: list[str] = []
    pending: str | None = None  # a (label)= waiting for the next block
    for block in parse_blocks(text, ctx.where):
        if isinstance(block, Target):
            pending = block.label
            continue
        if isinstance(block, Text):
            lines = inline(ctx, "\n".join(block.lines)).split("\n")
            if pending:
                index = next((i for i, ln in enumerate(lines) if ln.strip()), None)
                if index is None:
                    out.append(anchor(pending))
                elif block.heading:
                    hashes, title = block.heading
                    lines[index] = f"{hashes} {anchor(pending)}{inline(ctx, title)}"
                else:
                    lines[index] = anchor(pending) + lines[index].lstrip()
                pending = None
            out.extend(lines)
            continue
        if pending:
            out.append(anchor(pending))
            pending = None
        if isinstance(block, Code):
            out.extend(block.lines)
        elif isinstance(block, Display):
            out.extend(_display(ctx, block.lines, block.label))
        else:
            out.extend(_directive(ctx, block))
    if pending:
        out.append(anchor(pending))
    return out


def _directive(ctx: Context, block: Directive) -> list[str]:
    name, options = block.name, block.options
    where = f"{ctx.where}, {{{name}}} (line {block.line} of the cell)"
    if name == "literalinclude":
        raise ConversionError(
            f"{where}: literalinclude cannot appear in a notebook; show the source in a code "
            "cell instead (e.g. print(inspect.getsource(lossrecipe.Recipe)))"
        )
    if block.problems:
        raise ConversionError(f"{where}: {'; '.join(block.problems)}: no student-edition form")
    label = options.get("label")
    if name.startswith("prf:") and name[4:] in PROOF_KINDS:
        kind = PROOF_KINDS[name[4:]]
        number = ctx.book.labels[label].number if label else None
        if not label and "nonumber" not in options:
            raise ConversionError(f"{where}: give it a :label: so its number is known")
        title = f"**{kind}{f' {number}' if number else ''}**"
        if block.arg:
            title += f" ({inline(ctx, block.arg)})"
        title += "."
        if label:
            title = anchor(label) + title
        body = _strip_blank(convert_fragment(ctx, block.body))
        return ["", *_prefix_first_line(body, title), ""]
    if name == "prf:proof":
        body = _strip_blank(convert_fragment(ctx, block.body))
        body = _prefix_first_line(body, "*Proof.*")
        if _block_types(body)[-1:] == ["paragraph_open"]:
            body[-1] = body[-1].rstrip() + " ∎"
        else:
            body += ["", "∎"]
        return ["", *body, ""]
    if name == "exercise":
        if not label:
            raise ConversionError(f"{where}: give the exercise a :label:")
        number = ctx.book.labels[label].number
        title = f"### {anchor(label)}Exercise {number}"
        if block.arg:
            title += f": {inline(ctx, block.arg)}"
        body = _strip_blank(convert_fragment(ctx, block.body))
        return ["", title, "", *body, ""]
    if name == "solution":
        body = _strip_blank(convert_fragment(ctx, block.body))
        return ["", *_details("Solution", body), ""]
    if name in ADMONITIONS:
        title = inline(ctx, block.arg) if name == "admonition" else ADMONITIONS[name]
        if not title:
            raise ConversionError(f"{where}: an admonition needs a title")
        body = _strip_blank(convert_fragment(ctx, block.body))
        if any(line.strip().startswith("$$") for line in body):
            raise ConversionError(f"{where}: display math inside an admonition cannot be quoted")
        quoted = [f"> **{title}**", ">"] + [f"> {line}".rstrip() for line in body]
        return ["", *quoted, ""]
    if name == "math":
        lines = _strip_blank(block.body.split("\n"))
        return ["", *_display(ctx, lines, label), ""]
    if name in ("solution-start", "solution-end"):
        raise AssertionError("handled by convert_markdown_cell")
    raise ConversionError(f"{where}: the directive {{{name}}} has no student-edition form")


def _details(summary: str, lines: list[str]) -> list[str]:
    # Blank lines around the body let every front end parse it as markdown.
    return ["<details>", f"<summary>{summary}</summary>", "", *lines, "", "</details>"]


SOLUTION_SPLIT = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution-start|solution-end)\}[ \t]*(?P<arg>[^\n]*)\n"
    r"(?P<options>(?::[\w-]+:[^\n]*\n)*)(?P=fence)[ \t]*$",
    re.MULTILINE,
)


def _solution_label(ctx: Context) -> str:
    label = ctx.book.labels.get(ctx.solution or "")
    if label is None or label.kind != "exercise":
        raise ConversionError(f"{ctx.where}: solution-start names no exercise: {ctx.solution!r}")
    return f"Exercise {label.number}"


def convert_markdown_cell(ctx: Context, source: str, code_follows: bool) -> str:
    """Convert one markdown cell; ``solution-start``/``-end`` may span several cells."""
    out: list[str] = []
    pieces = SOLUTION_SPLIT.split(source + "\n")
    # split() yields: text, fence, name, arg, options, text, ...
    segments = [(None, pieces[0])]
    for k in range(1, len(pieces), 5):
        segments.append(((pieces[k + 1], pieces[k + 2].strip()), pieces[k + 4]))
    continued = ctx.solution is not None
    for marker, text in segments:
        if marker is not None:
            name, arg = marker
            if name == "solution-start":
                if ctx.solution is not None:
                    raise ConversionError(f"{ctx.where}: solution-start inside an open solution")
                ctx.solution, ctx.solution_has_code, continued = arg, False, False
            else:
                if ctx.solution is None:
                    raise ConversionError(f"{ctx.where}: solution-end without solution-start")
                ctx.solution = None
        lines = _strip_blank(convert_fragment(ctx, text))
        if ctx.solution is not None and (marker is None or marker[0] == "solution-start"):
            summary = "Solution, continued" if continued else "Solution"
            if lines:
                out += ["", *_details(summary, lines), ""]
        else:
            out += ["", *lines, ""]
    if ctx.solution is not None and code_follows:
        out += [
            "",
            f"*The code of the solution to {_solution_label(ctx)} follows, collapsed in "
            "JupyterLab and VS Code: click ••• to show it.*",
            "",
        ]
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text


def install_cell(book: Book) -> nbformat.NotebookNode | None:
    """The first code cell that installs lossrecipe where it is missing (Colab), or None."""
    if not book.repository_url:
        return None
    url = book.repository_url.rstrip("/")
    if not url.endswith(".git"):
        url += ".git"
    branch = f"@{book.repository_branch}" if book.repository_branch else ""
    source = (
        "# Colab and other fresh environments: install lossrecipe (does nothing where it is).\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("lossrecipe") is None:\n'
        f'    %pip install -q "lossrecipe @ git+{url}{branch}"'
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(INSTALL_TAGS)})


def caption_cell(ctx: Context, figure: dict) -> nbformat.NotebookNode:
    caption = "\n".join(_strip_blank(convert_fragment(ctx, str(figure.get("caption", "")))))
    name = figure.get("name")
    if name:
        head = f"{anchor(name)}**{FIGURE_PREFIX} {ctx.book.labels[name].number}.**"
    else:
        head = "**Figure.**"
    return nbformat.v4.new_markdown_cell(f"{head} {caption}".strip())


def references_cell(ctx: Context) -> nbformat.NotebookNode | None:
    if not ctx.cited:
        return None
    entries = [ctx.book.bibliography[key] for key in ctx.cited]
    entries.sort(key=lambda entry: [part.lower() for part in cite_label(entry)])  # as cited
    references = REFERENCES.format_entries(entries)
    lines = ["## References", ""] + [f"- {entry.text.render(MARKDOWN)}" for entry in references]
    return nbformat.v4.new_markdown_cell("\n".join(lines))


def student_notebook(
    markdown: Path, book: Book | None = None, source: nbformat.NotebookNode | None = None
) -> nbformat.NotebookNode:
    """The student edition of a chapter, unexecuted.

    ``source`` is the chapter as jupytext reads it, by default from ``markdown``; the
    assignment edition (``scripts/assignment_edition.py``) passes a changed copy.
    """
    book = book or load_book()
    markdown = Path(markdown)
    source = jupytext.read(markdown) if source is None else source
    ctx = Context(book=book, stem=markdown.stem, where=f"book/{markdown.name}")
    cells = []
    if (cell := install_cell(book)) is not None:
        cells.append(cell)
    for index, cell in enumerate(source.cells):
        ctx.where = f"book/{markdown.name}, cell {index}"
        if cell.cell_type == "markdown":
            code_follows = (
                index + 1 < len(source.cells) and source.cells[index + 1].cell_type == "code"
            )
            text = convert_markdown_cell(ctx, cell.source, code_follows)
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif cell.cell_type == "code":
            code = nbformat.v4.new_code_cell(cell.source, metadata=copy.deepcopy(cell.metadata))
            if ctx.solution is not None:
                code.metadata["tags"] = [*code.metadata.get("tags", []), SOLUTION_CODE_TAG]
                code.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
            cells.append(code)
            figure = cell.metadata.get("mystnb", {}).get("figure")
            if figure and figure.get("caption"):
                cells.append(caption_cell(ctx, figure))
        else:
            raise ConversionError(f"{ctx.where}: a {cell.cell_type} cell has no student form")
    if ctx.solution is not None:
        raise ConversionError(f"book/{markdown.name}: solution of {ctx.solution} is never ended")
    if (cell := references_cell(ctx)) is not None:
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(source.metadata))
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
    return notebook


def book_code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The code cells of a student notebook as the book has them (outputs kept).

    Drops the cells that exist only in the student edition (the install cell) and takes
    off what the student edition adds to a solution's code cells (its tag and the
    ``jupyter`` collapse flags), so source and metadata are the chapter's again.
    """
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or STUDENT_ONLY_TAG in cell.metadata.get("tags", []):
            continue
        cell = copy.deepcopy(cell)
        tags = cell.metadata.get("tags", [])
        if SOLUTION_CODE_TAG in tags:
            cell.metadata.pop("jupyter", None)
            tags.remove(SOLUTION_CODE_TAG)
            if not tags:
                del cell.metadata["tags"]
        cells.append(cell)
    return cells


def myst_leftovers(text: str) -> list[str]:
    """The MyST-only constructs found in a student notebook's markdown."""
    found = [token for token in MYST_ONLY if token in text]
    found += [m.group(0).strip() for m in MYST_TARGET_LINE.finditer(text)]
    return found


def main() -> None:
    for name in sys.argv[1:]:
        markdown = Path(name)
        target = ROOT / "notebooks" / f"{markdown.stem}.ipynb"
        nbformat.write(student_notebook(markdown), target)
        print(f"{name} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
