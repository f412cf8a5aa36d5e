"""Chapter 01's statements about its trained networks, for training seeds 0-9.

The chapter trains a 6-unit ``ShallowNet`` on twenty points (noise sigma = 0.2) with
``lr.fit`` (Adam, lr 0.02, ``seed=1``): a "good" fit after 800 steps and a "poor" one
after 25, and compares both with the least-squares line.
"""

from __future__ import annotations

import functools
import math

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds

SIGMA = 0.2


@functools.cache
def _data():
    x, y = lr.data.regression_1d(num_points=20, sigma=SIGMA, seed=0)
    return x, y


@functools.cache
def _nets(steps: int) -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=6, num_outputs=1),
        lr.Gaussian(sigma=SIGMA),
        lambda s: _data(),
        steps=steps,
        lr=0.02,
    )


@functools.cache
def _fits(seed: int) -> dict[str, torch.Tensor]:
    """Predicted means at the training inputs: line, poor fit, good fit."""
    x, y = _data()
    design = torch.cat([torch.ones_like(x), x], dim=1)
    phi = torch.linalg.lstsq(design, y.unsqueeze(1)).solution[:, 0]
    good, poor = _nets(800)[seed].net, _nets(25)[seed].net
    with torch.no_grad():
        return {"line": phi[0] + phi[1] * x[:, 0], "poor": poor(x)[:, 0], "good": good(x)[:, 0]}


def _log_likes(seed: int, name: str) -> torch.Tensor:
    _, y = _data()
    mean = _fits(seed)[name]
    return torch.distributions.Normal(mean, SIGMA).log_prob(y)


def test_good_fit_has_the_largest_log_likelihood(claim):
    def holds(seed):
        total = {name: float(_log_likes(seed, name).sum()) for name in ("line", "poor", "good")}
        return total["good"] > max(total["line"], total["poor"])

    claim("the good fit has the largest log-likelihood (of line, poor fit, good fit)", holds)


def test_good_fit_nll_is_negative(claim):
    claim(
        "the good fit's negative log-likelihood is itself negative",
        lambda seed: float(-_log_likes(seed, "good").sum()) < 0,
    )


def test_most_good_fit_densities_exceed_one(claim):
    claim(
        "a density above one (most of the good fit's)",
        lambda seed: int((_log_likes(seed, "good") > 0).sum()) > 10,
    )


def test_most_points_more_likely_under_the_good_fit(claim):
    claim(
        "most points are more likely under the good fit than under the poor fit",
        lambda seed: int((_log_likes(seed, "good") > _log_likes(seed, "poor")).sum()) > 10,
    )


def test_good_fit_points_mostly_within_0_235(claim):
    distance = SIGMA * math.sqrt(-math.log(2 * math.pi * SIGMA**2))

    def holds(seed):
        _, y = _data()
        return int(((y - _fits(seed)["good"]).abs() < distance).sum()) > 10

    claim("the good fit's points lie mostly within 0.235 of its curve", holds)


def test_good_fit_puts_every_point_within_three_sigma(claim):
    def holds(seed):
        _, y = _data()
        return bool(((y - _fits(seed)["good"]).abs() < 3 * SIGMA).all())

    claim("good fit: every data point sits where its density is high (within 3 sigma)", holds)
