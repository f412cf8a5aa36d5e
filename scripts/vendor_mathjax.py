"""Vendor the part of MathJax 3 the site needs, so every page renders math offline.

Fetches ``mathjax@3.2.2`` from the npm registry (``npm pack``), checks the tarball
against its pinned SHA-256, and copies a subset into ``book/_extra/_static/mathjax/``:
``tex-chtml.js`` (TeX input, CommonHTML output, the menu), every TeX extension (the
``autoload`` package fetches e.g. ``boldsymbol`` from there on first use), the
woff-v2 fonts and the Apache-2.0 licence.  ``_config.yml`` serves that folder through
``html_extra_path`` and points ``mathjax_path`` at ``mathjax/tex-chtml.js``.

It also writes ``MANIFEST.sha256`` beside the files; ``--check`` verifies the
committed files against it (no network), which the tests do.

    python scripts/vendor_mathjax.py            # fetch with npm, verify, (re)write
    python scripts/vendor_mathjax.py --tarball mathjax-3.2.2.tgz
    python scripts/vendor_mathjax.py --check    # committed files match the manifest
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "3.2.2"
TARBALL_SHA256 = "1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "book" / "_extra" / "_static" / "mathjax"
MANIFEST = "MANIFEST.sha256"
# Paths inside the npm package (under "package/") and whether they are folders.
SUBSET = {
    "LICENSE": False,
    "es5/tex-chtml.js": False,
    "es5/input/tex/extensions": True,
    "es5/output/chtml/fonts/woff-v2": True,
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(workdir: Path) -> Path:
    """Download the pinned package tarball into ``workdir`` with ``npm pack``."""
    out = subprocess.run(
        ["npm", "pack", f"mathjax@{VERSION}", "--silent", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    return workdir / out.stdout.strip().splitlines()[-1]


def extract_subset(tarball: Path, target: Path) -> list[str]:
    """Unpack the subset into ``target`` (emptied first); return the files written."""
    digest = sha256(tarball)
    if digest != TARBALL_SHA256:
        sys.exit(f"{tarball}: SHA-256 {digest}, expected {TARBALL_SHA256} (mathjax@{VERSION})")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        meta = json.loads((package / "package.json").read_text())
        if meta["version"] != VERSION:
            sys.exit(f"package.json says version {meta['version']}, expected {VERSION}")
        if target.exists():
            shutil.rmtree(target)
        for rel, is_dir in SUBSET.items():
            # es5/... lands at the top of mathjax/, as MathJax resolves [mathjax]/... there.
            dest = target / rel.removeprefix("es5/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if is_dir:
                shutil.copytree(package / rel, dest)
            else:
                shutil.copyfile(package / rel, dest)
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    lines = [f"{sha256(target / f)}  {f}" for f in files]
    header = f"# mathjax@{VERSION} from the npm registry, tarball sha256 {TARBALL_SHA256}\n"
    (target / MANIFEST).write_text(header + "\n".join(lines) + "\n")
    return files


def check(target: Path) -> list[str]:
    """Problems with the vendored files: missing, changed or unlisted (empty if none)."""
    manifest = target / MANIFEST
    if not manifest.exists():
        return [f"{manifest} is missing; run scripts/vendor_mathjax.py"]
    expected = {}
    for line in manifest.read_text().splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split("  ", 1)
            expected[name] = digest
    found = {
        p.relative_to(target).as_posix()
        for p in target.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    problems = [f"missing: {name}" for name in sorted(set(expected) - found)]
    problems += [f"not in the manifest: {name}" for name in sorted(found - set(expected))]
    problems += [
        f"changed: {name}"
        for name in sorted(found & set(expected))
        if sha256(target / name) != expected[name]
    ]
    for required in ("LICENSE", "tex-chtml.js", "input/tex/extensions/boldsymbol.js"):
        if required not in expected:
            problems.append(f"the manifest lacks {required}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="use this mathjax-3.2.2.tgz, not npm")
    parser.add_argument("--check", action="store_true", help="verify the committed files")
    args = parser.parse_args()
    if args.check:
        problems = check(TARGET)
        for problem in problems:
            print(problem)
        sys.exit(1 if problems else 0)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or npm_pack(Path(tmp))
        files = extract_subset(tarball, TARGET)
    size = sum((TARGET / f).stat().st_size for f in files)
    print(
        f"mathjax@{VERSION}: {len(files)} files, {size / 1e6:.1f} MB in {TARGET.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
