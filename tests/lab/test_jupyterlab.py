"""The student notebooks in a real JupyterLab, driven through its UI by Chromium.

A JupyterLab server is started the way the README tells students (``.venv/bin/jupyter lab
notebooks/`` from the repository's top directory), but on a copy of ``book/`` and
``notebooks/`` in a temporary directory, with its own config, runtime, settings and
workspace directories, on 127.0.0.1, a free port and a random token.  The JupyterLab app
is loaded once per server and each notebook opened in it in turn, as File > Open does.
For every notebook: Run All through the menu finishes with the kernel idle and no error
output; every output is the committed one, compared as nbval compares (stream text and
every MIME type but images); no raw MyST is visible; every solution is collapsed; every
figure has its caption beneath it.  The kernels run PyTorch's generic (no-SIMD) kernels
(``ATEN_CPU_CAPABILITY=default``), so this is also the check that no printed number
depends on the CPU's vector instructions (nbval in ``make test`` compares the outputs
with this machine's own kernels).  Saving
a notebook from the UI must leave ``book/`` untouched, the kernels must not print the
"TCP without encryption" warning, and the committed notebooks stay as they were.

One assignment (``assignments/NN_name.ipynb``, started as the README tells students:
``.venv/bin/jupyter lab assignments/``) is run the same way: Run All on the blank
notebook raises no error and every check cell shows failing checks; with the reference
solutions put into its answer cells (through the cells' model, as a paste does), Run All
shows every check passing.

Run-all times go to the terminal summary; screenshots of a theorem, an exercise and a
figure caption of chapter 02, and of the assignment's checks, go to
``_build/lab-screenshots/``.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.site.serve import LAUNCH_ARGS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import assignment_edition as ae  # noqa: E402
from execute_chapter import merge_consecutive_streams  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ROOT / "_build" / "lab-screenshots"
VIEWPORT = {"width": 1300, "height": 1500}
SCREENSHOT_CHAPTER = "02_gaussian.ipynb"
ASSIGNMENT = "06_binary_classification"  # the assignment run in Lab
JUPYTEXT_CONFIGS = (
    "jupytext.toml",
    ".jupytext.toml",
    "jupytext.yml",
    "jupytext.yaml",
    ".jupytext.yml",
    ".jupytext.yaml",
    "jupytext.json",
    ".jupytext",
    "pyproject.toml",
)
RAW_MYST = (
    "{doc}",
    "{ref}",
    "{eq}",
    "{numref}",
    "{prf:",
    "{cite",
    "```{",
    ":label:",
    ":class:",
    "(eq-",
)
# Where the browser tests are required (.ci/run sets SITE_TESTS_REQUIRED=1), a missing
# Chromium is a failure, not a skip.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("SITE_TESTS_REQUIRED") != "1",
    reason="JupyterLab browser test needs Chromium at /usr/bin/chromium: "
    "apt-get update && apt-get install -y chromium",
)


@dataclass
class Lab:
    url: str
    token: str
    repo: Path
    log: Path
    browser: object

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")

    def open(self, notebook: str):
        page = self.browser.new_page(viewport=VIEWPORT)
        page.goto(f"{self.url}/lab/tree/{notebook}?reset&token={self.token}")
        self._wait_for_notebook(page, notebook)
        return page

    def open_in(self, page, notebook: str) -> None:
        """Open ``notebook`` in the Lab already loaded in ``page``, as File > Open does."""
        # Returns nothing: the widget the command resolves to would be serialised whole.
        page.evaluate(
            "async path => { await jupyterapp.commands.execute('docmanager:open', {path}); }",
            notebook,
        )
        self._wait_for_notebook(page, notebook)

    def close_all(self, page) -> None:
        """Close every tab of ``page`` without saving, then shut every kernel down."""
        page.evaluate(
            """() => {
                for (const w of [...window.jupyterapp.shell.widgets('main')]) {
                    if (w.context) w.context.model.dirty = false;
                    w.dispose();
                }
            }"""
        )
        self.shut_down_kernels()

    def _wait_for_notebook(self, page, notebook: str) -> None:
        page.wait_for_function(
            """(name) => document.querySelector('.jp-Dialog') !== null || (
                window.jupyterapp?.shell.currentWidget?.context?.path.endsWith(name) &&
                document.querySelector('.jp-NotebookPanel .jp-Notebook .jp-Cell') !== null &&
                jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle' &&
                document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle'))""",
            arg=notebook,
            timeout=120_000,
            polling=250,
        )
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"dialog-{Path(notebook).stem}.png"))
            pytest.fail(f"Lab opened {notebook} with a dialog: {dialog.first.inner_text()[:300]!r}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--", "notebooks", "book", "assignments"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _settings(folder: Path) -> None:
    """Render every cell (no lazy windowing), so the test can read every cell's output.

    Nothing else: what else the student sees (no news prompt, ``make env``'s
    ``overrides.json``) comes from the environment, as with ``make lab``.
    """
    tracker = folder / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))


