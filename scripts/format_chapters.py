"""Format the code cells of the chapters with ``ruff format`` (line length 88).

Usage: ``python scripts/format_chapters.py [--check] book/NN_name.md ...`` (default: every
chapter).  Each code cell of the MyST notebook is formatted on its own and written back
in place; the markdown and the cell options (the YAML between ``---`` lines) are left
byte for byte as they were (a jupytext round trip would reflow the captions).  With
``--check`` nothing is written and the exit status is 1 if any cell would change.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE_LENGTH = 88
RUFF = Path(sys.executable).parent / "ruff"
CODE_CELL = re.compile(
    r"(^```\{code-cell\}[^\n]*\n(?:---\n.*?^---\n)?)(.*?)(^```[ \t]*$)", re.S | re.M
)


def format_source(source: str, name: str) -> str:
    """``source`` as ``ruff format --line-length 88`` writes it (IPython magics kept)."""
    result = subprocess.run(
        [
            str(RUFF),
            "format",
            "--isolated",
            f"--line-length={LINE_LENGTH}",
            "--stdin-filename",
            f"{name}.py",
            "-",
        ],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{name}: ruff format failed:\n{result.stderr}")
    return result.stdout.rstrip("\n")


def format_chapter(path: Path, check: bool) -> list[int]:
    """Format every code cell of ``path``; return the line numbers of the cells that changed."""
    text = path.read_text()
    changed: list[int] = []

    def replace(match: re.Match[str]) -> str:
        source = match.group(2)
        if not source.strip():
            return match.group(0)
        formatted = format_source(source, f"{path.stem}-{match.start()}") + "\n"
        if formatted != source:
            changed.append(match.start())
        return match.group(1) + formatted + match.group(3)

    new_text = CODE_CELL.sub(replace, text)
    if changed and not check:
        path.write_text(new_text)
    return [text.count("\n", 0, offset) + 1 for offset in changed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not write")
    parser.add_argument("chapters", nargs="*", type=Path)
    args = parser.parse_args()
    chapters = args.chapters or sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
    unformatted = 0
    for path in chapters:
        changed = format_chapter(path, args.check)
        if changed:
            unformatted += 1
            verb = "would reformat" if args.check else "reformatted"
            print(f"{path.name}: {verb} the code cells at lines {changed}")
    if args.check and unformatted:
        raise SystemExit(f"{unformatted} chapter(s) not formatted: run make format-chapters")


if __name__ == "__main__":
    main()
