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

ADMONITIONS = {
    "admonition": None,
    "attention": "Attention",
    "caution": "Caution",
    "danger": "Danger",
    "error": "Error",
    "hint": "Hint",
    "important": "Important",
    "note": "Note",
    "seealso": "See also",
    "tip": "Tip",
    "warning": "Warning",
}
PROOF_KINDS = {
    "algorithm": "Algorithm",
    "assumption": "Assumption",
    "axiom": "Axiom",
    "conjecture": "Conjecture",
    "corollary": "Corollary",
    "criterion": "Criterion",
    "definition": "Definition",
    "example": "Example",
    "lemma": "Lemma",
    "observation": "Observation",
    "property": "Property",
    "proposition": "Proposition",
    "remark": "Remark",
    "theorem": "Theorem",
}
FIGURE_PREFIX = "Fig."  # Sphinx's numfig_format, which Jupyter Book keeps
INSTALL_TAGS = ["remove-cell", "student-only"]  # hidden on a site; not a cell of the book
STUDENT_ONLY_TAG = "student-only"
SOLUTION_CODE_TAG = "solution"

ROLE = re.compile(r"\{(?P<role>[A-Za-z][\w:-]*)\}`(?P<content>[^`]+)`")
DIRECTIVE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}]+)\}\s*(?P<arg>.*?)\s*$")
PLAIN_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?!\{)")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
TARGET = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*$")
DISPLAY_END = re.compile(r"\$\$\s*(?:\((?P<label>[^)\s]+)\))?\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")


class ConversionError(ValueError):
    """A MyST construct the student edition cannot express."""


# --------------------------------------------------------------------------------------
# Parsing MyST markdown into blocks
# --------------------------------------------------------------------------------------


@dataclass
class Directive:
    name: str
    arg: str
    options: dict
    body: str
    line: int


@dataclass
class Display:
    lines: list[str]  # the LaTeX between the $$ delimiters
    label: str | None


@dataclass
class Target:
    label: str


@dataclass
class Text:
    lines: list[str] = field(default_factory=list)


def _directive_options(lines: list[str]) -> tuple[dict, list[str]]:
    """Split a directive's content into its options (``:key: value`` or YAML) and body."""
    options: dict = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise ConversionError("directive options: a '---' block is not closed")
        options = yaml.safe_load("\n".join(lines[1:end])) or {}
        return options, lines[end + 1 :]
    i = 0
    while i < len(lines) and (match := OPTION.match(lines[i].strip())):
        options[match["key"]] = match["value"]
        i += 1
    return options, lines[i:]


def parse_blocks(text: str, where: str) -> Iterator[Directive | Display | Target | Text]:
    """Yield the blocks of a MyST markdown fragment in order.

    Blocks are :class:`Directive`, :class:`Display` (``$$ ... $$`` with its label),
    :class:`Target` (``(label)=``), and :class:`Text` (everything else, including plain
    fenced code, which is passed through untouched).
    """
    lines = text.split("\n")
    i = 0
    text_block = Text()
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if match := DIRECTIVE_OPEN.match(stripped):
            fence = match["fence"]
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].strip() == fence[0] * len(fence)),
                None,
            )
            if end is None:
                raise ConversionError(f"{where}, line {i + 1}: {{{match['name']}}} is not closed")
            options, body = _directive_options(lines[i + 1 : end])
            if text_block.lines:
                yield text_block
                text_block = Text()
            yield Directive(match["name"].strip(), match["arg"], options, "\n".join(body), i + 1)
            i = end + 1
            continue
        if match := PLAIN_FENCE.match(stripped):
            fence = match["fence"]
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence)),
                len(lines) - 1,
            )
            text_block.lines.extend(lines[i : end + 1])
            i = end + 1
            continue
        if match := TARGET.match(stripped):
            if text_block.lines:
                yield text_block
                text_block = Text()
            yield Target(match["label"])
            i += 1
            continue
        if stripped.startswith("$$"):
            rest = stripped[2:]
            if (close := DISPLAY_END.search(rest)) and rest[: close.start()].strip():
                # $$ ... $$ on one line
                body, end = [rest[: close.start()]], i
            else:
                end = next(
                    (j for j in range(i + 1, len(lines)) if DISPLAY_END.search(lines[j])), None
                )
                if end is None:
                    raise ConversionError(f"{where}, line {i + 1}: $$ is not closed")
                close = DISPLAY_END.search(lines[end])
                last = lines[end][: close.start()]
                body = ([rest] if rest.strip() else []) + lines[i + 1 : end]
                body += [last] if last.strip() else []
            if text_block.lines:
                yield text_block
                text_block = Text()
            yield Display(body, close["label"])
            i = end + 1
            continue
        if stripped.startswith("%") and not stripped.startswith("%%"):
            i += 1  # a MyST comment
            continue
        text_block.lines.append(line)
        i += 1
    if text_block.lines:
        yield text_block


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


