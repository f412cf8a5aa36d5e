"""The held-out comparisons of chapters 16-18, for training seeds and train/test splits.

Each function rebuilds a chapter's data, split and models exactly as the chapter does, for
several runs at once: ``runs`` pairs each training seed (distinct within a call) with the
seed of ``lr.datasets.train_test_split`` (the chapter itself uses seed 0 with split 0), and
the function returns, for each training seed, the numbers the chapter's sentences are
about.  All runs' networks of one model are trained together by ``batched.fit_seeds`` (and
``batched.fit_further`` where the chapter trains a second time with a smaller learning
rate), each on its own split and on the path ``lr.fit`` gives it, up to rounding; the
held-out scores are then computed run by run.  The claims modules ``test_ch16_*``,
``test_ch17_*`` and ``test_ch18_*`` check those sentences over ``RUNS``, seeds 0-9 with
seed ``s`` on split ``s % 5``, so every seed and five splits are covered;
``scripts/real_data_ranges.py`` runs the full grid of 10 seeds times 5 splits (one call per
split) and prints each table's ranges.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

import lossrecipe as lr

from .batched import SEEDS, fit_further, fit_seeds

#: Pairs ``(training seed, split seed)``.
Runs = tuple[tuple[int, int], ...]

#: The claims' runs: seed ``s`` on split ``s % 5``.
RUNS: Runs = tuple((seed, seed % 5) for seed in SEEDS)


def _seeds_and_splits(runs: Runs) -> tuple[list[int], dict[int, int]]:
    """The runs' training seeds and the split of each; the seeds must be distinct."""
    split_of = dict(runs)
    if len(split_of) != len(runs):
        raise ValueError(f"runs: expected distinct training seeds, got {runs}")
    return list(split_of), split_of


def _train(
    make_net: Callable[[], nn.Module],
    recipe: lr.Recipe,
    data: Callable[[int], tuple[Tensor, Tensor]],
    seeds: list[int],
    schedule: tuple[tuple[int, float], ...],
) -> dict[int, nn.Module]:
    """Each seed's network trained as ``lr.fit(..., steps, lr, seed=seed)`` for the first
    ``(steps, lr)`` of ``schedule``, then ``lr.fit(..., seed=None)`` for each next one."""
    (steps, rate), *later = schedule
    fitted = fit_seeds(make_net, recipe, data, steps=steps, lr=rate, seeds=seeds)
    nets = {seed: fit.net for seed, fit in fitted.items()}
    for steps, rate in later:
        fit_further(nets, recipe, data, steps=steps, lr=rate)
    return nets


# --- chapter 16: Engel's food expenditure ------------------------------------------------------

ENGEL_LEVELS = (0.1, 0.5, 0.9)


class OnLogIncome(nn.Module):
    """Chapter 16's network: raw outputs phi_0 + phi_1 u, the first through exp if asked;
    a flat start with random intercepts."""

    def __init__(self, num_outputs: int, exp_first: bool = False) -> None:
        super().__init__()
        self.slope = nn.Parameter(torch.zeros(num_outputs))
        self.intercept = nn.Parameter(torch.zeros(num_outputs))
        self.exp_first = exp_first

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.slope.zero_()
            self.intercept.uniform_(-1.0, 1.0)

    def forward(self, u):
        raw = self.intercept + u * self.slope
        if self.exp_first:
            raw = torch.cat([torch.exp(raw[:, :1]), raw[:, 1:]], dim=1)
        return raw


ENGEL_SCHEDULE = ((250, 0.1), (100, 0.01))
LEAST_SQUARES = lr.Gaussian(sigma=1.0)
ENGEL_RECIPES = {
    "heteroscedastic Gaussian": lr.HeteroscedasticGaussian(link="exp"),
    "gamma": lr.Gamma(link="exp"),
}


def _engel_split(split: int) -> dict[str, Tensor]:
    income, food = lr.datasets.engel()
    x, y = income / 1000, food / 1000
    x_train, y_train, x_test, y_test = lr.datasets.train_test_split(
        x, y, test_fraction=0.3, seed=split
    )
    center, spread = torch.log(x_train).mean(), torch.log(x_train).std()
    u_train, u_test = (torch.log(x_train) - center) / spread, (torch.log(x_test) - center) / spread
    return {
        "x_train": x_train,
        "x_test": x_test,
        "u_train": u_train,
        "y_train": y_train,
        "u_test": u_test,
        "y_test": y_test,
        "center": center,
        "spread": spread,
    }


