"""Offer each chapter's committed notebooks in the page's download menu.

A chapter ``book/NN_name.md`` is paired with ``notebooks/NN_name.ipynb``, committed
with its executed outputs.  This extension copies that notebook next to the page's
sources in the built site and tells sphinx-book-theme about it, so the header's
download button offers ".ipynb": the same file a student gets from the repository.

Where the chapter has an assignment edition, ``assignments/NN_name.ipynb`` (exercises
that check themselves, ``scripts/assignment_edition.py``), the menu also offers it, as
"assignment": the file keeps its name, which its checks rely on.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

ASSIGNMENT_LABEL = "download-assignment-button"


def _copy(source: Path, outdir: Path, relative: str) -> None:
    target = outdir / "_sources" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    notebook = Path(app.srcdir) / "notebooks" / (Path(pagename).name + ".ipynb")
    if not pagename.startswith("book/") or not notebook.exists():
        return
    _copy(notebook, Path(app.outdir), pagename + ".ipynb")
    context["ipynb_source"] = pagename + ".ipynb"


def _offer_assignment(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Add the assignment notebook to the download group the theme has just built."""
    name = Path(pagename).name + ".ipynb"
    assignment = Path(app.srcdir) / "assignments" / name
    if not pagename.startswith("book/") or not assignment.exists():
        return
    group = next(
        (b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"),
        None,
    )
    if group is None:
        return
    _copy(assignment, Path(app.outdir), f"assignments/{name}")
    entry = {
        "type": "link",
        "url": f"{context['pathto']('_sources', 1)}/assignments/{name}",
        "text": "assignment",
        "tooltip": "Download the assignment: the exercises with checks",
        "icon": "fas fa-list-check",
        "label": ASSIGNMENT_LABEL,
    }
    buttons = group["buttons"]
    after = next(
        (i + 1 for i, b in enumerate(buttons) if b.get("label") == "download-notebook-button"), 0
    )
    buttons.insert(after, entry)


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its header buttons (priority 501), and after it.
    app.connect("html-page-context", _offer_notebook, priority=400)
    app.connect("html-page-context", _offer_assignment, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
