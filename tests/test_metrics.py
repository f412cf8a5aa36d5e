"""Tests for lossrecipe.metrics: scoring rules and calibration, against independent references."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import lossrecipe as lr
from lossrecipe import metrics

from .conftest import assert_near, generator, tol

# --- CRPS ------------------------------------------------------------------------------------


def _crps_by_integral(mean: float, std: float, y: float) -> float:
    """integral (F(z) - 1[z >= y])^2 dz, split at y where the indicator jumps."""
    cdf = stats.norm(mean, std).cdf
    left, _ = integrate.quad(lambda z: cdf(z) ** 2, -np.inf, y, epsabs=1e-13, epsrel=1e-12)
    right, _ = integrate.quad(lambda z: (1 - cdf(z)) ** 2, y, np.inf, epsabs=1e-13, epsrel=1e-12)
    return left + right


CASES = [(0.0, 1.0, 0.0), (0.3, 0.2, 0.9), (-1.0, 2.5, 4.0), (2.0, 0.05, 1.7), (0.0, 1.0, -8.0)]


def test_crps_gaussian_equals_the_integral_of_the_squared_cdf_gap():
    mean, std, y = (torch.tensor(c, dtype=torch.float64) for c in zip(*CASES, strict=True))
    got = metrics.crps_gaussian(mean, std, y)
    expected = torch.tensor([_crps_by_integral(*case) for case in CASES], dtype=torch.float64)
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-11)


def test_crps_gaussian_works_in_both_dtypes(dtype):
    mean, std, y = (torch.tensor(c, dtype=dtype) for c in zip(*CASES, strict=True))
    got = metrics.crps_gaussian(mean, std, y)
    assert got.dtype == dtype
    assert_near(got, metrics.crps_gaussian(mean.double(), std.double(), y.double()))


def test_crps_gaussian_at_the_mean_is_sigma_times_a_constant():
    # z = 0: sigma (2 phi(0) - 1/sqrt(pi)) = sigma (sqrt(2) - 1) / sqrt(pi)
    std = torch.tensor([0.5, 1.0, 3.0], dtype=torch.float64)
    got = metrics.crps_gaussian(torch.zeros(3, dtype=torch.float64), std, torch.zeros(3))
    torch.testing.assert_close(got, std * (math.sqrt(2) - 1) / math.sqrt(math.pi))


def test_crps_gaussian_accepts_the_parameters_of_a_recipe_distribution():
    recipe = lr.HeteroscedasticGaussian()
    outputs = torch.tensor([[0.1, -0.4], [1.0, 0.3]], dtype=torch.float64)
    dist = recipe.distribution(outputs)
    y = torch.tensor([0.0, 2.0], dtype=torch.float64)
    got = metrics.crps_gaussian(dist.mean, dist.stddev, y)
    expected = [
        _crps_by_integral(float(m), float(s), float(t))
        for m, s, t in zip(dist.mean, dist.stddev, y, strict=True)
    ]
    torch.testing.assert_close(
        got, torch.tensor(expected, dtype=torch.float64), rtol=1e-9, atol=1e-11
    )


def _crps_pairs(samples: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The O(S^2) definition, written out with a double loop."""
    s, n = samples.shape
    out = []
    for col in range(n):
        xs = samples[:, col].tolist()
        to_y = sum(abs(a - float(y[col])) for a in xs) / s
        pairs = sum(abs(a - b) for a in xs for b in xs) / (2 * s * s)
        out.append(to_y - pairs)
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize("num_samples", [1, 2, 3, 7])
def test_crps_samples_equals_the_pairwise_definition(num_samples):
    g = torch.Generator().manual_seed(num_samples)
    # Multiples of 1/8 in a small range: every sum is exact, so the two forms agree exactly.
    samples = torch.randint(-16, 17, (num_samples, 5), generator=g).double() / 8
    y = torch.randint(-16, 17, (5,), generator=g).double() / 8
    got = metrics.crps_samples(samples, y)
    assert torch.equal(got, _crps_pairs(samples, y))


def test_crps_samples_with_ties_equals_the_pairwise_definition():
    samples = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.5, 0.0], [1.0, 2.0]], dtype=torch.float64)
    y = torch.tensor([0.75, 0.0], dtype=torch.float64)
    assert torch.equal(metrics.crps_samples(samples, y), _crps_pairs(samples, y))


