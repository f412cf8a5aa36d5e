"""Chapter 18's claims about its fitted models, for training seeds 0-9 and five splits.

Seed ``s`` trains on split ``s % 5`` (``tests/claims/real_data.py``), so every seed and
five train/test splits are covered; ``scripts/real_data_ranges.py`` checks the same
claims on all 50 combinations.  Each claim must hold for all ten seeds.
"""

from __future__ import annotations

import pytest

from .conftest import SEEDS
from .real_data import RUNS, anes96

G, CAT, ORD, FREQ = "Gaussian", "categorical", "ordinal", "class frequencies"


def _run(seed: int) -> dict:
    return anes96(RUNS)[seed]


def _gaps(r: dict) -> list[float]:
    c = r["cutpoints"]
    return [b - a for a, b in zip(c[:-1], c[1:], strict=True)]


CLAIMS = [
    (
        "the categorical and the ordinal model tie: within 0.03 nats, and 0.01 in RPS",
        lambda r: (
            abs(r[CAT]["NLL"] - r[ORD]["NLL"]) < 0.03 and abs(r[CAT]["RPS"] - r[ORD]["RPS"]) < 0.01
        ),
    ),
    (
        "both beat the class frequencies, by little: the best by 0 to 0.05 nats",
        lambda r: 0.0 < r[FREQ]["NLL"] - min(r[CAT]["NLL"], r[ORD]["NLL"]) < 0.05,
    ),
    (
        "the RPS improves on the class frequencies by a few percent (under 6%)",
        lambda r: 0.0 < 1 - min(r[CAT]["RPS"], r[ORD]["RPS"]) / r[FREQ]["RPS"] < 0.06,
    ),
    (
        "the Gaussian is worse on the NLL than the class frequencies (by over 0.05)",
        lambda r: r[G]["NLL"] > r[FREQ]["NLL"] + 0.05,
    ),
    (
        "the Gaussian's randomised PIT is the furthest from uniform "
        "(D over 0.1, others under 0.07)",
        lambda r: r[G]["D"] > 0.1 and max(r[k]["D"] for k in (CAT, ORD, FREQ)) < 0.07,
    ),
    (
        "the Gaussian expects too few partisans (0, 1, 5, 6) and too many answers 2 to 4",
        lambda r: (
            all(r[G]["expected"][k] < r["observed"][k] for k in (0, 1, 5, 6))
            and all(r[G]["expected"][k] > r["observed"][k] for k in (2, 3, 4))
        ),
    ),
    (
        "the Gaussian's sigma is about two points of the scale (2 to 2.5)",
        lambda r: 2 < r["sigma"] < 2.5,
    ),
    (
        "the independents' interval is the narrowest; the leaning answers' narrower than the "
        "weak partisans'",
        lambda r: (
            min(_gaps(r)) == _gaps(r)[2]
            and max(_gaps(r)[1], _gaps(r)[3]) < min(_gaps(r)[0], _gaps(r)[4])
        ),
    ),
    (
        "no held-out respondent gets a probability above 0.5 for any answer",
        lambda r: r["largest probability"] < 0.5,
    ),
]


@pytest.mark.parametrize("sentence, holds", CLAIMS, ids=[f"claim{i}" for i in range(len(CLAIMS))])
def test_claim(claim, sentence, holds):
    claim(sentence, lambda seed: holds(_run(seed)), minimum=len(SEEDS))