@functools.cache
def engel(runs: Runs) -> dict[int, dict]:
    seeds, split_of = _seeds_and_splits(runs)
    splits = {split: _engel_split(split) for split in set(split_of.values())}

    def data(seed: int) -> tuple[Tensor, Tensor]:
        split = splits[split_of[seed]]
        return split["u_train"], split["y_train"]

    def train(recipe: lr.Recipe, exp_first: bool) -> dict[int, nn.Module]:
        return _train(
            lambda: OnLogIncome(recipe.num_outputs, exp_first), recipe, data, seeds, ENGEL_SCHEDULE
        )

    nets = {
        "constant Gaussian": train(LEAST_SQUARES, True),
        "heteroscedastic Gaussian": train(ENGEL_RECIPES["heteroscedastic Gaussian"], True),
        "gamma": train(ENGEL_RECIPES["gamma"], False),
    }
    quantile_nets = {q: train(lr.Quantile(quantile=q), True) for q in ENGEL_LEVELS}
    return {
        seed: _engel_scores(
            splits[split],
            {name: by_seed[seed] for name, by_seed in nets.items()},
            {q: by_seed[seed] for q, by_seed in quantile_nets.items()},
        )
        for seed, split in runs
    }


def _engel_scores(split: dict[str, Tensor], nets: dict, quantile_nets: dict) -> dict:
    """One run's held-out table, from its split and its trained networks."""
    u_train, y_train = split["u_train"], split["y_train"]
    u_test, y_test = split["u_test"], split["y_test"]
    with torch.no_grad():
        residual = y_train - nets["constant Gaussian"](u_train)[:, 0]
        sigma_hat = float(residual.pow(2).mean().sqrt())
    recipes = {"constant Gaussian": lr.Gaussian(sigma=sigma_hat), **ENGEL_RECIPES}
    out: dict = {}
    torch.manual_seed(1)
    poorer = split["x_test"][:, 0] < split["x_train"][:, 0].median()
    with torch.no_grad():
        for name, recipe in recipes.items():
            dist = recipe.distribution(nets[name](u_test))
            draws = dist.sample((4000,))
            if isinstance(dist, torch.distributions.Normal):
                crps = lr.metrics.crps_gaussian(dist.mean, dist.stddev, y_test)
                predicted = torch.stack([dist.icdf(torch.tensor(q)) for q in ENGEL_LEVELS])
            else:
                crps = lr.metrics.crps_samples(draws, y_test)
                predicted = torch.quantile(draws, torch.tensor(ENGEL_LEVELS), dim=0)
            out[name] = {
                "NLL": float(-dist.log_prob(y_test).mean()),
                "CRPS": float(crps.mean()),
                "D": float(lr.metrics.uniformity_gap(lr.metrics.pit(dist, y_test))),
            }
            out[name].update(_interval_scores(predicted, y_test, poorer))
        predicted = torch.stack([quantile_nets[q](u_test)[:, 0] for q in ENGEL_LEVELS])
        out["quantile regression"] = _interval_scores(predicted, y_test, poorer)
        at = (torch.log(torch.tensor([[0.5], [2.0]])) - split["center"]) / split["spread"]
        alpha = recipes["gamma"].params(nets["gamma"](at))["concentration"]
    out["gamma cv"] = (1 / alpha.sqrt()).tolist()
    out["sigma"] = sigma_hat
    return out


def _interval_scores(predicted, y, poorer) -> dict:
    """Pinball losses at the three levels, the coverage of the 80% interval overall and in
    the poorer and richer halves."""
    covered = ((y >= predicted[0]) & (y <= predicted[2])).double()
    pinball = [
        float(lr.Quantile(quantile=q).nll(predicted[j].unsqueeze(1), y, reduction="mean"))
        + math.log(q * (1 - q))
        for j, q in enumerate(ENGEL_LEVELS)
    ]
    return {
        "pinball": pinball,
        "pinball mean": sum(pinball) / 3,
        "coverage": float(covered.mean()),
        "coverage poorer": float(covered[poorer].mean()),
        "coverage richer": float(covered[~poorer].mean()),
    }


