"""Small fixes to the HTML the theme stack writes, found by the browser tests.

- Jupyter Book 1 registers sphinx-thebe's and sphinx-togglebutton's inline scripts
  twice; the second ``const THEBE_JS_URL`` is a JavaScript error on every page.  Each
  page keeps the first copy of every script.
- pydata-sphinx-theme logs an error on a first visit unless ``default_mode`` is set
  (in ``html_context``).
- The ``singlehtml`` builder (``make pdf``) has its own translator table, which lacks
  the HTML visitors of some nodes (myst-nb's hidden-input cells); it borrows them from
  the ``html`` table.
- ``_static/site.css`` (from ``html_extra_path``) lets long inline code wrap on a phone.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


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


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _default_mode)
    app.connect("builder-inited", _share_html_visitors)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_css_file("site.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
