"""The held-out tables of chapters 16-18 over training seeds 0-9 and train/test splits 0-4.

Run: ``.venv/bin/python scripts/real_data_ranges.py`` (all three chapters, 50 runs each,
the ten seeds of one split trained together; about two minutes) or ``... 17`` for one.  For
each chapter it prints, per model, the range (minimum to maximum) over the 50 runs of the
held-out NLL, the proper score (CRPS or RPS) and the calibration figure of merit (the
uniformity gap ``D`` of the PIT or of the randomised PIT), and then whether each claim of
the chapter's claims module holds in every run: the claims test itself pairs seed ``s``
with split ``s % 5`` to stay cheap.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.claims import real_data  # noqa: E402

CHAPTERS = {
    "16": ("engel", "test_ch16_food_expenditure", "CRPS"),
    "17": ("rand_hie", "test_ch17_doctor_visits", "RPS"),
    "18": ("anes96", "test_ch18_party_identification", "RPS"),
}
SEEDS, SPLITS = range(10), range(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", default=sorted(CHAPTERS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    for chapter in args.chapters:
        function, module_name, score = CHAPTERS[chapter]
        table = getattr(real_data, function)
        runs = [run for split in SPLITS for run in table(tuple((s, split) for s in SEEDS)).values()]
        print(f"chapter {chapter}: {len(runs)} runs (seeds 0-9 x splits 0-4), held-out ranges")
        models = [name for name, row in runs[0].items() if isinstance(row, dict) and "NLL" in row]
        print(f"  {'model':26s} {'NLL':>15s} {score:>15s} {'D':>13s}")
        for name in models:
            cells = []
            for key in ("NLL", score, "D"):
                values = [run[name][key] for run in runs]
                cells.append(f"{min(values):6.3f} to {max(values):6.3f}")
            print(f"  {name:26s} " + "  ".join(cells))
        module = importlib.import_module(f"tests.claims.{module_name}")
        print("  claims, runs in which each holds:")
        for sentence, holds in module.CLAIMS:
            passed = sum(bool(holds(run)) for run in runs)
            print(f"  {passed:3d}/{len(runs)}  {sentence}")
        print()


if __name__ == "__main__":
    main()
