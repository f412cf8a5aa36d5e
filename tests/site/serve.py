"""Serve a built site on 127.0.0.1 and drive the system Chromium (Playwright).

Shared by the browser tests (``tests/site/``) and ``scripts/print_pdf.py``.  Every
request to another host is aborted and recorded, so a page that would fetch something
from the network shows up as a count instead of silently working online.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # override to test the skip
INSTALL_HINT = "apt-get install chromium (Debian package) for the browser tests"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Resolves once MathJax has typeset the page; true at once on a page without math.
WAIT_FOR_MATHJAX = """async () => {
    if (!document.querySelector('.math')) return true;
    for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
        await new Promise(r => setTimeout(r, 50));
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
    await MathJax.startup.promise;
    return true;
}"""

# Loads every image now (lazy ones too) and waits for all; returns the sources that failed.
LOAD_IMAGES = """async () => {
    const imgs = [...document.images];
    imgs.forEach(i => { i.loading = 'eager'; });
    await Promise.all(imgs.map(i => i.complete ? null :
        new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
    return imgs.filter(i => i.naturalWidth === 0).map(i => i.src);
}"""


def theme_script(theme: str) -> str:
    """An init script that opens every page in ``theme`` ("light" or "dark").

    pydata-sphinx-theme reads the reader's choice from local storage before drawing.
    """
    return f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');"


def chromium_path() -> str | None:
    """The system Chromium, or None when it is not installed."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    return None if "CHROMIUM" in os.environ else shutil.which("chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def block_other_hosts(context, base_url: str, outside: list[str]) -> None:
    """Abort every request of ``context`` (a browser context, or one page) that leaves
    ``base_url``'s host; record it."""
    own = urlsplit(base_url).netloc

    def route(route, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own:
            outside.append(request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