def test_crps_samples_of_one_sample_is_the_absolute_error(dtype):
    samples = torch.tensor([[0.5, -1.0, 3.0]], dtype=dtype)
    y = torch.tensor([0.0, 1.0, 3.0], dtype=dtype)
    torch.testing.assert_close(metrics.crps_samples(samples, y), (samples[0] - y).abs())


def test_crps_samples_converges_to_the_closed_form():
    mean = torch.tensor([0.0, 1.0, -2.0], dtype=torch.float64)
    std = torch.tensor([1.0, 0.3, 2.0], dtype=torch.float64)
    y = torch.tensor([0.5, 1.0, 1.0], dtype=torch.float64)
    g = torch.Generator().manual_seed(0)
    exact = metrics.crps_gaussian(mean, std, y)
    gaps = []
    for num_samples in (100, 10_000, 400_000):
        draws = mean + std * torch.randn(num_samples, 3, generator=g, dtype=torch.float64)
        gaps.append(float((metrics.crps_samples(draws, y) - exact).abs().max()))
    assert gaps[-1] < 3e-3 * float(std.max())
    assert gaps[-1] < gaps[0]


def test_crps_samples_works_in_float32():
    g = torch.Generator().manual_seed(1)
    samples = torch.randn(50, 4, generator=g)
    y = torch.randn(4, generator=g)
    got = metrics.crps_samples(samples, y)
    assert got.dtype == torch.float32
    # the sorted form adds S terms of the size of the draws
    scale = float(samples.abs().max() + y.abs().max())
    assert_near(got, _crps_pairs(samples.double(), y.double()), scale=scale)


# --- PIT -------------------------------------------------------------------------------------


def test_pit_is_the_cdf_at_y(dtype):
    dist = torch.distributions.Normal(
        torch.tensor([0.0, 1.0], dtype=dtype), torch.tensor([1.0, 2.0], dtype=dtype)
    )
    y = torch.tensor([0.0, 3.0], dtype=dtype)
    got = metrics.pit(dist, y)
    assert_near(got, torch.tensor([0.5, stats.norm.cdf(1.0)], dtype=torch.float64))


def test_pit_is_uniform_for_the_true_model():
    x, y = lr.data.heteroscedastic_1d(num_points=2000, seed=3, dtype=torch.float64)
    truth = torch.distributions.Normal(
        lr.data.regression_mean(x[:, 0]), lr.data.growing_sigma(x[:, 0])
    )
    u = metrics.pit(truth, y)
    assert stats.kstest(u.numpy(), "uniform").statistic < 0.04


def test_pit_is_not_uniform_for_an_over_confident_model():
    x, y = lr.data.heteroscedastic_1d(num_points=2000, seed=3, dtype=torch.float64)
    narrow = torch.distributions.Normal(
        lr.data.regression_mean(x[:, 0]), 0.3 * lr.data.growing_sigma(x[:, 0])
    )
    u = metrics.pit(narrow, y)
    assert stats.kstest(u.numpy(), "uniform").statistic > 0.2
    assert float(((u < 0.1) | (u > 0.9)).double().mean()) > 0.5  # the U shape


def test_pit_accepts_recipe_distributions_with_a_cdf():
    outputs = torch.tensor([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]], dtype=torch.float64)
    mixture = lr.GaussianMixture(num_components=2).distribution(outputs)
    u = metrics.pit(mixture, torch.tensor([0.5], dtype=torch.float64))
    assert 0.0 < float(u) < 1.0
    laplace = lr.Laplace(scale=1.0).distribution(torch.tensor([[0.0]]))
    torch.testing.assert_close(metrics.pit(laplace, torch.tensor([0.0])), torch.tensor([0.5]))


# --- Brier, calibration curve, ECE ----------------------------------------------------------


def test_brier_score_of_a_perfect_prediction_is_zero(dtype):
    y = torch.tensor([0, 2, 1])
    probs = torch.nn.functional.one_hot(y, 3).to(dtype)
    assert torch.equal(metrics.brier_score(probs, y), torch.zeros(3, dtype=dtype))


def test_brier_score_of_a_uniform_prediction_is_one_minus_one_over_k(dtype):
    k = 4
    probs = torch.full((5, k), 1.0 / k, dtype=dtype)
    y = torch.tensor([0, 1, 2, 3, 3])
    torch.testing.assert_close(
        metrics.brier_score(probs, y), torch.full((5,), 1.0 - 1.0 / k, dtype=dtype)
    )


