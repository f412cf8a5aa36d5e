"""Chapter 12 (correlated outputs): what the prose says about the trained models.

Both models are trained as the chapter trains them (``correlated_2d`` with 300 pairs,
16 hidden units, 400 steps, learning rate 0.05), with the training seed replaced by
each of the seeds 0-9, and scored on the chapter's 2000 held-out pairs.
"""

from __future__ import annotations

import math
from functools import cache

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds

# The expected price of ignoring the correlation, -log(1 - rho^2) / 2 averaged over
# rho = 0.9 u, u uniform on [-1, 1] (the chapter's exercise, 0.195 nats per pair).
_U = torch.linspace(0.0, 1.0, 200001, dtype=torch.float64)
PRICE = float(torch.trapezoid(-0.5 * torch.log1p(-0.81 * _U**2), _U))


MODELS = {
    "full": lr.MultivariateGaussian(num_dims=2),
    "diagonal": lr.Independent(lr.HeteroscedasticGaussian(), 2),
}


@cache
def _nets(name: str) -> dict[int, Fitted]:
    model = MODELS[name]
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=16, num_outputs=model.num_outputs),
        model,
        lambda s: lr.data.correlated_2d(num_points=300, seed=0),
        steps=400,
        lr=0.05,
    )


@cache
def _fits(seed: int) -> dict[str, float]:
    x, y = lr.data.correlated_2d(num_points=300, seed=0)
    x_test, y_test = lr.data.correlated_2d(num_points=2000, seed=1)
    full = MODELS["full"]
    held_out = {}
    nets = {}
    for name, model in MODELS.items():
        nets[name] = _nets(name)[seed].net
        with torch.no_grad():
            held_out[name] = float(model.nll(nets[name](x_test), y_test, reduction="mean"))
    true_raw = torch.cat(
        [
            lr.data.correlated_mean(x_test[:, 0]),
            full.scale_link.inverse(lr.data.correlated_scale_tril(x_test[:, 0])),
        ],
        dim=1,
    )
    held_out["true"] = float(full.nll(true_raw, y_test, reduction="mean"))
    probe = torch.tensor([[0.2], [1.8]])
    with torch.no_grad():
        tril = full.params(nets["full"](probe))["scale_tril"]
    cov = tril @ tril.mT
    rho = cov[:, 0, 1] / torch.sqrt(cov[:, 0, 0] * cov[:, 1, 1])
    rho_error = float((rho - 0.9 * (probe[:, 0] - 1.0)).abs().max())
    return {**held_out, "rho_error": rho_error}


def test_the_price_is_the_chapters_number():
    assert math.isclose(PRICE, 0.195, abs_tol=5e-4)


def test_full_model_recovers_the_strong_correlations(claim):
    claim(
        "Where the correlation is strong, the full model finds it within 0.1 of the truth, "
        "-0.72 at x = 0.2 and +0.72 at x = 1.8",
        lambda seed: _fits(seed)["rho_error"] < 0.1,
    )


def test_full_model_is_close_to_the_truth_on_held_out_data(claim):
    claim(
        "The full model's held-out loss is within 0.1 of the true distribution's",
        lambda seed: 0.0 <= _fits(seed)["full"] - _fits(seed)["true"] < 0.1,
    )


def test_diagonal_model_pays_for_ignoring_the_correlation(claim):
    claim(
        "the diagonal model pays more than 0.15 nats per pair over the full one",
        lambda seed: _fits(seed)["diagonal"] - _fits(seed)["full"] > 0.15,
    )


def test_diagonal_model_pays_the_expected_price_plus_a_little(claim):
    claim(
        "the trained diagonal model pays the expected price over the truth, plus a little "
        "(less than 0.1) for its imperfect fit",
        lambda seed: PRICE < _fits(seed)["diagonal"] - _fits(seed)["true"] < PRICE + 0.1,
    )