@pytest.fixture(scope="module")
def git_status_before():
    return _git_status()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def _running_lab(base: Path, browser, folder_argument: list[str]):
    """``jupyter lab [folder]`` started in a copy of the repository, on 127.0.0.1."""
    repo = base / "repo"
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in ("book", "notebooks", "assignments"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    for name in JUPYTEXT_CONFIGS:  # whatever pairing the repository configures applies here too
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, repo / name)
    for name in ("config", "runtime", "settings", "workspaces"):
        (base / name).mkdir()
    _settings(base / "settings")
    env = {
        **os.environ,
        # The kernels run PyTorch's generic (no-SIMD) kernels: the closest stand-in here
        # for another CPU, so the outputs compared with the committed ones below must not
        # depend on this machine's vector units.
        "ATEN_CPU_CAPABILITY": "default",
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
    }
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).parent / "jupyter"
    command = [str(jupyter), "lab", *folder_argument, "--no-browser", "--ip=127.0.0.1"]
    command += [f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    command.append("--LabApp.expose_app_in_browser=True")  # lets the test read execution counts
    # A kernel the test is done with is stopped at once, not left to exit by itself: its
    # own exit (a last garbage collection of all that torch, SymPy and matplotlib loaded)
    # costs about 1.5 CPU-seconds per notebook, and no test reads anything it does.
    command.append("--KernelManager.shutdown_wait_time=0")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = base / "jupyter-lab.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not start:\n{log.read_text()}") from None
                time.sleep(0.5)
        yield Lab(url, token, repo, log, browser)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser, git_status_before):
    """Lab as the README starts it: ``jupyter lab notebooks/`` from the top directory."""
    with _running_lab(tmp_path_factory.mktemp("lab"), browser, ["notebooks/"]) as running:
        yield running


@pytest.fixture(scope="module")
def lab_assignments(tmp_path_factory, browser):
    """Lab as the README starts it for assignments: ``jupyter lab assignments/``."""
    with _running_lab(tmp_path_factory.mktemp("lab-assign"), browser, ["assignments/"]) as running:
        yield running


@pytest.fixture
def lab_at_root(tmp_path_factory, browser):
    """Lab started with the repository's top directory as its root (``jupyter lab``)."""
    with _running_lab(tmp_path_factory.mktemp("lab-root"), browser, []) as running:
        yield running


CODE_CELLS_JS = (
    "window.jupyterapp.shell.currentWidget.content.widgets.filter(w => w.model.type === 'code')"
)


def _wait_for_run_all(page, timeout_ms: int) -> None:
    # Run All clears every code cell's count and marks it running at once (hidden solution
    # cells included); it is done when every cell has a count again and none is running.
    page.wait_for_function(
        f"() => {CODE_CELLS_JS}.some(w => w.model.executionCount === null"
        " || w.model.executionState === 'running')",
        timeout=30_000,
        polling=100,
    )
    page.wait_for_function(
        f"() => {CODE_CELLS_JS}.every(w => w.model.executionCount !== null"
        " && w.model.executionState === 'idle')",
        timeout=timeout_ms,
        polling=250,
    )
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=60_000)


