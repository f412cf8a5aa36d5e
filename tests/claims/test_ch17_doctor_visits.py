"""Chapter 17's claims about its fitted models, for training seeds 0-9 and five splits.

Seed ``s`` trains on split ``s % 5`` (``tests/claims/real_data.py``), so every seed and
five train/test splits are covered; ``scripts/real_data_ranges.py`` checks the same
claims on all 50 combinations.  Each claim must hold for all ten seeds.
"""

from __future__ import annotations

import math

import pytest

from .conftest import SEEDS
from .real_data import RUNS, rand_hie

P, NB, ZIP = "Poisson", "negative binomial", "zero-inflated Poisson"


def _run(seed: int) -> dict:
    return rand_hie(RUNS)[seed]


def _expected(r: dict, name: str, count: int) -> float:
    return r[name]["expected"][count]


def _observed(r: dict, count: int) -> float:
    return r["observed"][count]


CLAIMS = [
    (
        "the scores agree on the order: negative binomial, zero-inflated Poisson, Poisson",
        lambda r: all(r[NB][k] < r[ZIP][k] < r[P][k] for k in ("NLL", "RPS", "D")),
    ),
    (
        "the negative binomial's NLL is about 0.9 nats below the Poisson's (0.8 to 1.05)",
        lambda r: 0.8 < r[P]["NLL"] - r[NB]["NLL"] < 1.05,
    ),
    (
        "the negative binomial's PIT histogram is close to flat (D < 0.05)",
        lambda r: r[NB]["D"] < 0.05,
    ),
    (
        "the Poisson's PIT is a U: about half its values in the outer fifth (over 0.4)",
        lambda r: r[P]["outer fifth"] > 0.4,
    ),
    (
        "the zero-inflated Poisson's PIT leans left (over 55% below 0.5) with a high last "
        "tenth (over 0.1)",
        lambda r: r[ZIP]["lower half"] > 0.55 and r[ZIP]["top tenth"] > 0.1,
    ),
    (
        "the Poisson expects far too few zeros (under a third) and too many counts 2 to 5",
        lambda r: (
            _expected(r, P, 0) < _observed(r, 0) / 3
            and all(_expected(r, P, k) > _observed(r, k) for k in range(2, 6))
        ),
    ),
    (
        "the zero-inflated Poisson gets the zeros right (within 5%) but expects under half "
        "the ones, and too many counts 3 to 6",
        lambda r: (
            abs(_expected(r, ZIP, 0) / _observed(r, 0) - 1) < 0.05
            and _expected(r, ZIP, 1) < _observed(r, 1) / 2
            and all(_expected(r, ZIP, k) > _observed(r, k) for k in range(3, 7))
        ),
    ),
    (
        "the negative binomial's rootogram bars end close to the line (within 3 for counts "
        "0 to 9), where the Poisson's bar at 0 misses it by more than 20",
        lambda r: (
            all(
                abs(math.sqrt(_expected(r, NB, k)) - math.sqrt(_observed(r, k))) < 3
                for k in range(10)
            )
            and math.sqrt(_observed(r, 0)) - math.sqrt(_expected(r, P, 0)) > 20
        ),
    ),
    (
        "the negative binomial expects more zeros than there are, fewer ones and twos",
        lambda r: (
            _expected(r, NB, 0) > _observed(r, 0)
            and _expected(r, NB, 1) < _observed(r, 1)
            and _expected(r, NB, 2) < _observed(r, 2)
        ),
    ),
    (
        "median dispersion about 1.4 (1.2 to 1.6); variance several times the mean (3 to 6)",
        lambda r: (
            1.2 < r[NB]["alpha median"] < 1.6
            and 3 < 1 + r[NB]["alpha median"] * r[NB]["mean median"] < 6
        ),
    ),
    (
        "at the medians the negative binomial's Pr(0) is many times the Poisson's (over 3)",
        lambda r: (
            (1 + r[NB]["alpha median"] * r[NB]["mean median"]) ** (-1 / r[NB]["alpha median"])
            > 3 * math.exp(-r[NB]["mean median"])
        ),
    ),
]


@pytest.mark.parametrize("sentence, holds", CLAIMS, ids=[f"claim{i}" for i in range(len(CLAIMS))])
def test_claim(claim, sentence, holds):
    claim(sentence, lambda seed: holds(_run(seed)), minimum=len(SEEDS))
