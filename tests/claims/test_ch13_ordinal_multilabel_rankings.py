"""Claims of chapter 13 (ordered classes, many labels, rankings) about trained models."""

from __future__ import annotations

import functools
import math

import torch
from torch import nn

import lossrecipe as lr

from .batched import Fitted, fit_seeds


class SharedCutpoints(lr.ShallowNet):
    """The chapter's network: a shallow net for eta[x] and K - 1 shared raw cutpoints."""

    def __init__(self, num_hidden: int, num_classes: int) -> None:
        super().__init__(num_inputs=1, num_hidden=num_hidden, num_outputs=1)
        self.raw_cutpoints = nn.Parameter(torch.zeros(num_classes - 1))

    def reset_parameters(self) -> None:
        nn.init.zeros_(self.raw_cutpoints)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        location = super().forward(x)
        return torch.cat([location, self.raw_cutpoints.expand(len(x), -1)], dim=1)


def _true_rating_outputs(x: torch.Tensor) -> torch.Tensor:
    cut = torch.tensor(lr.data.ORDINAL_CUTPOINTS).expand(len(x), -1)
    raw = lr.recipes.classes.OrderedCutpoints().inverse(cut)
    return torch.cat([lr.data.ordinal_location(x), raw], dim=1)


RATINGS = {
    "ordinal": (lr.Ordinal(5), lambda: SharedCutpoints(8, 5)),
    "softmax": (lr.Categorical(5), lambda: lr.ShallowNet(1, 8, 5)),
}


@functools.cache
def _rating_nets(name: str) -> dict[int, Fitted]:
    recipe, make_net = RATINGS[name]
    data = lambda s: lr.data.ordinal_1d(num_points=60, seed=0)  # noqa: E731
    return fit_seeds(make_net, recipe, data, steps=200, lr=0.05)


@functools.cache
def _ratings(seed: int) -> dict[str, float]:
    """Train and held-out mean NLL of both rating models, and of the true model."""
    x, y = lr.data.ordinal_1d(num_points=60, seed=0)
    x_test, y_test = lr.data.ordinal_1d(num_points=2000, seed=1)
    result = {}
    for name, (recipe, _) in RATINGS.items():
        net = _rating_nets(name)[seed].net
        with torch.no_grad():
            result[name] = float(recipe.nll(net(x_test), y_test, reduction="mean"))
            result[name + "_train"] = float(recipe.nll(net(x), y, reduction="mean"))
    true = lr.Ordinal(5).nll(_true_rating_outputs(x_test), y_test, reduction="mean")
    result["true"] = float(true)
    return result


def test_the_cumulative_model_predicts_new_ratings_better(claim):
    claim(
        "the softmax predicts new ratings worse than the cumulative model "
        "(held-out NLL higher by more than 0.1)",
        lambda seed: _ratings(seed)["softmax"] > _ratings(seed)["ordinal"] + 0.1,
    )


def test_the_softmax_fits_its_training_ratings_more_closely(claim):
    claim(
        "the softmax fits its 60 training examples more closely",
        lambda seed: _ratings(seed)["softmax_train"] < _ratings(seed)["ordinal_train"],
    )


def test_the_cumulative_model_is_close_to_the_truth(claim):
    claim(
        "the cumulative model's held-out NLL is within 0.2 of the true model's",
        lambda seed: _ratings(seed)["ordinal"] < _ratings(seed)["true"] + 0.2,
    )


TAGGER = lr.Independent(lr.Bernoulli(), num_dims=3)


@functools.cache
def _tag_nets() -> dict[int, Fitted]:
    data = lambda s: lr.data.multilabel_1d(num_points=300, seed=0)  # noqa: E731
    return fit_seeds(lambda: lr.ShallowNet(1, 8, 3), TAGGER, data, steps=300, lr=0.05)


@functools.cache
def _tags(seed: int) -> tuple[float, float]:
    """Largest error of a fitted tag probability on the grid; Pr(tags 0, 1 disagree) at x=1."""
    tagger = TAGGER
    net = _tag_nets()[seed].net
    probe = torch.linspace(0.05, 1.95, 39).unsqueeze(1)
    with torch.no_grad():
        fitted = tagger.params(net(probe))["probability"]
        p = tagger.params(net(torch.tensor([[1.0]])))["probability"][0]
    error = float((fitted - lr.data.tag_probabilities(probe[:, 0])).abs().max())
    return error, float(p[0] * (1 - p[1]) + (1 - p[0]) * p[1])


def test_each_tag_probability_is_learned(claim):
    claim(
        "each tag's probability is learned within 0.2 of the truth everywhere",
        lambda seed: _tags(seed)[0] < 0.2,
    )


def test_the_independent_model_says_the_copied_tags_disagree_half_the_time(claim):
    claim(
        "at x = 1 the model says tags 0 and 1 disagree with probability about 0.5",
        lambda seed: 0.4 < _tags(seed)[1] < 0.6,
    )


RANKER = lr.PlackettLuce(4)


@functools.cache
def _ranking_nets(name: str) -> dict[int, Fitted]:
    x, y = lr.data.rankings_1d(num_points=200, seed=0)
    target = y if name == "full" else y[:, :2]
    return fit_seeds(
        lambda: lr.ShallowNet(1, 8, 4), RANKER, lambda s: (x, target), steps=300, lr=0.05
    )


@functools.cache
def _rankings(seed: int) -> dict[str, float]:
    x, y = lr.data.rankings_1d(num_points=200, seed=0)
    x_test, y_test = lr.data.rankings_1d(num_points=2000, seed=1)
    ranker = RANKER
    result = {}
    for name in ("full", "top2"):
        net = _ranking_nets(name)[seed].net
        with torch.no_grad():
            result[name] = float(ranker.nll(net(x_test), y_test, reduction="mean"))
    result["true"] = float(ranker.nll(lr.data.item_scores(x_test[:, 0]), y_test, reduction="mean"))
    return result


def test_fitted_scores_predict_rankings_almost_as_well_as_the_truth(claim):
    claim(
        "the fitted scores predict new rankings almost as well as the true ones "
        "(held-out NLL within 0.1)",
        lambda seed: _rankings(seed)["full"] < _rankings(seed)["true"] + 0.1,
    )


def test_fitted_scores_beat_guessing(claim):
    claim(
        "and far better than guessing (held-out NLL below log 4! - 0.5)",
        lambda seed: _rankings(seed)["full"] < math.log(24) - 0.5,
    )


def test_top_two_lists_teach_almost_as_much(claim):
    claim(
        "trained on top-2 lists, the held-out NLL of full rankings is within 0.1 of "
        "the model trained on full rankings",
        lambda seed: abs(_rankings(seed)["top2"] - _rankings(seed)["full"]) < 0.1,
    )