def _cells(page) -> list[dict]:
    """Every cell of the open notebook, in order: its execution count and what it shows."""
    return page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets.map(w => {
            const c = w.node;
            const img = c.querySelector('.jp-OutputArea img');
            return {
                markdown: w.model.type === 'markdown',
                code: w.model.type === 'code',
                count: w.model.type === 'code' ? w.model.executionCount : null,
                text: c.querySelector('.jp-MarkdownOutput')?.innerText ?? '',
                inputHidden: w.inputHidden && c.querySelector('.jp-InputPlaceholder') !== null,
                imgBottom: img ? img.getBoundingClientRect().bottom : null,
                top: c.getBoundingClientRect().top,
                details: [...c.querySelectorAll('.jp-MarkdownOutput details')].map(d => d.open),
            };
        })"""
    )


def _outputs(page) -> list[list[dict]]:
    """The outputs of every code cell of the open notebook, as nbformat writes them."""
    return page.evaluate(f"() => {CODE_CELLS_JS}.map(w => w.model.outputs.toJSON())")


# The keys nbval leaves out of its comparison, the images among them (their bytes depend
# on the libraries' versions; nbval compares them only when told to).
NOT_COMPARED = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
}


def _joined(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def comparable(outputs: list[dict]) -> list[tuple[str, object]]:
    """One cell's outputs as the (key, value) pairs nbval compares, in the order shown.

    Each run of consecutive chunks of one stream is joined into one text (as ``make
    notebooks`` writes them: a kernel may send one print in several messages); then,
    output by output, every key but ``NOT_COMPARED`` with its value, a stream's text
    under the stream's name and each MIME type of a display or result as its own key.
    Unlike nbval, which merges all of a stream's chunks, a print shown after a display
    must stay after it.
    """
    cleaned = []
    for output in outputs:
        output = dict(output)
        if "text" in output:
            output["text"] = _joined(output["text"])
        if "data" in output:
            output["data"] = {mime: _joined(value) for mime, value in output["data"].items()}
        cleaned.append(nbformat.from_dict(output))
    shown: list[tuple[str, object]] = []
    for output in merge_consecutive_streams(cleaned):
        if output["output_type"] == "stream":
            shown.append((output["name"], output["text"]))
            continue
        for key, value in sorted(output.items()):
            if key == "data":
                shown += [(m, v) for m, v in sorted(value.items()) if m not in NOT_COMPARED]
            elif key not in NOT_COMPARED:
                shown.append((key, value))
    return shown


def _differences(stored: list, shown: list[list[dict]]) -> list[str]:
    """Each code cell whose outputs in Lab differ from the committed ones, with the diff."""
    found = []
    for number, (cell, outputs) in enumerate(zip(stored, shown, strict=True)):
        expected, got = comparable(cell.outputs), comparable(outputs)
        if expected != got:
            diff = difflib.unified_diff(
                [f"{key}: {value}" for key, value in expected],
                [f"{key}: {value}" for key, value in got],
                "committed",
                "JupyterLab",
                lineterm="",
            )
            found.append(f"code cell {number}:\n" + "\n".join(diff))
    return found


def _screenshot(page, start, end, name: str) -> None:
    """A picture of the notebook from the top of ``start`` to the bottom of ``end``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    start.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    top, bottom = start.bounding_box(), end.bounding_box()
    panel = page.locator(".jp-NotebookPanel .jp-Notebook").first.bounding_box()
    y = max(top["y"] - 12, panel["y"])
    height = min(bottom["y"] + bottom["height"] + 12, panel["y"] + panel["height"]) - y
    page.screenshot(
        path=str(SCREENSHOTS / name),
        clip={"x": panel["x"], "y": y, "width": panel["width"], "height": height},
    )


