"""Claims of chapter 15 (scoring rules and calibration) about trained models, seeds 0-9."""

from __future__ import annotations

import functools
import math

import torch
from torch import nn

import lossrecipe as lr

from .batched import Fitted, fit_further, fit_seeds


def _uniformity_gap(u: torch.Tensor) -> float:
    ordered = torch.sort(u).values
    n = len(ordered)
    above = torch.arange(1, n + 1) / n - ordered
    below = ordered - torch.arange(0, n) / n
    return float(torch.maximum(above, below).max())


def _ks_p_value(gap: float, n: int) -> float:
    """Pr(D >= gap) for n uniform values, from Kolmogorov's limit law (as the chapter)."""
    lam = math.sqrt(n) * gap
    return 2 * sum((-1) ** (k - 1) * math.exp(-2 * (k * lam) ** 2) for k in range(1, 101))


def _outer_fifth(u: torch.Tensor) -> float:
    """Share of PIT values below 0.1 or above 0.9 (0.2 for uniform values)."""
    return float(((u < 0.1) | (u > 0.9)).double().mean())


@functools.cache
def _regression_data():
    with torch.random.fork_rng():
        torch.set_default_dtype(torch.float64)
        x, y = lr.data.heteroscedastic_1d(num_points=200, seed=0, dtype=torch.float64)
        x_test, y_test = lr.data.heteroscedastic_1d(num_points=1000, seed=1, dtype=torch.float64)
    return x, y, x_test, y_test


HETERO = lr.HeteroscedasticGaussian()
# name: recipe, hidden units, training rows (every one, or every tenth), steps, lr
FITS = {
    "hetero": (HETERO, 32, 1, 400, 0.05),
    "mean_only": (lr.Gaussian(sigma=1.0), 32, 1, 400, 0.05),
    "overfit": (HETERO, 64, 10, 1000, 0.002),
}


@functools.cache
def _nets(name: str) -> dict[int, Fitted]:
    recipe, hidden, every, steps, rate = FITS[name]
    x, y, _, _ = _regression_data()
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=hidden, num_outputs=recipe.num_outputs),
        recipe,
        lambda s: (x[::every], y[::every]),
        steps=steps,
        lr=rate,
    )


@functools.cache
def _regression(seed: int) -> dict[str, dict[str, float]]:
    """The chapter's three fits, trained with ``seed``, and their scores."""
    x, y, x_test, y_test = _regression_data()
    recipe = HETERO
    hetero = _nets("hetero")[seed].net
    mean_only = _nets("mean_only")[seed].net
    with torch.no_grad():
        sigma_hat = float(((y - mean_only(x)[:, 0]) ** 2).mean().sqrt())
    constant = lr.Gaussian(sigma=sigma_hat)
    x_few, y_few = x[::10], y[::10]
    overfit = _nets("overfit")[seed].net
    fits = {
        "hetero": (recipe, hetero, x, y),
        "constant": (constant, mean_only, x, y),
        "overfit": (recipe, overfit, x_few, y_few),
    }
    left = x_test[:, 0] < 1.0
    with torch.no_grad():
        sd_few = recipe.distribution(overfit(x_few)).stddev
    sd_ratio = float((sd_few / lr.data.growing_sigma(x_few[:, 0])).median())
    y_typo = y_test.clone()
    y_typo[0] += 3.0
    out = {}
    with torch.no_grad():
        for name, (rec, net, x_train, y_train) in fits.items():
            predicted = rec.distribution(net(x_test))
            u = lr.metrics.pit(predicted, y_test)
            mean, std = predicted.mean, predicted.stddev
            out[name] = {
                "train": float(rec.nll(net(x_train), y_train, reduction="mean")),
                "test": float(-predicted.log_prob(y_test).mean()),
                "crps": float(lr.metrics.crps_gaussian(mean, std, y_test).mean()),
                "gap": _uniformity_gap(u),
                "gap_p": _ks_p_value(_uniformity_gap(u), len(u)),
                "gap_left": _uniformity_gap(u[left]),
                "gap_right": _uniformity_gap(u[~left]),
                "tails": _outer_fifth(u),
                "tails_left": _outer_fifth(u[left]),
                "tails_right": _outer_fifth(u[~left]),
                "test_typo": float(-predicted.log_prob(y_typo).mean()),
                "crps_typo": float(lr.metrics.crps_gaussian(mean, std, y_typo).mean()),
            }
    out["overfit"]["sd_ratio"] = sd_ratio
    return out


