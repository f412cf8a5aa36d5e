"""Claims of chapter 07 (multiclass classification) about its trained model, seeds 0-9.

The chapter trains a 10-unit ``ShallowNet`` with three outputs and the Categorical
recipe: Adam, 500 full-batch steps, learning rate 0.02.
"""

from __future__ import annotations

import math
from functools import cache

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds


@cache
def _data():
    return lr.data.multiclass_1d(num_points=300, num_classes=3, seed=0, dtype=torch.float64)


RECIPE = lr.Categorical(num_classes=3)


@cache
def _nets() -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=10, num_outputs=3),
        RECIPE,
        lambda s: _data(),
        steps=500,
        lr=0.02,
    )


@cache
def _trained(seed: int) -> dict[str, float]:
    torch.set_default_dtype(torch.float64)
    x, y = _data()
    recipe = RECIPE
    net, history = _nets()[seed]
    frequencies = torch.bincount(y, minlength=3).double() / len(y)
    with torch.no_grad():
        probabilities = recipe.params(net(x))["probabilities"]
    return {
        "final": history[-1],
        "largest_class_1": float(probabilities[:, 1].max()),
        "uniform": math.log(3),
        "frequencies": float(-(frequencies * torch.log(frequencies)).sum()),
    }


def test_middle_class_never_certain(claim):
    claim(
        "the model's largest probability for class 1 stays under 0.95",
        lambda seed: _trained(seed)["largest_class_1"] < 0.95,
    )


def test_far_below_both_baselines(claim):
    claim(
        "the trained loss is below both baselines by more than 0.5 nats",
        lambda seed: (
            min(_trained(seed)["uniform"], _trained(seed)["frequencies"]) - _trained(seed)["final"]
            > 0.5
        ),
    )