# --- chapter 17: doctor visits ----------------------------------------------------------------


def count_probabilities(dist, num_counts: int = 150):
    """Chapter 17's Pr(y = k), k = 0..num_counts-1, with Pr(y >= K - 1) in the last column."""
    grid = torch.arange(float(num_counts)).unsqueeze(1).expand(-1, dist.batch_shape[0])
    probs = dist.log_prob(grid).exp().T
    probs[:, -1] = (1.0 - probs[:, :-1].sum(dim=1)).clamp(min=0.0)
    return probs


def standardised_split(data, test_fraction: float, split: int):
    """The chapter's train/test split, inputs standardised by the training rows' statistics."""
    x_train, y_train, x_test, y_test = lr.datasets.train_test_split(
        *data, test_fraction=test_fraction, seed=split
    )
    center, spread = x_train.mean(dim=0), x_train.std(dim=0)
    return (x_train - center) / spread, y_train, (x_test - center) / spread, y_test


COUNT_RECIPES = {
    "Poisson": lr.Poisson(),
    "negative binomial": lr.NegativeBinomial(),
    "zero-inflated Poisson": lr.ZeroInflatedPoisson(),
}


@functools.cache
def rand_hie(runs: Runs) -> dict[int, dict]:
    seeds, split_of = _seeds_and_splits(runs)
    data_set = lr.datasets.rand_hie()
    splits = {split: standardised_split(data_set, 0.5, split) for split in set(split_of.values())}

    def data(seed: int) -> tuple[Tensor, Tensor]:
        z_train, y_train, _, _ = splits[split_of[seed]]
        return z_train, y_train

    num_inputs = data_set[0].shape[1]
    fits = {
        name: fit_seeds(
            functools.partial(nn.Linear, num_inputs, recipe.num_outputs),
            recipe,
            data,
            steps=150,
            lr=0.1,
            seeds=seeds,
        )
        for name, recipe in COUNT_RECIPES.items()
    }
    return {
        seed: _rand_hie_scores(splits[split], {name: fits[name][seed] for name in COUNT_RECIPES})
        for seed, split in runs
    }


def _rand_hie_scores(split: tuple[Tensor, ...], fits: dict) -> dict:
    """One run's held-out table, from its split and its trained networks."""
    _, _, z_test, y_test = split
    out: dict = {}
    generator = torch.Generator().manual_seed(0)
    observed = torch.bincount(y_test.long(), minlength=150).double()
    for name, recipe in COUNT_RECIPES.items():
        net, history = fits[name]
        with torch.no_grad():
            dist = recipe.distribution(net(z_test))
            probs = count_probabilities(dist)
            u = lr.metrics.randomized_pit(dist, y_test, generator=generator)
            out[name] = {
                "train NLL": history[-1],
                "NLL": float(-dist.log_prob(y_test).mean()),
                "RPS": float(lr.metrics.ranked_probability_score(probs, y_test).mean()),
                "D": float(lr.metrics.uniformity_gap(u)),
                "outer fifth": float(((u < 0.1) | (u > 0.9)).double().mean()),
                "lower half": float((u < 0.5).double().mean()),
                "top tenth": float((u > 0.9).double().mean()),
                "expected": probs.sum(dim=0)[:10].tolist(),
            }
            if name == "negative binomial":
                theta = recipe.params(net(z_test))
                out[name]["alpha median"] = float(theta["dispersion"].median())
                out[name]["mean median"] = float(theta["mean"].median())
    out["observed"] = observed[:10].tolist()
    return out


# --- chapter 18: party identification --------------------------------------------------------


def discretised_gaussian(mean, sigma: float, num_classes: int = 7):
    """Chapter 18's class probabilities of a Gaussian: Pr(k) = Phi((k + 1/2 - mu) / sigma)
    - Phi((k - 1/2 - mu) / sigma), with the end classes open."""
    edges = torch.arange(num_classes - 1) + 0.5
    cdf = torch.distributions.Normal(mean.unsqueeze(1), sigma).cdf(edges)
    zeros, ones = torch.zeros_like(mean).unsqueeze(1), torch.ones_like(mean).unsqueeze(1)
    return torch.cat([zeros, cdf, ones], dim=1).diff(dim=1)