@pytest.fixture(scope="module")
def lab_page(lab):
    """One JupyterLab page (the app loaded once), in which each test opens its notebook."""
    page = lab.browser.new_page(viewport=VIEWPORT)
    page.goto(f"{lab.url}/lab?reset&token={lab.token}")
    page.evaluate(
        """async () => {
            while (!window.jupyterapp) await new Promise(r => setTimeout(r, 100));
            await window.jupyterapp.restored;
        }"""
    )
    try:
        yield page
    finally:
        page.close()


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_run_all_in_jupyterlab(lab, lab_page, nb_path, record_property):
    stored = nbformat.read(nb_path, as_version=4)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    solutions = [cell for cell in code if "solution" in cell.metadata.get("tags", [])]
    figures = [
        i
        for i, cell in enumerate(stored.cells)
        if cell.cell_type == "code"
        and cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
    ]
    details = sum(
        cell.source.count("<details>") for cell in stored.cells if cell.cell_type == "markdown"
    )
    page = lab_page
    lab.open_in(page, nb_path.name)
    try:
        before = _cells(page)
        assert len(before) == len(stored.cells), "Lab shows a different number of cells"
        assert sum(c["inputHidden"] for c in before) == len(solutions)

        start = time.monotonic()
        _run_all(page)
        record_property("run_all_seconds", time.monotonic() - start)

        cells = _cells(page)
        counts = [c["count"] for c in cells if c["code"]]
        assert counts == list(range(1, len(code) + 1)), "not every cell ran, in order"
        errors = page.locator(
            '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        )
        assert errors.count() == 0, f"error or stderr output: {errors.first.inner_text()[:500]}"
        different = _differences(code, _outputs(page))
        assert not different, "outputs differ from the committed notebook's:\n" + "\n".join(
            different
        )

        shown = "\n".join(c["text"] for c in cells if c["markdown"])
        raw = [token for token in RAW_MYST if token in shown]
        raw += re.findall(r"^.*\)=$", shown, flags=re.MULTILINE)
        assert not raw, f"raw MyST visible in {nb_path.name}: {raw}"

        opened = [state for c in cells for state in c["details"]]
        assert len(opened) == details and not any(opened), "a solution is not collapsed"
        hidden = [i for i, c in enumerate(cells) if c["inputHidden"]]
        expected = [i for i, cell in enumerate(stored.cells) if cell in solutions]
        assert hidden == expected, "the code of a solution is not collapsed"

        for i in figures:
            figure, caption = cells[i], cells[i + 1]
            assert figure["imgBottom"] is not None, f"cell {i} shows no figure"
            assert caption["markdown"] and re.match(r"Fig\. \d+\.\d+\. ", caption["text"]), (
                f"the figure of cell {i} has no caption beneath it: {caption['text'][:80]!r}"
            )
            assert caption["top"] >= figure["imgBottom"] - 1, "the caption is not below the figure"

        if nb_path.name == SCREENSHOT_CHAPTER:
            widgets = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
            theorem = page.locator('[data-jupyter-id^="thm-"]').first
            proof_end = page.locator(".jp-Cell:has([data-jupyter-id^='thm-']) p:has-text('∎')")
            _screenshot(page, theorem, proof_end.first, "theorem.png")
            exercise = page.locator('h3:has([data-jupyter-id^="ex-"])').first
            solution_code = page.locator(".jp-Cell:has(.jp-InputPlaceholder)").first
            _screenshot(page, exercise, solution_code, "exercise.png")
            figure = widgets.nth(figures[0]).locator(".jp-OutputArea img").first
            _screenshot(page, figure, widgets.nth(figures[0] + 1), "figure-caption.png")
            # A solution opens on click, its math typeset.
            details = page.locator(".jp-MarkdownOutput details").first
            details.locator("summary").click()
            assert details.evaluate("d => d.open"), "clicking Solution does not open it"
            assert details.locator("mjx-container").count() > 0, "no math typeset in the solution"
            _screenshot(page, exercise, solution_code, "exercise-solution-open.png")
    finally:
        lab.close_all(page)


def _run_all(page) -> None:
    """Run > Run All Cells, through the menu as a student does; wait until it is done."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    _wait_for_run_all(page, timeout_ms=600_000)


def _check_outputs(page) -> list[str]:
    """The text each check cell (``grader.check(...)``) shows, in order."""
    return page.evaluate(
        f"""() => {CODE_CELLS_JS}
            .filter(w => w.model.sharedModel.getSource().startsWith('grader.check('))
            .map(w => w.node.querySelector('.jp-OutputArea')?.innerText ?? '')"""
    )


def test_assignment_in_jupyterlab(lab_assignments):
    questions = ae.load_questions(ASSIGNMENT)
    names = ae.question_names(ASSIGNMENT, questions)
    page = lab_assignments.open(f"{ASSIGNMENT}.ipynb")
    errors = page.locator(
        '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    )
    try:
        _run_all(page)
        assert errors.count() == 0, f"error or stderr output: {errors.first.inner_text()[:500]}"
        blank = _check_outputs(page)
        assert len(blank) == len(names)
        for name, shown in zip(names, blank, strict=True):
            assert f"{name} results:" in shown and "passed!" not in shown, shown[:300]
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        last_check = cells.filter(has_text="grader.check(").last
        task = cells.filter(has_text="Graded question").last
        _screenshot(page, task, last_check, "assignment-blank.png")

        solutions = [ae.reference_solution(q.answer) for q in questions]
        pasted = page.evaluate(
            f"""(sources) => {{
                const answers = {CODE_CELLS_JS}.filter(
                    w => (w.model.getMetadata('tags') || []).includes('otter_answer_cell'));
                answers.forEach((w, i) => w.model.sharedModel.setSource(sources[i]));
                return answers.length;
            }}""",
            solutions,
        )
        assert pasted == len(solutions)
        _run_all(page)
        assert errors.count() == 0, f"error or stderr output: {errors.first.inner_text()[:500]}"
        solved = _check_outputs(page)
        for name, shown in zip(names, solved, strict=True):
            assert f"{name} passed!" in shown, shown[:300]
        _screenshot(page, task, last_check, "assignment-solved.png")
    finally:
        page.close()
        lab_assignments.shut_down_kernels()


@pytest.mark.parametrize("where", ["notebooks folder", "top directory"])
def test_saving_from_lab_leaves_book_untouched(request, where):
    """Open and save a notebook (Ctrl+S): book/ must not change, wherever Lab was started."""
    if where == "notebooks folder":  # the Lab the notebook tests use, already loaded
        lab, page = request.getfixturevalue("lab"), request.getfixturevalue("lab_page")
        lab.open_in(page, NOTEBOOKS[0].name)
    else:
        lab = request.getfixturevalue("lab_at_root")
        page = lab.open("notebooks/" + NOTEBOOKS[0].name)
    book_before = _tree_digest(lab.repo / "book")
    notebook = lab.repo / "notebooks" / NOTEBOOKS[0].name
    modified = notebook.stat().st_mtime_ns
    try:
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 60
        while notebook.stat().st_mtime_ns == modified:
            assert time.monotonic() < deadline, "Lab did not save the notebook"
            time.sleep(0.2)
        time.sleep(2)  # anything a contents manager writes beside it is written by now
    finally:
        if where == "notebooks folder":
            lab.close_all(page)
        else:
            page.close()
            lab.shut_down_kernels()
    assert _tree_digest(lab.repo / "book") == book_before, "saving a notebook changed book/"
    saved = nbformat.read(notebook, as_version=4)
    pairing = saved.metadata.get("jupytext", {}).get("formats")
    assert not pairing, f"the saved notebook is paired with a text file: {pairing}"


def test_no_news_prompt_at_the_first_launch(lab, lab_page):
    """A student's first ``make lab`` asks nothing: no "get notified about official Jupyter
    news?" toast, because the environment's defaults answer it (and ask no website).
    ``lab_page`` is the first time this server's app was loaded."""
    plugin = "@jupyterlab/apputils-extension:notification"
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/{plugin}", headers={"Authorization": f"token {lab.token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        # the server applies the environment's overrides.json to the schema's defaults
        defaults = json.loads(response.read())["schema"]["properties"]
    assert defaults["fetchNews"]["default"] == "false"
    assert defaults["checkForUpdates"]["default"] is False
    lab_page.wait_for_timeout(3000)  # the prompt comes once the app is restored
    toasts = lab_page.locator(".Toastify__toast").all_inner_texts()
    assert not [t for t in toasts if "news" in t.lower()], toasts


def test_kernels_print_no_encryption_warning(lab):
    log = lab.log.read_text()
    assert "Kernel started" in log
    assert "without encryption" not in log, "the kernel warns about unencrypted TCP"


def test_committed_notebooks_are_untouched(lab, git_status_before):
    assert _git_status() == git_status_before