def test_brier_score_by_hand():
    probs = torch.tensor([[0.7, 0.2, 0.1]], dtype=torch.float64)
    expected = 0.3**2 + 0.2**2 + 0.1**2  # true class 0
    torch.testing.assert_close(
        metrics.brier_score(probs, torch.tensor([0])), torch.tensor([expected], dtype=torch.float64)
    )


def test_brier_score_accepts_recipe_distributions():
    logits = torch.tensor([[2.0, -1.0, 0.0], [0.0, 0.0, 3.0]], dtype=torch.float64)
    y = torch.tensor([1, 2])
    categorical = lr.Categorical(num_classes=3).distribution(logits)
    torch.testing.assert_close(
        metrics.brier_score(categorical, y), metrics.brier_score(torch.softmax(logits, dim=1), y)
    )
    bernoulli = lr.Bernoulli().distribution(torch.tensor([[0.4], [-2.0]], dtype=torch.float64))
    labels = torch.tensor([1.0, 1.0], dtype=torch.float64)
    p = torch.sigmoid(torch.tensor([0.4, -2.0], dtype=torch.float64))
    torch.testing.assert_close(metrics.brier_score(bernoulli, labels), 2 * (p - 1) ** 2)


def test_calibration_curve_has_exactly_num_bins_bins_with_nan_where_empty(dtype):
    probs = torch.tensor([[0.95, 0.05], [0.15, 0.85], [0.55, 0.45], [0.52, 0.48]], dtype=dtype)
    y = torch.tensor([0, 0, 0, 1])
    confidence, accuracy, count = metrics.calibration_curve(probs, y, num_bins=10)
    assert confidence.shape == accuracy.shape == count.shape == (10,)
    assert count.tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 1, 1]
    assert count.dtype == torch.int64
    empty = count == 0
    assert bool(confidence[empty].isnan().all()) and bool(accuracy[empty].isnan().all())
    torch.testing.assert_close(confidence[~empty], torch.tensor([0.535, 0.85, 0.95], dtype=dtype))
    torch.testing.assert_close(accuracy[~empty], torch.tensor([0.5, 0.0, 1.0], dtype=dtype))


def test_confidence_one_falls_in_the_last_bin():
    probs = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    _, _, count = metrics.calibration_curve(probs, torch.tensor([0, 1]), num_bins=4)
    assert count.tolist() == [0, 0, 0, 2]


def test_ece_of_a_perfect_prediction_is_zero(dtype):
    y = torch.tensor([0, 2, 1, 1])
    probs = torch.nn.functional.one_hot(y, 3).to(dtype)
    assert float(metrics.expected_calibration_error(probs, y)) == 0.0


def test_ece_of_a_uniform_prediction_is_the_gap_to_the_accuracy(dtype):
    # Confidence 1/4 in one bin; argmax picks class 0, right for 1 of 5 examples.
    probs = torch.full((5, 4), 0.25, dtype=dtype)
    y = torch.tensor([0, 1, 2, 3, 3])
    ece = metrics.expected_calibration_error(probs, y)
    torch.testing.assert_close(ece, torch.tensor(abs(0.2 - 0.25), dtype=dtype))


def test_ece_weights_each_bin_by_its_count():
    probs = torch.tensor(
        [[0.95, 0.05], [0.95, 0.05], [0.95, 0.05], [0.6, 0.4]], dtype=torch.float64
    )
    y = torch.tensor([0, 0, 1, 0])
    # bin 9: conf 0.95, acc 2/3, 3 of 4 examples; bin 6: conf 0.6, acc 1, 1 of 4
    expected = 0.75 * abs(2 / 3 - 0.95) + 0.25 * abs(1.0 - 0.6)
    ece = metrics.expected_calibration_error(probs, y, num_bins=10)
    torch.testing.assert_close(ece, torch.tensor(expected, dtype=torch.float64))


def test_ece_of_a_calibrated_model_is_small():
    g = torch.Generator().manual_seed(0)
    p1 = torch.rand(20_000, generator=g, dtype=torch.float64)
    y = (torch.rand(20_000, generator=g, dtype=torch.float64) < p1).long()
    probs = torch.stack([1 - p1, p1], dim=1)
    assert float(metrics.expected_calibration_error(probs, y)) < 0.02
    over_confident = torch.softmax(4.0 * torch.log(probs), dim=1)
    assert float(metrics.expected_calibration_error(over_confident, y)) > 0.1