class _Temperature(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inverse_temperature = nn.Parameter(torch.ones(()))

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        return logits * self.inverse_temperature


CLASSES = lr.Categorical(num_classes=3)


@functools.cache
def _classification_data() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The chapter's training, validation and test sets (100, 1000 and 10000 points)."""
    return {
        name: lr.data.multiclass_1d(num_points=n, seed=seed, dtype=torch.float64)
        for name, n, seed in (("train", 100, 0), ("validation", 1000, 1), ("test", 10000, 2))
    }


@functools.cache
def _classifiers() -> dict[int, Fitted]:
    return fit_seeds(
        lambda: lr.ShallowNet(num_inputs=1, num_hidden=64, num_outputs=3),
        CLASSES,
        lambda s: _classification_data()["train"],
        steps=1000,
        lr=0.05,
    )


@functools.cache
def _scalers() -> dict[int, Fitted]:
    """Each seed's temperature, fitted to its classifier's validation logits as the chapter
    fits it (``lr.fit(scaler, ..., steps=200, lr=0.05, seed=None)``), all seeds at once."""
    x_val, y_val = _classification_data()["validation"]
    with torch.no_grad():
        logits = {seed: fitted.net(x_val) for seed, fitted in _classifiers().items()}
    scalers = {seed: _Temperature() for seed in logits}
    return fit_further(scalers, CLASSES, lambda s: (logits[s], y_val), steps=200, lr=0.05)


@functools.cache
def _classification(seed: int) -> dict[str, float]:
    x, y = _classification_data()["train"]
    x_test, y_test = _classification_data()["test"]
    classes = CLASSES
    net, scaler = _classifiers()[seed].net, _scalers()[seed].net
    with torch.no_grad():
        logits_test = net(x_test)
        scaled = scaler(logits_test)
    best = lr.data.class_probabilities(x_test[:, 0]).argmax(dim=1)
    with torch.no_grad():
        train_nll = float(classes.nll(net(x), y, reduction="mean"))
    out = {
        "train_nll": train_nll,
        "best": float((best == y_test).double().mean()),
        "temperature": 1.0 / float(scaler.inverse_temperature.detach()),
        "same_predictions": float(torch.equal(scaled.argmax(dim=1), logits_test.argmax(dim=1))),
    }
    for name, logits in (("before", logits_test), ("after", scaled)):
        probs = torch.softmax(logits, dim=1)
        out[f"accuracy_{name}"] = float((probs.argmax(dim=1) == y_test).double().mean())
        out[f"confidence_{name}"] = float(probs.max(dim=1).values.mean())
        out[f"ece_{name}"] = float(lr.metrics.expected_calibration_error(probs, y_test))
        out[f"nll_{name}"] = float(classes.nll(logits, y_test, reduction="mean"))
        confidence, accuracy, count = lr.metrics.calibration_curve(probs, y_test)
        occupied = count > 0
        out[f"share_under_{name}"] = float(
            (accuracy[occupied] > confidence[occupied]).double().mean()
        )
    return out


# --- regression: three fits ------------------------------------------------------------------


def test_heteroscedastic_model_is_best_on_held_out_nll_and_crps(claim):
    def holds(seed):
        r = _regression(seed)
        return all(
            r["hetero"][k] < min(r["constant"][k], r["overfit"][k]) for k in ("test", "crps")
        )

    claim("the heteroscedastic model has the lowest held-out NLL and CRPS", holds)


def test_heteroscedastic_training_and_held_out_nll_are_close(claim):
    claim(
        "its training and held-out NLL are close (within 0.15 nats)",
        lambda seed: (
            abs(_regression(seed)["hetero"]["test"] - _regression(seed)["hetero"]["train"]) < 0.15
        ),
    )


def test_overfit_model_has_the_lowest_training_nll(claim):
    def holds(seed):
        r = _regression(seed)
        return r["overfit"]["train"] < min(r["hetero"]["train"], r["constant"]["train"])

    claim("the over-fitted model has by far the lowest training NLL", holds)


def test_overfit_variance_has_shrunk(claim):
    claim(
        "at its training points its predicted sd is typically (median) below the true one",
        lambda seed: _regression(seed)["overfit"]["sd_ratio"] < 1.0,
    )


def test_overfit_model_is_worst_on_held_out_nll_many_nats_above_training(claim):
    def holds(seed):
        r = _regression(seed)["overfit"]
        others = _regression(seed)
        worst = r["test"] > max(others["hetero"]["test"], others["constant"]["test"])
        return worst and r["test"] - r["train"] > 3.0

    claim("its held-out NLL is the worst of the three, many (> 3) nats above training", holds)


def test_overfit_pit_is_u_shaped(claim):
    claim(
        "its PIT histogram is a U (over 30% of PIT values in the outer 20%)",
        lambda seed: _regression(seed)["overfit"]["tails"] > 0.3,
    )


def test_overfit_pit_gap_is_several_times_the_others(claim):
    def holds(seed):
        r = _regression(seed)
        return r["overfit"]["gap"] > 2.5 * max(r["hetero"]["gap"], r["constant"]["gap"])

    claim("the over-fitted model's PIT gap D is several (> 2.5) times the others'", holds)


def test_constant_model_sits_in_between_on_held_out_nll_and_crps(claim):
    def holds(seed):
        r = _regression(seed)
        return all(r["hetero"][k] < r["constant"][k] < r["overfit"][k] for k in ("test", "crps"))

    claim("the constant-variance model sits in between on held-out NLL and CRPS", holds)


def test_pooled_pit_gap_of_the_constant_model_is_too_large_for_chance(claim):
    every_seed = claim(
        "the constant model's pooled PIT gap arises by chance with probability about 0.001 "
        "or less (< 0.002), for every seed",
        lambda seed: _regression(seed)["constant"]["gap_p"] < 0.002,
    )
    assert len(every_seed) == 10  # the chapter says "for every training seed"
    claim(
        "the hetero model's pooled PIT gap ranges from about 0.02 to 0.08 over the seeds",
        lambda seed: 0.015 < _regression(seed)["hetero"]["gap"] < 0.085,
    )


def test_constant_model_is_humped_left_and_u_shaped_right(claim):
    def holds(seed):
        r = _regression(seed)
        c, h = r["constant"], r["hetero"]
        hetero_near_a_fifth = all(0.15 < h[k] < 0.3 for k in ("tails_left", "tails_right"))
        return c["tails_left"] < 0.1 and 0.28 < c["tails_right"] < 0.4 and hetero_near_a_fifth

    claim(
        "outer-fifth share: constant ~1/20 for x < 1, ~1/3 for x >= 1; hetero ~1/5 in both",
        holds,
    )


def test_one_typo_reorders_nll_but_not_crps(claim):
    def holds(seed):
        r = _regression(seed)
        h, c = r["hetero"], r["constant"]
        flips = h["test"] < c["test"] and h["test_typo"] > c["test_typo"]
        small = all(0 < m["crps_typo"] - m["crps"] < 0.01 for m in (h, c))
        outlier_nats = 1000 * (h["test_typo"] - h["test"])
        return flips and small and h["crps_typo"] < c["crps_typo"] and outlier_nats > 1000

    claim("one typo makes hetero's NLL worse than constant's; CRPS moves < 0.01, order kept", holds)


# --- classification: reliability and temperature scaling -------------------------------------


def test_classifier_is_nearly_as_accurate_as_the_best_possible(claim):
    claim(
        "the network classifies nearly as well as the best possible classifier (within 0.04)",
        lambda seed: (
            _classification(seed)["best"] - _classification(seed)["accuracy_before"] < 0.04
        ),
    )


def test_classifier_is_over_confident(claim):
    claim(
        "its mean confidence is well above its accuracy (by more than 0.04)",
        lambda seed: (
            _classification(seed)["confidence_before"] - _classification(seed)["accuracy_before"]
            > 0.04
        ),
    )


def test_temperature_scaling_lowers_ece_and_nll_and_keeps_predictions(claim):
    def holds(seed):
        c = _classification(seed)
        return (
            c["same_predictions"] == 1.0
            and c["temperature"] > 1.0
            and c["ece_after"] < c["ece_before"]
            and c["nll_after"] < c["nll_before"]
        )

    claim(
        "temperature scaling (T > 1) lowers the ECE and the held-out NLL, same predictions", holds
    )


def test_temperature_scaling_removes_a_quarter_to_three_quarters_of_the_ece(claim):
    def share_removed(seed):
        c = _classification(seed)
        return 1.0 - c["ece_after"] / c["ece_before"]

    claim(
        "temperature scaling removes about a quarter to three quarters of the ECE (0.2-0.8)",
        lambda seed: 0.2 < share_removed(seed) < 0.8,
    )
    shares = [share_removed(seed) for seed in range(10)]
    assert 0.4 < sum(shares) / len(shares) < 0.6  # "half on average"


def test_classifier_training_nll_is_far_below_held_out(claim):
    claim(
        "its training NLL is far (> 0.2 nats) below its held-out NLL",
        lambda seed: _classification(seed)["nll_before"] - _classification(seed)["train_nll"] > 0.2,
    )


def test_classifier_bars_fall_short_in_most_bins(claim):
    claim(
        "in most bins the accuracy falls short of the mean confidence",
        lambda seed: _classification(seed)["share_under_before"] < 0.5,
    )


def test_after_scaling_the_network_is_under_confident_on_average(claim):
    def holds(seed):
        c = _classification(seed)
        return c["confidence_after"] < c["accuracy_after"]

    claim("after scaling, the mean confidence falls below the accuracy", holds)


def test_forecast_ignoring_x_is_calibrated_but_not_sharp(claim):
    _, y_pool = lr.data.heteroscedastic_1d(num_points=2000, seed=2, dtype=torch.float64)
    _, _, _, y_test = _regression_data()
    samples = y_pool.unsqueeze(1).expand(-1, len(y_test))
    crps_climate = float(lr.metrics.crps_samples(samples, y_test).mean())
    gap_climate = _uniformity_gap((y_pool.unsqueeze(1) <= y_test).double().mean(dim=0))

    def holds(seed):
        ratio = crps_climate / _regression(seed)["hetero"]["crps"]
        return gap_climate < 0.05 and 1.8 < ratio < 2.2

    claim("ignoring x: PIT gap below 0.05, CRPS about twice (1.8-2.2x) the hetero model's", holds)
