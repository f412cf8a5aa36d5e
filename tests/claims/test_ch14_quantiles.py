"""Chapter 14: the claims about the two quantile networks, for training seeds 0-9."""

from functools import cache

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds

LEVELS = (0.1, 0.9)


@cache
def _nets(level: float) -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=32, num_outputs=1),
        lr.Quantile(quantile=level),
        lambda s: lr.data.heteroscedastic_1d(num_points=400, seed=0),
        steps=600,
        lr=0.02,
    )


@cache
def _curves(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Held-out outputs and the 0.1- and 0.9-quantile curves, trained as in the chapter."""
    x_test, y_test = lr.data.heteroscedastic_1d(num_points=2000, seed=1)
    curves = []
    for level in LEVELS:
        net = _nets(level)[seed].net
        with torch.no_grad():
            curves.append(net(x_test)[:, 0])
    return y_test, curves[0], curves[1]


def test_coverage_of_the_band(claim):
    def holds(seed):
        y_test, lower, upper = _curves(seed)
        coverage = float(((lower <= y_test) & (y_test <= upper)).double().mean())
        return abs(coverage - 0.8) <= 0.05

    claim("the band holds within 5 percentage points of 80% of the held-out outputs", holds)


def test_fraction_below_each_curve(claim):
    def holds(seed):
        y_test, *curves = _curves(seed)
        fractions = [float((y_test < c).double().mean()) for c in curves]
        return all(abs(f - level) <= 0.03 for f, level in zip(fractions, LEVELS, strict=True))

    claim("each curve has within 3 points of its level below it", holds)
