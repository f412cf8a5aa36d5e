"""Chapter 10 (other kinds of output): what the prose says about trained models.

Every model is trained as the chapter trains it (data, network, steps, learning rate),
with the training seed replaced by each of the seeds 0-9.
"""

from __future__ import annotations

import math
from functools import cache

import torch

import lossrecipe as lr

from .batched import Fitted, fit_seeds

# Counts: a Poisson recipe, 32 hidden units, 200 steps.


POISSON = lr.Poisson()


@cache
def _count_nets() -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=32, num_outputs=1),
        POISSON,
        lambda s: lr.data.counts_1d(num_points=200, seed=0),
        steps=200,
        lr=0.05,
    )


@cache
def _counts(seed: int) -> dict[str, float]:
    x, y = lr.data.counts_1d(num_points=200, seed=0)
    recipe = POISSON
    net, history = _count_nets()[seed]
    grid = lr.plotting.predictive_grid(x, num=150)
    with torch.no_grad():
        truth_loss = float(recipe.nll(torch.log(lr.data.count_rate(x)), y, reduction="mean"))
        rate = recipe.params(net(grid))["rate"]
        fitted = recipe.params(net(x))["rate"]
    true_rate = lr.data.count_rate(grid[:, 0])
    which_bin = torch.clamp((x[:, 0] / 0.5).long(), max=3)
    mean_gap = max(
        float((y[which_bin == k].mean() - fitted[which_bin == k].mean()).abs())
        / float(fitted[which_bin == k].mean())
        for k in range(4)
    )
    return {
        "train": history[-1],
        "truth": truth_loss,
        "rate_error": float(((rate - true_rate).abs() / true_rate).max()),
        "bin_mean_gap": mean_gap,
    }


def test_counts(claim):
    claim(
        "the network's mean training loss is within 0.02 of the true rate's",
        lambda s: abs(_counts(s)["truth"] - _counts(s)["train"]) < 0.02,
    )
    claim(
        "its rate stays within 20% of the true rate over the whole range of x",
        lambda s: _counts(s)["rate_error"] < 0.2,
    )
    claim(
        "ex-10-dispersion: the means agree closely, within 12% in every bin",
        lambda s: _counts(s)["bin_mean_gap"] < 0.12,
    )


# Robust regression: Gaussian and Laplace losses, 8 hidden units, 200 steps.


ROBUST = {"Gaussian": lr.Gaussian(sigma=0.1), "Laplace": lr.Laplace(scale=0.1 / 2**0.5)}
DIRECTIONS = {"Gaussian": lr.Gaussian(sigma=0.5), "von Mises": lr.VonMises(4.0)}
DATA = {
    "outliers": lambda s: lr.data.outliers_1d(num_points=100, outlier_fraction=0.1, seed=0),
    "directions": lambda s: lr.data.directions_1d(num_points=200, concentration=4.0, seed=0),
}


@cache
def _eight_unit_nets(recipe: lr.Recipe, data: str) -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=8, num_outputs=1),
        recipe,
        DATA[data],
        steps=200,
        lr=0.05,
    )


@cache
def _robust(seed: int) -> dict[str, float]:
    x, y = lr.data.outliers_1d(num_points=100, outlier_fraction=0.1, seed=0)
    grid = lr.plotting.predictive_grid(x, num=150)
    out = {}
    for name, recipe in ROBUST.items():
        net = _eight_unit_nets(recipe, "outliers")[seed].net
        with torch.no_grad():
            gap = recipe.predict(net(grid)) - lr.data.linear_trend(grid[:, 0])
            residual = y - recipe.predict(net(x))
        out[f"{name} distance"] = float(gap.pow(2).mean().sqrt())
        out[f"{name} above"] = float((gap > 0).double().mean())
        out[f"{name} mean abs residual"] = float(residual.abs().mean())
        out[f"{name} rms residual"] = float(residual.pow(2).mean().sqrt())
    return out


