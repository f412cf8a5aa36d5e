"""Small fixes to the HTML the theme stack writes, found by the browser tests.

- Jupyter Book 1 registers sphinx-thebe's and sphinx-togglebutton's inline scripts
  twice; the second ``const THEBE_JS_URL`` is a JavaScript error on every page.  Each
  page keeps the first copy of every script.
- pydata-sphinx-theme logs an error on a first visit unless ``default_mode`` is set
  (in ``html_context``).
- The ``singlehtml`` builder (``make pdf``) has its own translator table, which lacks
  the HTML visitors of some nodes (myst-nb's hidden-input cells); it borrows them from
  the ``html`` table.
- The bibliography: docutils writes each entry as ``role="doc-biblioentry"`` inside a
  ``role="list"``; DPUB-ARIA 1.1 deprecates that role for ``listitem``, and a list whose
  children are not list items is invalid ARIA (axe-core: ``aria-deprecated-role``,
  ``aria-required-children``).  Each entry is written as a list item instead.
- ``_static/site.css`` (from ``html_extra_path``) lets long inline code wrap on a phone,
  gives links in tinted boxes enough contrast and marks the focused element.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.writers.html5 import HTML5Translator


def _default_mode(app: Sphinx, config: Config) -> None:
    # pydata-sphinx-theme reads it from the template context, not the theme options.
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}


def _share_html_visitors(app: Sphinx) -> None:
    handlers = app.registry.translation_handlers
    name = app.builder.name
    if name != "html" and app.builder.format == "html" and name in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers[name].setdefault(node, visitors)


def _dedupe_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in context.get("script_files", []):
        # An inline script's filename is None or "" depending on who added it.
        filename = str(getattr(script, "filename", script) or "")
        key = (filename, repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _visit_citation(self: HTML5Translator, node: nodes.citation) -> None:
    type(self).visit_citation(self, node)
    # The entry's own tag is the last thing written (after the list's, for the first).
    self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _default_mode)
    app.connect("builder-inited", _share_html_visitors)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_node(
        nodes.citation, override=True, html=(_visit_citation, HTML5Translator.depart_citation)
    )
    app.add_css_file("site.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
