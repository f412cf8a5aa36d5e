"""Chapter 16's claims about its fitted models, for training seeds 0-9 and five splits.

Seed ``s`` trains on split ``s % 5`` (``tests/claims/real_data.py``), so every seed and
five train/test splits are covered; ``scripts/real_data_ranges.py`` checks the same
claims on all 50 combinations.  Each claim must hold for all ten seeds.
"""

from __future__ import annotations

import pytest

from .conftest import SEEDS
from .real_data import RUNS, engel

C, H, G, Q = "constant Gaussian", "heteroscedastic Gaussian", "gamma", "quantile regression"


def _run(seed: int) -> dict:
    return engel(RUNS)[seed]


CLAIMS = [
    (
        "the two growing-spread models beat the constant variance by at least 0.15 nats",
        lambda r: r[C]["NLL"] - max(r[H]["NLL"], r[G]["NLL"]) > 0.15,
    ),
    (
        "the heteroscedastic Gaussian and the gamma tie: within 0.03 nats, the Gaussian ahead",
        lambda r: 0.0 <= r[G]["NLL"] - r[H]["NLL"] < 0.03,
    ),
    (
        "the CRPS orders them the same way: the constant variance's is the highest",
        lambda r: r[C]["CRPS"] > max(r[H]["CRPS"], r[G]["CRPS"]),
    ),
    (
        "the PIT gaps are small (below 0.2), the constant variance's the largest",
        lambda r: (
            max(r[C]["D"], r[H]["D"], r[G]["D"]) < 0.2 and r[C]["D"] > max(r[H]["D"], r[G]["D"])
        ),
    ),
    (
        "the constant Gaussian's 80% interval holds about nine in ten (0.85 to 0.95)",
        lambda r: 0.85 < r[C]["coverage"] < 0.95,
    ),
    (
        "the constant Gaussian's interval holds nearly every poorer household (at least 0.95)",
        lambda r: r[C]["coverage poorer"] >= 0.95,
    ),
    (
        "the gamma's and the heteroscedastic Gaussian's hold fewer than 0.8 of the poorer half",
        lambda r: r[G]["coverage poorer"] < 0.8 and r[H]["coverage poorer"] < 0.8,
    ),
    (
        "the constant Gaussian has the highest mean pinball loss of the four",
        lambda r: r[C]["pinball mean"] > max(r[k]["pinball mean"] for k in (H, G, Q)),
    ),
    (
        "quantile regression does as well on the pinball loss (within 0.0015 of the gamma)",
        lambda r: abs(r[Q]["pinball mean"] - r[G]["pinball mean"]) < 0.0015,
    ),
    (
        "the gamma's coefficient of variation: about a tenth at income 0.5, more at 2.0",
        lambda r: 0.09 < r["gamma cv"][0] < 0.13 and r["gamma cv"][1] > r["gamma cv"][0] + 0.03,
    ),
    (
        "its skewness 2 CV is only 0.2 to 0.4",
        lambda r: 0.2 <= 2 * r["gamma cv"][0] and 2 * r["gamma cv"][1] <= 0.4,
    ),
    ("the fitted sigma-hat is about 0.11 (0.10 to 0.12)", lambda r: 0.10 < r["sigma"] < 0.12),
]


@pytest.mark.parametrize("sentence, holds", CLAIMS, ids=[f"claim{i}" for i in range(len(CLAIMS))])
def test_claim(claim, sentence, holds):
    claim(sentence, lambda seed: holds(_run(seed)), minimum=len(SEEDS))
