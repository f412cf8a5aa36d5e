"""``fit_seeds`` and ``fit_further`` train each seed's network as ``lr.fit`` does, up to
rounding."""

from __future__ import annotations

from functools import partial

import pytest
import torch

import lossrecipe as lr

from .batched import fit_further, fit_seeds
from .real_data import ProportionalOdds, standardised_split

# Summing in another order changes a step's result by a few ulps, and training can
# amplify that; a wrong gradient or a shared Adam state changes the weights by 1e-3 or
# more.  A million ulps of float64 (2e-10) lies between the two.
TOLERANCE = 1e6 * torch.finfo(torch.float64).eps
SEEDS = [0, 3]
HETERO = lr.HeteroscedasticGaussian()
# A loss for ``vmap``: no validation, which branches on values (and changes none).
BETA_NLL = partial(lr.beta_nll, HETERO.with_validation(False), beta=0.5, reduction="mean")


def hetero_data(seed):
    return lr.data.heteroscedastic_1d(num_points=50, seed=seed)


def _assert_close(ours, history, net):
    assert max(abs(a - b) for a, b in zip(ours.history, history, strict=True)) < TOLERANCE
    for a, b in zip(ours.net.parameters(), net.parameters(), strict=True):
        assert (a - b).abs().max() < TOLERANCE


@pytest.mark.parametrize(
    "recipe, data, loss",
    [
        (HETERO, hetero_data, None),
        (lr.Categorical(3), lambda s: lr.data.multiclass_1d(num_points=50, seed=s), None),
        (HETERO, hetero_data, BETA_NLL),
    ],
    ids=["hetero", "categorical", "beta-nll"],
)
def test_fit_seeds_matches_fit_for_each_seed(recipe, data, loss):
    make_net = lambda: lr.ShallowNet(1, 6, recipe.num_outputs)  # noqa: E731
    fitted = fit_seeds(make_net, recipe, data, steps=60, lr=0.05, seeds=SEEDS, loss=loss)
    for seed in SEEDS:
        net = make_net()
        x, y = data(seed)
        history = lr.fit(net, recipe, x, y, steps=60, lr=0.05, seed=seed, loss=loss)
        _assert_close(fitted[seed], history, net)


def party_data(seed):
    """Chapter 18's training split ``seed % 5`` (``real_data``): each seed its own rows."""
    z_train, y_train, _, _ = standardised_split(lr.datasets.anes96(), 0.3, seed % 5)
    return z_train, y_train


@pytest.mark.parametrize(
    "make_net, recipe, data",
    [
        (lambda: lr.ShallowNet(1, 6, 2), HETERO, hetero_data),
        (lambda: ProportionalOdds(4, 7), lr.Ordinal(7), party_data),
    ],
    ids=["hetero", "ordinal"],
)
def test_fit_further_matches_a_second_fit_with_a_fresh_adam(make_net, recipe, data):
    first = fit_seeds(make_net, recipe, data, steps=40, lr=0.05, seeds=SEEDS)
    nets = {seed: fitted.net for seed, fitted in first.items()}
    second = fit_further(nets, recipe, data, steps=30, lr=0.01)
    for seed in SEEDS:
        net = make_net()
        x, y = data(seed)
        lr.fit(net, recipe, x, y, steps=40, lr=0.05, seed=seed)
        history = lr.fit(net, recipe, x, y, steps=30, lr=0.01, seed=None)
        assert second[seed].net is nets[seed]
        _assert_close(second[seed], history, net)