def test_robust_regression(claim):
    claim(
        "the Laplace fit is closer to the true line than the Gaussian fit",
        lambda s: _robust(s)["Laplace distance"] < _robust(s)["Gaussian distance"],
    )
    claim(
        "the Gaussian fit lies above the true line over almost the whole range (>= 90%)",
        lambda s: _robust(s)["Gaussian above"] >= 0.9,
    )
    claim(
        "the Gaussian fit is about 0.4 above the line (RMS distance 0.35-0.5)",
        lambda s: 0.35 < _robust(s)["Gaussian distance"] < 0.5,
    )
    claim(
        "the Laplace fit stays within 0.06 of the line (RMS distance)",
        lambda s: _robust(s)["Laplace distance"] < 0.06,
    )

    def inflated(seed: int) -> bool:
        laplace_sd = math.sqrt(2) * _robust(seed)["Laplace mean abs residual"]
        gaussian_sd = _robust(seed)["Gaussian rms residual"]
        return laplace_sd > 3 * 0.1 and gaussian_sd > 1.5 * laplace_sd

    claim(
        "ex-10-laplace-scale: both SDs inflated (> 3 x 0.1), the Gaussian's much more "
        "(> 1.5 x sqrt(2) b_hat)",
        inflated,
    )


# Directions: Gaussian and von Mises losses, 8 hidden units, 200 steps.


@cache
def _directions(seed: int) -> dict[str, float]:
    x, y = lr.data.directions_1d(num_points=200, concentration=4.0, seed=0)
    grid = lr.plotting.predictive_grid(x, num=150)
    truth = lr.data.mean_direction(grid[:, 0])
    out = {}
    for name, recipe in DIRECTIONS.items():
        net = _eight_unit_nets(recipe, "directions")[seed].net
        with torch.no_grad():
            gap = recipe.predict(net(grid)) - truth
        out[name] = float(torch.atan2(torch.sin(gap), torch.cos(gap)).abs().mean())
    return out


def test_directions(claim):
    claim(
        "the von Mises fit's mean angle to the true direction is below the Gaussian's",
        lambda s: _directions(s)["von Mises"] < _directions(s)["Gaussian"],
    )
    claim(
        "the von Mises fit is within 0.05 rad of the true direction on average, the "
        "Gaussian fit more than 1 rad away",
        lambda s: _directions(s)["von Mises"] < 0.05 and _directions(s)["Gaussian"] > 1.0,
    )


# Two plausible answers: a heteroscedastic Gaussian (8 hidden units, 300 steps, lr 0.02)
# and a mixture of two Gaussians (16 hidden units, 600 steps, lr 0.01).


SINGLE, MIXTURE = lr.HeteroscedasticGaussian(), lr.GaussianMixture(num_components=2)


@cache
def _bimodal_nets(name: str) -> dict[int, Fitted]:
    recipe, hidden, steps, rate = {
        "single": (SINGLE, 8, 300, 0.02),
        "mixture": (MIXTURE, 16, 600, 0.01),
    }[name]
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=hidden, num_outputs=recipe.num_outputs),
        recipe,
        lambda s: lr.data.bimodal_1d(num_points=300, seed=0),
        steps=steps,
        lr=rate,
    )


@cache
def _bimodal(seed: int) -> dict[str, object]:
    x, y = lr.data.bimodal_1d(num_points=300, seed=0)
    x_test, y_test = lr.data.bimodal_1d(num_points=300, seed=1)
    out: dict[str, object] = {}
    single, mixture = SINGLE, MIXTURE
    net = _bimodal_nets("single")[seed].net
    with torch.no_grad():
        out["single"] = float(single.nll(net(x_test), y_test, reduction="mean"))
        out["near"] = int(((y - single.predict(net(x))).abs() < 0.3).sum())
    net = _bimodal_nets("mixture")[seed].net
    probe = torch.tensor([[0.5], [1.5]])
    grid = lr.plotting.predictive_grid(x, num=150)
    with torch.no_grad():
        out["mixture"] = float(mixture.nll(net(x_test), y_test, reduction="mean"))
        means = mixture.params(net(probe))["means"].sort(dim=1).values
        mode = mixture.predict(net(grid))
        theta = mixture.params(net(grid))
    height = theta["weights"] / theta["variances"].sqrt()  # w_k / sigma_k
    taller = theta["means"].gather(1, height.argmax(dim=1, keepdim=True))[:, 0]
    out["follows taller"] = bool(torch.equal(taller > 0, mode > 0))
    branch = lr.data.bimodal_branch(probe[:, 0])
    out["branch error"] = float((means - torch.stack([-branch, branch], dim=1)).abs().max())
    on_upper = mode > 0
    out["first upper"] = float(grid[on_upper.nonzero()[0, 0], 0]) if on_upper.any() else 9.0
    out["last lower"] = float(grid[(~on_upper).nonzero()[-1, 0], 0]) if not on_upper.all() else -9.0
    return out