# --- bad input: one test per mistake, each message names the argument ----------------------


def _crps_args():
    return torch.zeros(3), torch.ones(3), torch.zeros(3)


def test_crps_gaussian_rejects_a_non_positive_std():
    mean, _, y = _crps_args()
    with pytest.raises(ValueError, match=r"std: expected positive values, got 0.0"):
        metrics.crps_gaussian(mean, torch.tensor([1.0, 0.0, 1.0]), y)


def test_crps_gaussian_rejects_a_variance_column_of_the_wrong_length():
    mean, _, y = _crps_args()
    with pytest.raises(ValueError, match=r"std: expected shape \(3,\) to match mean"):
        metrics.crps_gaussian(mean, torch.ones(4), y)


def test_crps_gaussian_rejects_a_trailing_one_in_y():
    mean, std, _ = _crps_args()
    with pytest.raises(ValueError, match=r"y: expected shape \(3,\).*squeeze"):
        metrics.crps_gaussian(mean, std, torch.zeros(3, 1))


def test_crps_gaussian_rejects_nan_in_y():
    mean, std, _ = _crps_args()
    with pytest.raises(ValueError, match="y: expected finite values"):
        metrics.crps_gaussian(mean, std, torch.tensor([0.0, math.nan, 0.0]))


def test_crps_gaussian_rejects_a_distribution_for_mean():
    _, std, y = _crps_args()
    dist = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    with pytest.raises(ValueError, match="mean: expected a torch.Tensor, got a Normal"):
        metrics.crps_gaussian(dist, std, y)


def test_crps_gaussian_rejects_a_list():
    _, std, y = _crps_args()
    with pytest.raises(ValueError, match="mean: expected a torch.Tensor, got list"):
        metrics.crps_gaussian([0.0, 0.0, 0.0], std, y)


def test_crps_samples_rejects_samples_in_columns():
    samples = torch.zeros(3, 50)  # (N, S) instead of (S, N)
    with pytest.raises(ValueError, match=r"y: expected shape \(50,\).*samples.T"):
        metrics.crps_samples(samples, torch.zeros(3))


def test_crps_samples_rejects_one_dimensional_samples():
    with pytest.raises(ValueError, match=r"samples: expected shape \(S, N\)"):
        metrics.crps_samples(torch.zeros(5), torch.zeros(5))


def test_crps_samples_rejects_no_samples():
    with pytest.raises(ValueError, match="samples: expected at least one sample"):
        metrics.crps_samples(torch.zeros(0, 3), torch.zeros(3))


def test_pit_rejects_a_distribution_without_a_cdf():
    dist = lr.Poisson().distribution(torch.zeros(3, 1))
    with pytest.raises(ValueError, match="distribution: Poisson has no cdf"):
        metrics.pit(dist, torch.tensor([0.0, 1.0, 2.0]))


def test_pit_rejects_a_tensor_for_distribution():
    with pytest.raises(ValueError, match="distribution: expected a torch.distributions"):
        metrics.pit(torch.zeros(3, 2), torch.zeros(3))


def test_pit_rejects_a_multivariate_distribution():
    dist = torch.distributions.Independent(
        torch.distributions.Normal(torch.zeros(3, 2), torch.ones(3, 2)), 1
    )
    with pytest.raises(ValueError, match=r"distribution: expected one scalar distribution"):
        metrics.pit(dist, torch.zeros(3))


def test_pit_rejects_y_of_another_length():
    dist = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    with pytest.raises(ValueError, match=r"y: expected shape \(3,\) to match the batch shape"):
        metrics.pit(dist, torch.zeros(4))


def test_pit_rejects_y_outside_the_support():
    dist = torch.distributions.Gamma(torch.ones(2), torch.ones(2))
    with pytest.raises(ValueError, match="y: expected values in the support"):
        metrics.pit(dist, torch.tensor([1.0, -1.0]))


def test_brier_score_rejects_logits():
    with pytest.raises(ValueError, match=r"probs: expected probabilities in \[0, 1\].*softmax"):
        metrics.brier_score(torch.tensor([[2.0, -1.0], [0.5, 0.5]]), torch.tensor([0, 1]))


def test_brier_score_rejects_rows_that_do_not_sum_to_one():
    with pytest.raises(ValueError, match="probs: expected probabilities .* rows sum to 1"):
        metrics.brier_score(torch.tensor([[0.5, 0.4]]), torch.tensor([0]))


