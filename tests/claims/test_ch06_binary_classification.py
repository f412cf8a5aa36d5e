"""Claims of chapter 06 (binary classification) about its trained classifier, seeds 0-9.

The chapter trains a 6-unit ``ShallowNet`` with the Bernoulli recipe: Adam, 600
full-batch steps, learning rate 0.03.
"""

from __future__ import annotations

from functools import cache

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds


@cache
def _data():
    return lr.data.binary_1d(num_points=200, seed=0, dtype=torch.float64)


RECIPE = lr.Bernoulli()


@cache
def _nets() -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=6, num_outputs=1),
        RECIPE,
        lambda s: _data(),
        steps=600,
        lr=0.03,
    )


@cache
def _trained(seed: int) -> dict[str, float]:
    torch.set_default_dtype(torch.float64)
    x, y = _data()
    recipe = RECIPE
    net, history = _nets()[seed]
    true_logits = torch.logit(lr.data.binary_probability(x[:, 0])).unsqueeze(1)
    grid = lr.plotting.predictive_grid(x, num=300)
    fraction = float(y.mean())
    constant = torch.full((len(y), 1), float(torch.logit(torch.tensor(fraction))))
    with torch.no_grad():
        lam = torch.sigmoid(net(grid)[:, 0])
        return {
            "final": history[-1],
            "truth": float(recipe.nll(true_logits, y, reduction="mean")),
            "constant": float(recipe.nll(constant, y, reduction="mean")),
            "lam_at_0": float(torch.sigmoid(net(torch.zeros(1, 1)))[0, 0]),
            "largest_beyond_1_8": float(lam[grid[:, 0] > 1.8].max()),
        }


def test_loss_ends_a_little_below_the_truth(claim):
    claim(
        "the trained loss ends below the true probabilities' loss, by less than 0.03",
        lambda seed: 0 < _trained(seed)["truth"] - _trained(seed)["final"] < 0.03,
    )


def test_unsure_near_zero(claim):
    claim(
        "near x = 0 it predicts neither label with confidence (lambda in (0.2, 0.8))",
        lambda seed: 0.2 < _trained(seed)["lam_at_0"] < 0.8,
    )


def test_stays_low_beyond_1_8(claim):
    claim(
        "beyond x = 1.8 the model stays low, below 0.1",
        lambda seed: _trained(seed)["largest_beyond_1_8"] < 0.1,
    )


def test_beats_the_constant_model(claim):
    claim(
        "the trained network's loss is below the constant model's",
        lambda seed: _trained(seed)["final"] < _trained(seed)["constant"],
    )