def _title(text: str) -> str:
    for line in text.split("\n"):
        if match := HEADING.match(line.strip()):
            if len(match["hashes"]) == 1:
                return match["text"]
    raise ConversionError("no '# title' heading")


def _index_chapter(stem: str, number: int | None, labels: dict[str, Label]) -> None:
    """Number a chapter's equations, figures, theorems and exercises as the site does."""
    notebook = jupytext.read(BOOK / f"{stem}.md")
    counters: dict[str, int] = {}

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
            if isinstance(block, Text):
                first = next((ln.strip() for ln in block.lines if ln.strip()), "")
                heading = HEADING.match(first)
                if pending:
                    title = heading["text"] if heading else None
                    add(Label(pending, stem, "section" if heading else "target", None, title))
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

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            walk(cell.source)
        elif cell.cell_type == "code":
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("name"):
                add(Label(figure["name"], stem, "figure", next_number("figure")))


@cache
def load_book(root: Path = ROOT) -> Book:
    """Read ``_toc.yml``, ``_config.yml``, every page's title and labels, and the .bib."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    config = yaml.safe_load((root / "_config.yml").read_text())
    entries = [(toc["root"], False), *_toc_entries(toc.get("parts", toc))]
    docs, numbers, titles = [], {}, {}
    count = 0
    for entry, numbered in entries:
        stem = Path(entry).name
        docs.append(stem)
        titles[stem] = _title((root / f"{entry}.md").read_text())
        if numbered:
            count += 1
            numbers[stem] = count
    labels: dict[str, Label] = {}
    for stem in docs:
        path = BOOK / f"{stem}.md"
        if path.read_text().startswith("---\njupytext:"):
            _index_chapter(stem, numbers.get(stem), labels)
        else:  # a plain page: only its targets and sections matter
            text = path.read_text()
            pending = None
            for block in parse_blocks(text, f"book/{stem}.md"):
                if isinstance(block, Target):
                    pending = block.label
                elif pending:
                    first = block.lines[0] if isinstance(block, Text) and block.lines else ""
                    heading = HEADING.match(first.strip())
                    title = heading["text"] if heading else None
                    labels[pending] = Label(pending, stem, "section", None, title)
                    pending = None
    repository = config.get("repository") or {}
    html = config.get("html") or {}
    bib_files = [root / name for name in config.get("bibtex_bibfiles", [])]
    return Book(
        docs=docs,
        chapter_numbers=numbers,
        titles=titles,
        labels=labels,
        site_url=str(html.get("baseurl") or "").rstrip("/"),
        repository_url=str(repository.get("url") or ""),
        repository_branch=str(repository.get("branch") or ""),
        bibliography=_read_bibliography(bib_files),
    )


# --------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return re.sub(r"[{}]", "", text).replace("--", "–")


def _read_bibliography(paths: list[Path]) -> dict:
    from pybtex.database import parse_file

    entries = {}
    for path in paths:
        for key, entry in parse_file(str(path)).entries.items():
            entries[key] = entry
    return entries


def _surnames(entry: object) -> list[str]:
    return [_plain(" ".join(p.prelast_names + p.last_names)) for p in entry.persons["author"]]


def cite_label(entry: object) -> tuple[str, str]:
    """("Prince", "2023"), ("McCullagh and Nelder", "1989"), ("Goodfellow et al.", "2016")."""
    names = _surnames(entry)
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return who, _plain(entry.fields.get("year", "n.d."))


def reference_line(entry: object) -> str:
    """One entry of the notebook's reference list, in author-year style."""
    people = []
    for person in entry.persons["author"]:
        initials = " ".join(f"{_plain(n)[0]}." for n in person.first_names + person.middle_names)
        surname = _plain(" ".join(person.prelast_names + person.last_names))
        people.append(f"{surname}, {initials}".strip(", "))
    authors = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    fields = entry.fields
    title = _plain(fields.get("title", ""))
    year = _plain(fields.get("year", "n.d."))
    if entry.type in ("book", "techreport", "phdthesis", "mastersthesis"):
        where = [_plain(fields[k]) for k in ("institution", "publisher") if k in fields]
        text = f"{authors} ({year}). *{title}*." + "".join(f" {w}." for w in where)
    else:
        venue = _plain(fields.get("journal", fields.get("booktitle", "")))
        details = ", ".join(_plain(fields[k]) for k in ("volume", "pages") if k in fields)
        text = f"{authors} ({year}). {title}. *{venue}*" + (f", {details}" if details else "")
        text += "."
    return text


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