def test_brier_score_rejects_one_column_of_binary_probabilities():
    with pytest.raises(ValueError, match=r"probs: expected shape \(N, K\).*stack"):
        metrics.brier_score(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))


def test_brier_score_rejects_labels_from_one_to_k():
    probs = torch.full((2, 3), 1.0 / 3)
    with pytest.raises(ValueError, match=r"y: expected class indices 0..2.*shifted"):
        metrics.brier_score(probs, torch.tensor([1, 3]))


def test_brier_score_rejects_one_hot_labels():
    probs = torch.full((2, 3), 1.0 / 3)
    with pytest.raises(ValueError, match=r"y: expected class indices of shape \(2,\).*argmax"):
        metrics.brier_score(probs, torch.eye(3)[:2])


def test_brier_score_rejects_fractional_labels():
    probs = torch.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="y: expected integer class indices"):
        metrics.brier_score(probs, torch.tensor([0.0, 0.7]))


def test_brier_score_rejects_integer_probs():
    with pytest.raises(ValueError, match="probs: expected a floating-point tensor"):
        metrics.brier_score(torch.tensor([[1, 0]]), torch.tensor([0]))


@pytest.mark.parametrize("num_bins", [0, 2.5, True])
def test_calibration_curve_rejects_a_bad_number_of_bins(num_bins):
    probs = torch.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="num_bins: expected an integer >= 1"):
        metrics.calibration_curve(probs, torch.tensor([0, 1]), num_bins=num_bins)


def test_expected_calibration_error_rejects_labels_of_another_length():
    probs = torch.full((3, 2), 0.5)
    with pytest.raises(ValueError, match=r"y: expected shape \(3,\) to match probs, got \(2,\)"):
        metrics.expected_calibration_error(probs, torch.tensor([0, 1]))


def test_expected_calibration_error_rejects_no_examples():
    with pytest.raises(ValueError, match="probs: expected at least one example"):
        metrics.expected_calibration_error(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))


# --- any device ------------------------------------------------------------------------------


def test_every_metric_runs_on_the_device_of_its_inputs(device):
    # The same numbers as on the CPU, and the results stay on the device.
    dtype = torch.float32 if device.type == "mps" else torch.float64
    g = torch.Generator().manual_seed(0)
    mean, y = torch.randn(50, generator=g, dtype=dtype), torch.randn(50, generator=g, dtype=dtype)
    std = 0.5 + torch.rand(50, generator=g, dtype=dtype)
    samples = torch.randn(7, 50, generator=g, dtype=dtype)
    probs = torch.softmax(torch.randn(50, 3, generator=g, dtype=dtype), dim=1)
    labels = torch.randint(0, 3, (50,), generator=g)
    counts = torch.randint(0, 6, (50,), generator=g)
    dist = torch.distributions.Normal(mean, std)
    calls = {
        "crps_gaussian": lambda d: metrics.crps_gaussian(mean.to(d), std.to(d), y.to(d)),
        "crps_samples": lambda d: metrics.crps_samples(samples.to(d), y.to(d)),
        "pit": lambda d: metrics.pit(
            torch.distributions.Normal(dist.loc.to(d), dist.scale.to(d)), y.to(d)
        ),
        "brier_score": lambda d: metrics.brier_score(probs.to(d), labels.to(d)),
        "calibration_curve": lambda d: metrics.calibration_curve(probs.to(d), labels.to(d), 5),
        "expected_calibration_error": lambda d: metrics.expected_calibration_error(
            probs.to(d), labels.to(d), 5
        ),
        "randomized_pit": lambda d: metrics.randomized_pit(
            torch.distributions.Poisson(std.to(d) * 3), counts.to(d), generator(1)
        ),
        "ranked_probability_score": lambda d: metrics.ranked_probability_score(
            probs.to(d), labels.to(d)
        ),
        "uniformity_gap": lambda d: metrics.uniformity_gap(probs[:, 0].to(d)),
    }
    assert set(calls) == set(metrics.__all__)
    for name, call in calls.items():
        here, cpu = call(device), call(torch.device("cpu"))
        for a, b in zip(
            here if isinstance(here, tuple) else (here,),
            cpu if isinstance(cpu, tuple) else (cpu,),
            strict=True,
        ):
            assert a.device.type == device.type, name
            torch.testing.assert_close(a.cpu(), b, equal_nan=True, **tol(dtype))