def test_two_plausible_answers(claim):
    claim(
        "the mixture's held-out NLL beats the single Gaussian's by more than one nat",
        lambda s: _bimodal(s)["single"] - _bimodal(s)["mixture"] > 1.0,
    )
    claim(
        "almost no point lies near the single Gaussian's mean (< 5% within 0.3)",
        lambda s: _bimodal(s)["near"] < 15,
    )
    claim(
        "at x = 0.5 and 1.5 the mixture puts one component on each branch, within 0.2",
        lambda s: _bimodal(s)["branch error"] < 0.2,
    )

    def jumps_once(seed: int) -> bool:
        first_upper, last_lower = (
            _bimodal(seed)["first upper"],
            _bimodal(seed)["last lower"],
        )
        return last_lower < first_upper and 0.5 <= first_upper <= 1.1

    claim("predict jumps once, between x = 0.5 and x = 1.1", jumps_once)
    claim(
        "predict follows the taller peak, the component with the larger w_k / sigma_k",
        lambda s: _bimodal(s)["follows taller"],
    )


# Several outputs: one shared variance against one variance per output.


class SharedVarianceGaussian(lr.Recipe):
    """The chapter's recipe: D real outputs, D means and one shared variance."""

    def __init__(self, num_dims):
        super().__init__()
        self.num_dims = num_dims
        self.target_shape = (num_dims,)
        self.parameters = (
            lr.Parameter("mean", lr.links.Identity(), size=num_dims),
            lr.Parameter("variance", lr.links.Exp(), raw="log_variance"),
        )

    def distribution(self, outputs):
        theta = self.params(outputs)
        scale = theta["variance"].sqrt().unsqueeze(1).expand(-1, self.num_dims)
        normal = torch.distributions.Normal(theta["mean"], scale)
        return torch.distributions.Independent(normal, 1)

    def nll_terms(self, y, *, mean, log_variance):
        log_variance = log_variance.unsqueeze(1)
        squared = (y - mean) ** 2
        terms = squared * torch.exp(-log_variance) + log_variance + math.log(2 * math.pi)
        return 0.5 * terms.sum(dim=1)

    def predict(self, outputs):
        return self.params(outputs)["mean"]


HEIGHT_WEIGHT = {
    "shared": (SharedVarianceGaussian(2), [0, 1]),
    "per output": (lr.Independent(lr.HeteroscedasticGaussian(link="exp"), 2), [0, 2]),
}


@cache
def _height_weight_nets(name: str) -> dict[int, Fitted]:
    recipe, mean_columns = HEIGHT_WEIGHT[name]

    def start_at_the_mean(net, x, y):
        net.layers[-1].bias[mean_columns] = y.mean(dim=0)

    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=8, num_outputs=recipe.num_outputs),
        recipe,
        lambda s: lr.data.height_weight(num_points=300, seed=0),
        steps=600,
        lr=0.08,
        after_init=start_at_the_mean,
    )


@cache
def _height_weight(seed: int) -> dict[str, list[float]]:
    x_test, y_test = lr.data.height_weight(num_points=300, seed=1)
    out = {}
    for name, (recipe, _) in HEIGHT_WEIGHT.items():
        net = _height_weight_nets(name)[seed].net
        with torch.no_grad():
            dist = recipe.distribution(net(x_test)).base_dist
        out[f"{name} nll"] = (-dist.log_prob(y_test).mean(dim=0)).tolist()
        out[f"{name} sd"] = dist.stddev.mean(dim=0).tolist()
    return out


def test_several_outputs(claim):
    claim(
        "with one shared variance the fitted SD is close to the predicted 5.7 (within 0.5)",
        lambda s: all(abs(v - 5.7) < 0.5 for v in _height_weight(s)["shared sd"]),
    )

    def near_truth(seed: int) -> bool:
        height, weight = _height_weight(seed)["per output sd"]
        return abs(height / 0.07 - 1) < 0.1 and abs(weight / 8.0 - 1) < 0.1

    claim(
        "with one variance per output the SDs come out near the true 0.07 m and 8 kg (within 10%)",
        near_truth,
    )

    def gain(seed: int) -> float:
        return _height_weight(seed)["shared nll"][0] - _height_weight(seed)["per output nll"][0]

    claim(
        "the held-out loss of the height drops by almost four nats per example (3.5-4)",
        lambda s: 3.5 < gain(s) < 4.0,
    )
