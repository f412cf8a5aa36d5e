"""The package as a user installs it: the wheel, a fresh environment, the install cell.

``.venv`` installs ``lossrecipe`` in editable mode, which sees every file of the
repository and so hides a module that the wheel leaves out.  These tests look at what a
user gets instead (``make test-install``, part of ``make check``):

- ``python -m build`` makes an sdist and a wheel from a copy of the repository's files,
  and both hold every file git tracks under ``lossrecipe/`` (``py.typed`` included);
- the wheel, installed into a new virtual environment and run from a folder outside
  the repository, imports every name of ``lossrecipe.__all__``, computes every
  registry recipe's NLL and trains with ``lr.fit`` (``check_installed.py``);
- the student edition's install cell, run by IPython as it is written, installs the
  package from a local ``git+file://`` copy of the repository into another new
  environment, which then imports it.

The new environments reuse the dependencies installed here: a ``.pth`` file puts this
environment's site-packages on their path (a directory named in a ``.pth`` file is added
as it is; its own ``.pth`` files, the editable install's among them, are not run), and
pip, which then counts those packages as installed, runs with ``--no-index`` and without
build isolation.  Nothing is downloaded.
"""

import dataclasses
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import lossrecipe
from scripts import student_edition as se

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OFFLINE = {
    "PIP_NO_INDEX": "1",
    "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this negative option's variable inverted
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def _run(args, cwd, **env):
    """Run ``args`` in ``cwd`` without this repository on the path; fail with its output."""
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**clean, **OFFLINE, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _tracked(prefix="."):
    """The repository's files as git sees them (tracked, or new and not ignored)."""
    listing = _run(["git", "ls-files", "-co", "--exclude-standard", prefix], ROOT)
    return [name for name in listing.splitlines() if (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A copy of the repository's files, outside the repository, as a user's clone holds."""
    copy = tmp_path_factory.mktemp("source") / "loss-functions"
    for name in _tracked():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    return copy


@pytest.fixture(scope="module")
def dists(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source], out)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def _fresh_environment(path):
    """A new virtual environment whose path ends in this one's site-packages."""
    _run([sys.executable, "-m", "venv", "--without-pip", path], path.parent)
    python = path / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([python, "-c", code], path.parent).strip())
    (site / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Before the install the package must be missing there, or the tests prove nothing.
    probe = "import importlib.util; print(importlib.util.find_spec('lossrecipe'))"
    assert _run([python, "-c", probe], path.parent).strip() == "None"
    return python, site


def _check(python, site, cwd):
    """``check_installed.py`` run by ``python`` in ``cwd``, outside the repository."""
    return _run([python, HERE / "check_installed.py", ROOT / "tests/registry.py", site], cwd)


PACKAGE_FILES = [name for name in _tracked("lossrecipe") if "__pycache__" not in name]


def test_the_wheel_and_the_sdist_hold_every_file_of_the_package(dists):
    sdist, wheel = dists
    assert any(name.endswith(".py") for name in PACKAGE_FILES)
    assert "lossrecipe/py.typed" in PACKAGE_FILES
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    assert sorted(set(PACKAGE_FILES) - in_wheel) == []
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert sorted(set(PACKAGE_FILES) - in_sdist) == []
    # one source for the version: lossrecipe.__version__, read by the build
    assert wheel.name.startswith(f"lossrecipe-{lossrecipe.__version__}-")


def test_the_installed_wheel_works_outside_the_repository(dists, tmp_path):
    _, wheel = dists
    python, site = _fresh_environment(tmp_path / "env")
    _run([python, "-m", "pip", "install", "-q", "--no-deps", wheel], tmp_path)
    assert "20 steps of fit" in _check(python, site, tmp_path)


def test_the_install_cell_installs_the_package_from_the_repository(source, tmp_path):
    # The repository as a git remote: the copy, committed on the branch _config.yml names.
    book = se.load_book()
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    _run([*git, "init", "-q", "-b", book.repository_branch], source)
    _run([*git, "add", "-A"], source)
    _run([*git, "commit", "-q", "-m", "snapshot"], source)
    remote = tmp_path / "loss-functions.git"
    _run(["git", "clone", "-q", "--bare", source, remote], tmp_path)

    # file://localhost/...: the pip this environment has (23.2) refuses a file URL with
    # an empty host, file:///...
    url = f"file://localhost{remote.with_suffix('')}"
    cell = se.install_cell(dataclasses.replace(book, repository_url=url)).source
    assert f'%pip install -q "lossrecipe @ git+file://localhost{remote}@' in cell

    python, site = _fresh_environment(tmp_path / "env")
    # the cell exactly as the notebook holds it, run by IPython (which turns %pip into
    # `python -m pip ...` of this environment's python)
    _run([python, "-m", "IPython", "--quick", "--no-banner", "-c", cell], tmp_path)
    assert "20 steps of fit" in _check(python, site, tmp_path)
