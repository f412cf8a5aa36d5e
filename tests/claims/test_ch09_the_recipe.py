"""Chapter 09, "Training it": the exponential recipe trained on waiting times.

The chapter trains ``ShallowNet(1, 6, 1)`` with ``fit(steps=500, lr=0.02, seed=1)`` on 300
waits drawn with data seed 0, and checks it on 5000 fresh waits drawn with data seed 1.
Here the data are the same and the training seed runs over 0-9.
"""

from __future__ import annotations

import functools

import torch

import lossrecipe as lr

from ..user_recipes import Exponential  # the chapter's recipe
from .batched import Fitted, fit_seeds


def true_rate(x):
    return torch.exp(0.5 + torch.cos(3.0 * x))


def draw_waits(num_points, seed):
    generator = torch.Generator().manual_seed(seed)
    x = torch.sort(2.0 * torch.rand(num_points, generator=generator)).values
    u = torch.rand(num_points, generator=generator)
    return x.unsqueeze(1), -torch.log1p(-u) / true_rate(x)


RECIPE = Exponential()


@functools.cache
def _nets() -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=6, num_outputs=1),
        RECIPE,
        lambda s: draw_waits(300, seed=0),
        steps=500,
        lr=0.02,
    )


@functools.cache
def trained(seed: int) -> dict[str, float]:
    """Train as the chapter does, with training seed ``seed``; return what the prose uses."""
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    x, y = draw_waits(300, seed=0)
    x_new, y_new = draw_waits(5000, seed=1)
    net, history = _nets()[seed]
    grid_x = torch.linspace(0.0, 2.0, 201).unsqueeze(1)
    with torch.no_grad():
        held_out = float(RECIPE.nll(net(x_new), y_new, reduction="mean"))
        predicted_mean = RECIPE.distribution(net(grid_x)).mean
    true_mean = 1.0 / true_rate(grid_x[:, 0])
    return {
        "train": history[-1],
        "train_truth": float(RECIPE.nll(torch.log(true_rate(x)), y, reduction="mean")),
        "held_out": held_out,
        "held_out_truth": float(RECIPE.nll(torch.log(true_rate(x_new)), y_new, reduction="mean")),
        "relative_error": float(((predicted_mean - true_mean).abs() / true_mean).mean()),
    }


def test_training_loss_is_below_the_truths(claim):
    claim(
        "on its own training data the trained network scores a little better than the "
        "true rates (0.60 vs 0.61 printed)",
        lambda seed: trained(seed)["train"] < trained(seed)["train_truth"],
    )


def test_held_out_loss_exceeds_the_truths_by_about_a_hundredth(claim):
    claim(
        "on 5000 new waits the trained network's mean loss exceeds the true rates' by "
        "about 0.01 nats (between 0 and 0.02)",
        lambda seed: 0.0 < trained(seed)["held_out"] - trained(seed)["held_out_truth"] < 0.02,
    )


def test_predicted_mean_wait_within_15_percent_on_average(claim):
    claim(
        "the predicted mean wait 1/lambda[x] is off by about 12% of the true one, "
        "averaged over the inputs (less than 15%)",
        lambda seed: trained(seed)["relative_error"] < 0.15,
    )