class ProportionalOdds(nn.Module):
    """Chapter 18's network for lr.Ordinal: a location linear in x, shared raw cutpoints."""

    def __init__(self, num_inputs: int, num_classes: int) -> None:
        super().__init__()
        self.location = nn.Linear(num_inputs, 1)
        self.raw_cutpoints = nn.Parameter(torch.zeros(num_classes - 1))

    def reset_parameters(self) -> None:
        nn.init.zeros_(self.raw_cutpoints)

    def forward(self, x):
        shared = self.raw_cutpoints.expand(x.shape[0], -1)
        return torch.cat([self.location(x), shared], dim=1)


ANES_SCHEDULE = ((200, 0.1), (100, 0.01))
ORDERED_RECIPES = {"categorical": lr.Categorical(7), "ordinal": lr.Ordinal(7)}


@functools.cache
def anes96(runs: Runs) -> dict[int, dict]:
    seeds, split_of = _seeds_and_splits(runs)
    data_set = lr.datasets.anes96()
    splits = {split: standardised_split(data_set, 0.3, split) for split in set(split_of.values())}

    def train(
        recipe: lr.Recipe, make_net: Callable[[], nn.Module], as_targets: Callable[[Tensor], Tensor]
    ) -> dict[int, nn.Module]:
        def data(seed: int) -> tuple[Tensor, Tensor]:
            z_train, y_train, _, _ = splits[split_of[seed]]
            return z_train, as_targets(y_train)

        return _train(make_net, recipe, data, seeds, ANES_SCHEDULE)

    nets = {
        "Gaussian": train(lr.Gaussian(sigma=1.0), lambda: nn.Linear(4, 1), lambda y: y.double()),
        "categorical": train(ORDERED_RECIPES["categorical"], lambda: nn.Linear(4, 7), lambda y: y),
        "ordinal": train(ORDERED_RECIPES["ordinal"], lambda: ProportionalOdds(4, 7), lambda y: y),
    }
    return {
        seed: _anes96_scores(splits[split], {name: by_seed[seed] for name, by_seed in nets.items()})
        for seed, split in runs
    }


def _anes96_scores(split: tuple[Tensor, ...], nets: dict) -> dict:
    """One run's held-out table, from its split and its trained networks."""
    z_train, y_train, z_test, y_test = split
    with torch.no_grad():
        gaussian = nets["Gaussian"]
        sigma_hat = float((y_train - gaussian(z_train)[:, 0]).pow(2).mean().sqrt())
        probs = {"Gaussian": discretised_gaussian(gaussian(z_test)[:, 0], sigma_hat)}
        for name, recipe in ORDERED_RECIPES.items():
            probs[name] = recipe.distribution(nets[name](z_test)).probs
        ordinal = ORDERED_RECIPES["ordinal"]
        cutpoints = ordinal.params(nets["ordinal"](z_test[:1]))["cutpoints"][0].tolist()
    frequencies = torch.bincount(y_train, minlength=7).double() / len(y_train)
    probs["class frequencies"] = frequencies.expand(len(y_test), -1)
    out: dict = {}
    generator = torch.Generator().manual_seed(0)
    observed = torch.bincount(y_test, minlength=7).double()
    for name, p in probs.items():
        dist = torch.distributions.Categorical(probs=p)
        u = lr.metrics.randomized_pit(dist, y_test, generator=generator)
        out[name] = {
            "NLL": float(-dist.log_prob(y_test).mean()),
            "RPS": float(lr.metrics.ranked_probability_score(p, y_test).mean()),
            "D": float(lr.metrics.uniformity_gap(u)),
            "expected": p.sum(dim=0).tolist(),
        }
    out["observed"] = observed.tolist()
    out["sigma"] = sigma_hat
    out["cutpoints"] = cutpoints
    out["Pr(6) range"] = (float(probs["ordinal"][:, 6].min()), float(probs["ordinal"][:, 6].max()))
    out["largest probability"] = float(probs["ordinal"].max())
    out["frequency 6"] = float(frequencies[6])
    return out


def worst(values) -> float:
    return max(values) if values else math.nan
