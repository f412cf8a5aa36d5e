"""``fit_seeds`` trains each seed's network as ``lr.fit`` does, up to rounding."""

from __future__ import annotations

import pytest
import torch

import lossrecipe as lr

from .batched import fit_seeds

# Summing in another order changes a step's result by a few ulps, and training can
# amplify that; a wrong gradient or a shared Adam state changes the weights by 1e-3 or
# more.  A million ulps of float64 (2e-10) lies between the two.
TOLERANCE = 1e6 * torch.finfo(torch.float64).eps
SEEDS = [0, 3]


@pytest.mark.parametrize(
    "recipe, data",
    [
        (lr.HeteroscedasticGaussian(), lambda s: lr.data.heteroscedastic_1d(num_points=50, seed=s)),
        (lr.Categorical(3), lambda s: lr.data.multiclass_1d(num_points=50, seed=s)),
    ],
    ids=["hetero", "categorical"],
)
def test_fit_seeds_matches_fit_for_each_seed(recipe, data):
    make_net = lambda: lr.ShallowNet(1, 6, recipe.num_outputs)  # noqa: E731
    fitted = fit_seeds(make_net, recipe, data, steps=60, lr=0.05, seeds=SEEDS)
    for seed in SEEDS:
        net = make_net()
        x, y = data(seed)
        history = lr.fit(net, recipe, x, y, steps=60, lr=0.05, seed=seed)
        ours = fitted[seed]
        assert max(abs(a - b) for a, b in zip(ours.history, history, strict=True)) < TOLERANCE
        for a, b in zip(ours.net.parameters(), net.parameters(), strict=True):
            assert (a - b).abs().max() < TOLERANCE
