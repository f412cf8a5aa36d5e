"""Claims of chapter 05 (heteroscedastic regression) about its trained models, seeds 0-9.

The chapter trains a 32-unit ``ShallowNet`` with two outputs by the NLL (softplus link),
the same network with one output by least squares (then ``sigma_hat`` = RMS residual),
and, in an exercise, the two-output network by the beta-NLL with ``beta = 0.5``; each
with Adam, 600 full-batch steps, learning rate 0.005.
"""

from __future__ import annotations

import math
from functools import cache, partial

import torch

import lossrecipe as lr
from lossrecipe.beta_nll import beta_nll

from .batched import Fitted, Loss, fit_seeds

STEPS, LR, HIDDEN = 600, 0.005, 32


@cache
def _data():
    x, y = lr.data.heteroscedastic_1d(num_points=200, seed=0, dtype=torch.float64)
    x_test, y_test = lr.data.heteroscedastic_1d(num_points=1000, seed=1, dtype=torch.float64)
    return x, y, x_test, y_test


HETERO, MEAN_ONLY = lr.HeteroscedasticGaussian(), lr.Gaussian(sigma=0.2)
# The chapter's beta-NLL loss; without validation (it changes no value), as ``fit_seeds``
# needs for a loss.
BETA_NLL = partial(beta_nll, HETERO.with_validation(False), beta=0.5, reduction="mean")


@cache
def _nets(recipe: lr.Recipe, loss: Loss | None = None) -> dict[int, Fitted]:
    """The fits by the NLL, or by ``loss`` (``lr.fit``'s training, all seeds at once)."""
    x, y, _, _ = _data()
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=HIDDEN, num_outputs=recipe.num_outputs),
        recipe,
        lambda s: (x, y),
        steps=STEPS,
        lr=LR,
        loss=loss,
    )


@cache
def _models(seed: int) -> dict[str, float]:
    """Train the chapter's three models with ``seed``; return what the claims need."""
    torch.set_default_dtype(torch.float64)
    x, y, x_test, y_test = _data()
    recipe = HETERO
    hetero = _nets(HETERO)[seed].net
    mean_only = _nets(MEAN_ONLY)[seed].net
    beta_net = _nets(HETERO, BETA_NLL)[seed].net

    true_mean = lr.data.regression_mean(x_test[:, 0])
    true_dist = torch.distributions.Normal(true_mean, lr.data.growing_sigma(x_test[:, 0]))
    grid = lr.plotting.predictive_grid(x, num=201)
    with torch.no_grad():
        sigma_hat = float(((y - mean_only(x)[:, 0]) ** 2).mean().sqrt())
        constant = lr.Gaussian(sigma=sigma_hat)
        sd_error = recipe.distribution(hetero(grid)).stddev - lr.data.growing_sigma(grid[:, 0])
        worst = int(sd_error.abs().argmax())

        def mean_error(net):
            return float(((net(x_test)[:, 0] - true_mean) ** 2).mean().sqrt())

        return {
            "sigma_hat": sigma_hat,
            "nll_constant": float(constant.nll(mean_only(x_test), y_test, reduction="mean")),
            "nll_hetero": float(recipe.nll(hetero(x_test), y_test, reduction="mean")),
            "nll_beta": float(recipe.nll(beta_net(x_test), y_test, reduction="mean")),
            "nll_truth": float(-true_dist.log_prob(y_test).mean()),
            "error_constant": mean_error(mean_only),
            "error_hetero": mean_error(hetero),
            "error_beta": mean_error(beta_net),
            "largest_sd_error": float(sd_error[worst]),
            "where_largest": float(grid[worst, 0]),
        }


def test_recovers_sigma(claim):
    claim(
        "the predicted sigma[x] follows the true sigma[x] within 0.1 across the range",
        lambda seed: abs(_models(seed)["largest_sd_error"]) < 0.1,
    )


def test_largest_sigma_error_is_an_overestimate_between_half_and_one(claim):
    claim(
        "its largest error is an overestimate between about x = 0.5 and 1",
        lambda seed: (
            _models(seed)["largest_sd_error"] > 0 and 0.5 <= _models(seed)["where_largest"] <= 1.0
        ),
    )


def test_means_of_similar_accuracy(claim):
    claim(
        "the two means' errors differ by less than 0.02",
        lambda seed: abs(_models(seed)["error_hetero"] - _models(seed)["error_constant"]) < 0.02,
    )


def test_heteroscedastic_beats_constant_on_held_out_nll(claim):
    claim(
        "the heteroscedastic held-out mean NLL is more than 0.15 nats below the constant's",
        lambda seed: _models(seed)["nll_constant"] - _models(seed)["nll_hetero"] > 0.15,
    )


def test_heteroscedastic_close_to_truth(claim):
    claim(
        "the heteroscedastic held-out mean NLL is within 0.1 of the true distribution's",
        lambda seed: abs(_models(seed)["nll_hetero"] - _models(seed)["nll_truth"]) < 0.1,
    )


def test_sigma_hat_is_about_0_28(claim):
    claim(
        "the constant model's sigma_hat is about 0.28 (rounds to 0.28)",
        lambda seed: round(_models(seed)["sigma_hat"], 2) == 0.28,
    )


def test_constant_model_loses_over_a_nat_near_zero(claim):
    def extra_cost_at_zero(seed):
        s, sigma = _models(seed)["sigma_hat"], 0.05
        return math.log(s / sigma) + sigma**2 / (2 * s**2) - 0.5

    claim(
        "the constant model loses well over a nat per point near x = 0",
        lambda seed: extra_cost_at_zero(seed) > 1.0,
    )


def test_beta_nll_neither_clearly_better(claim):
    claim(
        "beta = 0.5 vs the NLL: held-out NLLs differ by < 0.02, errors of the mean by < 0.01",
        lambda seed: (
            abs(_models(seed)["nll_beta"] - _models(seed)["nll_hetero"]) < 0.02
            and abs(_models(seed)["error_beta"] - _models(seed)["error_hetero"]) < 0.01
        ),
    )
