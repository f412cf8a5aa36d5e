"""Offer each chapter's committed notebook in the page's download menu.

A chapter ``book/NN_name.md`` is paired with ``notebooks/NN_name.ipynb``, committed
with its executed outputs.  This extension copies that notebook next to the page's
sources in the built site and tells sphinx-book-theme about it, so the header's
download button offers ".ipynb": the same file a student gets from the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    notebook = Path(app.srcdir) / "notebooks" / (Path(pagename).name + ".ipynb")
    if not pagename.startswith("book/") or not notebook.exists():
        return
    target = Path(app.outdir) / "_sources" / (pagename + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
    context["ipynb_source"] = pagename + ".ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