def _split_explicit(content: str) -> tuple[str | None, str]:
    """``text <target>`` -> ("text", "target"); ``target`` -> (None, "target")."""
    if match := re.fullmatch(r"(?P<text>.*?)\s*<(?P<target>[^<>]+)>", content.strip(), re.S):
        return match["text"], match["target"]
    return None, content.strip()


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
    explicit, target = _split_explicit(content)
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
            who, year = cite_label(ctx.book.bibliography[key])
            parts.append((who, year))
        if role.startswith("cite:t"):
            return "; ".join(f"{who} ({year})" for who, year in parts)
        return "(" + "; ".join(f"{who}, {year}" for who, year in parts) + ")"
    if role == "math":
        return f"${content}$"
    raise ConversionError(f"{ctx.where}: the role {{{role}}} has no student-edition form")


def inline(ctx: Context, text: str) -> str:
    """Rewrite the MyST roles of a line of text, leaving inline code spans alone."""
    out, position = [], 0
    for span in re.finditer(r"(?<!`)\{[A-Za-z][\w:-]*\}`[^`]+`|(`+)(?:.+?)(?<!`)\1(?!`)", text):
        out.append(text[position : span.start()])
        found = span.group(0)
        if found.startswith("{"):
            match = ROLE.fullmatch(found)
            out.append(_role(ctx, match["role"], match["content"]))
        else:
            out.append(found)
        position = span.end()
    out.append(text[position:])
    return "".join(out)


def _inline_lines(ctx: Context, lines: list[str]) -> list[str]:
    """Rewrite roles outside fenced code blocks (and across line breaks inside paragraphs)."""
    out, chunk, fence = [], [], None
    for line in lines:
        if fence is None and (match := PLAIN_FENCE.match(line.strip())):
            out.extend(inline(ctx, "\n".join(chunk)).split("\n") if chunk else [])
            chunk, fence = [], match["fence"]
            out.append(line)
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence):
                fence = None
        else:
            chunk.append(line)
    out.extend(inline(ctx, "\n".join(chunk)).split("\n") if chunk else [])
    return out


def _display(ctx: Context, lines: list[str], label: str | None) -> list[str]:
    if label:
        number = ctx.book.labels[label].number
        return [anchor(label), "$$", *lines, f"\\tag{{{number}}}", "$$"]
    return ["$$", *lines, "$$"]


def _prefix_first_line(lines: list[str], prefix: str) -> list[str]:
    """Put a bold title in front of a block's first paragraph, or on its own above it."""
    lines = list(lines)
    while lines and not lines[0].strip():
        lines.pop(0)
    starts_with_text = bool(lines) and not re.match(
        r"^(\$\$|[-*+] |\d+[.)] |#|>|```|\|)", lines[0].strip()
    )
    if starts_with_text:
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
            lines = _inline_lines(ctx, block.lines)
            if pending:
                index = next((i for i, ln in enumerate(lines) if ln.strip()), None)
                if index is None:
                    out.append(anchor(pending))
                else:
                    heading = HEADING.match(lines[index].strip())
                    if heading:
                        lines[index] = f"{heading['hashes']} {anchor(pending)}{heading['text']}"
                    else:
                        lines[index] = anchor(pending) + lines[index].lstrip()
                pending = None
            out.extend(lines)
            continue
        if pending:
            out.append(anchor(pending))
            pending = None
        if isinstance(block, Display):
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
    unknown = set(options) - {"label", "class", "nonumber", "name"}
    if unknown:
        raise ConversionError(f"{where}: options {sorted(unknown)} have no student-edition form")
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
        if body[-1].strip() in ("$$",) or body[-1].strip().startswith(("- ", "* ", "|")):
            body += ["", "∎"]
        else:
            body[-1] = body[-1].rstrip() + " ∎"
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
    entries.sort(key=lambda e: (cite_label(e)[0].lower(), cite_label(e)[1]))
    lines = ["## References", ""] + [f"- {reference_line(entry)}" for entry in entries]
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
