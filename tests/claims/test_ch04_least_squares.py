"""Chapter 04's statements about its trained networks, for initialisation seeds 0-9.

The chapter builds a 16-unit ``ShallowNet``, seeds torch and re-draws its weights with
the first layer's kinks between neighbouring training inputs, and trains two
copies for 400 full-batch Adam steps at lr 0.03 on sixty points (noise sigma = 0.2):
one by a plain mean-squared-error loop, one by ``lr.fit`` on the Gaussian NLL with
``seed=None`` (keeping the weights).
"""

from __future__ import annotations

import copy
import functools

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds

SIGMA = 0.2


@functools.cache
def _data():
    return lr.data.regression_1d(num_points=60, sigma=SIGMA, seed=0)


@functools.cache
def _nll_nets() -> dict[int, Fitted]:
    """``lr.fit(..., seed=None)`` from the re-drawn weights: ``fit_seeds`` draws the same."""
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=16, num_outputs=1),
        lr.Gaussian(sigma=SIGMA),
        lambda s: _data(),
        steps=400,
        lr=0.03,
    )


@functools.cache
def _fits(seed: int) -> dict[str, object]:
    x, y = _data()
    initial = lr.ShallowNet(num_inputs=1, num_hidden=16, num_outputs=1)
    torch.manual_seed(seed)
    lr.models.reset_parameters(initial, x)
    by_squares = copy.deepcopy(initial)
    optimiser = torch.optim.Adam(by_squares.parameters(), lr=0.03)
    for _ in range(400):
        optimiser.zero_grad()
        ((y - by_squares(x)[:, 0]) ** 2).mean().backward()
        optimiser.step()
    by_nll = _nll_nets()[seed].net
    grid = lr.plotting.predictive_grid(x, num=201)
    with torch.no_grad():
        gap = float((by_squares(grid) - by_nll(grid)).abs().max())
        residuals = y - by_nll(x)[:, 0]
    sigma_hat = float(residuals.pow(2).mean().sqrt())
    within = float((residuals.abs() < sigma_hat).double().mean())
    return {"gap": gap, "sigma_hat": sigma_hat, "within": within}


def _noise_rms() -> float:
    x, y = _data()
    return float((y - lr.data.regression_mean(x)[:, 0]).pow(2).mean().sqrt())


def test_both_ways_give_the_same_function(claim):
    # The chapter's own seed gives a gap below 1e-5 (asserted in the chapter); the
    # prose claims only "below 0.1" for other seeds (kinks crossing inputs can split
    # the two paths slightly).
    claim(
        "least squares and Gaussian NLL fits differ by less than 0.1 on the grid",
        lambda seed: _fits(seed)["gap"] < 0.1,
    )


def test_sigma_hat_is_below_the_noise_it_was_drawn_with(claim):
    claim(
        "sigma_hat is below 0.2 and below the RMS of the noise actually drawn",
        lambda seed: _fits(seed)["sigma_hat"] < min(SIGMA, _noise_rms()),
    )


def test_fraction_within_one_sigma_hat_is_close_to_68_percent(claim):
    claim(
        "the fraction of training points within one sigma_hat is within 0.1 of 68%",
        lambda seed: abs(_fits(seed)["within"] - 0.68) < 0.1,
    )
