""" "Open in Colab" and Binder buttons that open a chapter's executed notebook.

sphinx-book-theme's own launch buttons open the page's source, ``book/NN_name.md``;
students should get ``notebooks/NN_name.ipynb``, committed with its outputs.  When
``repository.url`` in ``_config.yml`` is a GitHub address, every chapter page whose
notebook exists gets a launch menu in its header with

    https://colab.research.google.com/github/ORG/REPO/blob/BRANCH/notebooks/NN_name.ipynb
    https://mybinder.org/v2/gh/ORG/REPO/BRANCH?urlpath=lab/tree/notebooks/NN_name.ipynb

When ``repository.url`` is empty (the book is not published yet) no page gets one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")


def launch_links(repository_url: str, branch: str, notebook: str) -> dict[str, str]:
    """Colab and Binder addresses of ``notebook`` (a path inside the repository)."""
    match = GITHUB.match(repository_url.strip())
    if match is None:
        raise ValueError(
            f"repository.url must look like https://github.com/ORG/REPO, got {repository_url!r}"
        )
    org, repo = match.groups()
    return {
        "colab": f"https://colab.research.google.com/github/{org}/{repo}/blob/{branch}/{notebook}",
        "binder": f"https://mybinder.org/v2/gh/{org}/{repo}/{branch}?urlpath=lab/tree/{notebook}",
    }


def _add_buttons(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    options = app.config.html_theme_options or {}
    url = (options.get("repository_url") or "").strip()
    notebook = Path("notebooks") / (Path(pagename).name + ".ipynb")
    if not url or not pagename.startswith("book/") or not (Path(app.srcdir) / notebook).exists():
        return
    try:
        links = launch_links(url, options.get("repository_branch") or "main", notebook.as_posix())
    except ValueError as err:
        LOGGER.warning(str(err), location=pagename)
        return
    context.setdefault("header_buttons", []).append(
        {
            "type": "group",
            "tooltip": "Run this chapter's notebook",
            "icon": "fas fa-rocket",
            "label": "launch-notebook-button",
            "buttons": [
                {
                    "type": "link",
                    "text": "Open in Colab",
                    "tooltip": "Open the executed notebook in Google Colab",
                    "icon": "_static/images/logo_colab.png",
                    "url": links["colab"],
                    "label": "colab-button",
                },
                {
                    "type": "link",
                    "text": "Launch Binder",
                    "tooltip": "Run the notebook on mybinder.org",
                    "icon": "_static/images/logo_binder.svg",
                    "url": links["binder"],
                    "label": "binder-button",
                },
            ],
        }
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # After sphinx-book-theme has prepared the header buttons (priority 500/501).
    app.connect("html-page-context", _add_buttons, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
