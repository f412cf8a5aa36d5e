"""The seeded toy data sets of every chapter: shapes, seeds, supports, the truth behind them."""

import math

import pytest
import torch
from torch import nn

import lossrecipe as lr

# Every generator, with the trailing shape of its y.
GENERATOR_SHAPES = {
    "regression_1d": (lr.data.regression_1d, ()),
    "heteroscedastic_1d": (lr.data.heteroscedastic_1d, ()),
    "binary_1d": (lr.data.binary_1d, ()),
    "multiclass_1d": (lr.data.multiclass_1d, ()),
    "counts_1d": (lr.data.counts_1d, ()),
    "outliers_1d": (lr.data.outliers_1d, ()),
    "directions_1d": (lr.data.directions_1d, ()),
    "bimodal_1d": (lr.data.bimodal_1d, ()),
    "height_weight": (lr.data.height_weight, (2,)),
    "ordinal_1d": (lr.data.ordinal_1d, ()),
    "multilabel_1d": (lr.data.multilabel_1d, (3,)),
    "rankings_1d": (lr.data.rankings_1d, (4,)),
    "waiting_times_1d": (lr.data.waiting_times_1d, ()),
    "proportions_1d": (lr.data.proportions_1d, ()),
}
LABEL_GENERATORS = {"multiclass_1d", "ordinal_1d", "rankings_1d"}  # y is int64


@pytest.mark.parametrize("name", list(GENERATOR_SHAPES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_seeded_shapes_dtypes_and_range(name, dtype):
    make, trailing = GENERATOR_SHAPES[name]
    x1, y1 = make(num_points=50, seed=7, dtype=dtype)
    x2, y2 = make(num_points=50, seed=7, dtype=dtype)
    x3, y3 = make(num_points=50, seed=8, dtype=dtype)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert not torch.equal(x1, x3) and not torch.equal(y1, y3)
    assert x1.shape == (50, 1) and y1.shape == (50, *trailing)
    assert x1.dtype == dtype and y1.dtype == (torch.long if name in LABEL_GENERATORS else dtype)
    assert bool(torch.isfinite(y1).all())
    low, high = lr.data.X_RANGE
    assert float(x1.min()) >= low and float(x1.max()) <= high


@pytest.mark.parametrize("name", list(GENERATOR_SHAPES))
def test_generators_leave_the_global_random_state_alone(name):
    make, _ = GENERATOR_SHAPES[name]
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    make(num_points=20)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("name", list(GENERATOR_SHAPES))
@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_num_points(name, n):
    make, _ = GENERATOR_SHAPES[name]
    with pytest.raises(ValueError, match="num_points: expected an integer >= 1"):
        make(num_points=n)


def test_counts_are_whole_numbers_that_follow_the_rate():
    x, y = lr.data.counts_1d(num_points=20000, seed=0, dtype=torch.float64)
    assert bool((y >= 0).all()) and torch.equal(y, torch.round(y))
    rate = lr.data.count_rate(x[:, 0])
    torch.testing.assert_close(rate, torch.exp(1 + torch.sin(2 * x[:, 0])))
    # E[y - rate] = 0 and Var[y] = E[rate] for a Poisson; the standard error is ~0.015
    assert abs(float((y - rate).mean())) < 0.06
    assert abs(float(((y - rate) ** 2).mean() / rate.mean()) - 1.0) < 0.05
    lr.Poisson().nll(torch.log(rate).unsqueeze(1), y)  # a valid target for the recipe


def test_outliers_are_a_tenth_and_all_upwards():
    x, y = lr.data.outliers_1d(num_points=1000, seed=0, dtype=torch.float64)
    residual = y - lr.data.linear_trend(x[:, 0])
    gross = residual > 1.0
    assert int(gross.sum()) == 100
    assert float(residual[gross].min()) > 1.5 and float(residual[gross].max()) < 5.5
    assert abs(float(residual[~gross].std()) - 0.1) < 0.01
    # the median ignores them, the mean does not
    assert abs(float(residual.median())) < 0.03 and float(residual.mean()) > 0.3


def test_outliers_a_laplace_fit_beats_a_gaussian_fit():
    x, y = lr.data.outliers_1d(num_points=100, seed=0)
    grid = torch.linspace(*lr.data.X_RANGE, 21).unsqueeze(1)
    errors = {}
    for name, recipe in (("gaussian", lr.Gaussian(0.1)), ("laplace", lr.Laplace(0.1))):
        line = nn.Linear(1, 1)
        lr.fit(line, recipe, x, y, steps=400, lr=0.05, seed=0)
        with torch.no_grad():
            errors[name] = float((line(grid)[:, 0] - lr.data.linear_trend(grid[:, 0])).abs().max())
    assert errors["laplace"] < 0.1 < 0.25 < errors["gaussian"]


def test_bad_outlier_fraction():
    with pytest.raises(ValueError, match="outlier_fraction: expected a number in"):
        lr.data.outliers_1d(outlier_fraction=1.5)


def test_directions_are_wrapped_and_cross_pi():
    x, y = lr.data.directions_1d(num_points=2000, seed=0, dtype=torch.float64)
    assert bool(((y > -math.pi) & (y <= math.pi)).all())
    assert float(y.max()) > 3.0 and float(y.min()) < -3.0
    mean = lr.data.mean_direction(x[:, 0])
    assert bool(((mean > -math.pi) & (mean <= math.pi)).all())
    # the true mean direction itself jumps from near pi to near -pi at x = (pi - 2) / 1.5
    crossing = (math.pi - 2.0) / 1.5
    assert float(mean[x[:, 0] < crossing].min()) > 1.9
    assert float(mean[x[:, 0] > crossing + 0.01].max()) < -1.0


def test_direction_noise_is_von_mises():
    kappa = 4.0
    x, y = lr.data.directions_1d(num_points=20000, concentration=kappa, seed=1, dtype=torch.float64)
    noise = torch.angle(torch.polar(torch.ones_like(y), y - lr.data.mean_direction(x[:, 0])))
    # E[cos t] = I1(k) / I0(k), E[cos 2t] = I2(k) / I0(k) = 1 - 2 I1(k) / (k I0(k)), E[sin t] = 0
    k = torch.tensor(kappa, dtype=torch.float64)
    ratio = float(torch.special.i1e(k) / torch.special.i0e(k))
    assert abs(float(torch.cos(noise).mean()) - ratio) < 0.005
    assert abs(float(torch.cos(2 * noise).mean()) - (1 - 2 * ratio / kappa)) < 0.01
    assert abs(float(torch.sin(noise).mean())) < 0.01


@pytest.mark.parametrize("kappa", [0.0, -1.0])
def test_bad_concentration(kappa):
    with pytest.raises(ValueError, match="concentration: expected a positive"):
        lr.data.directions_1d(concentration=kappa)


def test_bimodal_has_two_branches_with_the_true_weights():
    x, y = lr.data.bimodal_1d(num_points=20000, seed=0, dtype=torch.float64)
    branch = lr.data.bimodal_branch(x[:, 0])
    assert bool((branch >= 0.5).all())
    upper = y > 0
    distance = torch.where(upper, y - branch, y + branch)
    assert float(distance.abs().max()) < 6 * 0.1
    left, right = x[:, 0] < 0.5, x[:, 0] > 1.5
    for side in (left, right):
        expected = float(lr.data.upper_branch_probability(x[side, 0]).mean())
        assert abs(float(upper[side].double().mean()) - expected) < 0.03
    # hardly any data near the conditional mean, which lies between the branches
    assert float((y.abs() < 0.2).double().mean()) < 0.001


def test_height_weight_scales():
    x, y = lr.data.height_weight(num_points=20000, seed=0, dtype=torch.float64)
    mean = lr.data.height_weight_mean(x[:, 0])
    assert mean.shape == (20000, 2)
    sd = (y - mean).std(dim=0)
    expected = torch.tensor(lr.data.HEIGHT_WEIGHT_SIGMA, dtype=torch.float64)
    torch.testing.assert_close(sd, expected, rtol=0.03, atol=0)
    assert 1.45 < float(mean[:, 0].min()) and float(mean[:, 0].max()) < 1.95
    assert 50.0 < float(mean[:, 1].min()) and float(mean[:, 1].max()) < 90.0
    lr.Independent(lr.HeteroscedasticGaussian(), num_dims=2).nll(torch.zeros(20000, 4), y)


def test_label_supports():
    _, y = lr.data.binary_1d(num_points=500)
    assert set(y.tolist()) == {0.0, 1.0}
    _, y = lr.data.multiclass_1d(num_points=500, num_classes=4)
    assert y.dtype == torch.long and set(y.tolist()) == {0, 1, 2, 3}


def test_binary_frequencies_follow_the_true_probability():
    x, y = lr.data.binary_1d(num_points=20000, seed=0, dtype=torch.float64)
    expected = lr.data.binary_probability(x[:, 0]).mean()
    assert abs(float(y.mean() - expected)) < 0.02


def test_heteroscedastic_noise_grows():
    x, y = lr.data.heteroscedastic_1d(num_points=20000, seed=0, dtype=torch.float64)
    residual = y - lr.data.regression_mean(x[:, 0])
    left, right = residual[x[:, 0] < 0.5], residual[x[:, 0] > 1.5]
    torch.testing.assert_close(
        left.std(), torch.tensor(0.1, dtype=torch.float64), atol=0.01, rtol=0
    )
    torch.testing.assert_close(
        right.std(), torch.tensor(0.40, dtype=torch.float64), atol=0.02, rtol=0
    )


def test_class_probabilities_need_two_classes():
    with pytest.raises(ValueError, match="num_classes: expected an integer >= 2, got 1"):
        lr.data.class_probabilities(torch.linspace(0, 2, 11), num_classes=1)


def test_the_true_mean_direction_is_wrapped_into_minus_pi_pi():
    x = torch.linspace(0.0, 2.0, 201, dtype=torch.float64)
    direction = lr.data.mean_direction(x)
    assert bool(((direction > -math.pi) & (direction <= math.pi)).all())
    torch.testing.assert_close(torch.cos(direction), torch.cos(2.0 + 1.5 * x))


def test_class_probabilities_are_a_distribution():
    p = lr.data.class_probabilities(torch.linspace(0, 2, 11), num_classes=3)
    torch.testing.assert_close(p.sum(dim=1), torch.ones(11))


def test_correlated_2d_noise_has_the_stated_correlation():
    x, y = lr.data.correlated_2d(num_points=40000, seed=0, dtype=torch.float64)
    assert x.shape == (40000, 1) and y.shape == (40000, 2) and y.dtype == torch.float64
    noise = y - lr.data.correlated_mean(x[:, 0])
    tril = lr.data.correlated_scale_tril(x[:, 0])
    # the factor is lower triangular and gives standard deviations 0.3, correlation 0.9 (x - 1)
    cov = tril @ tril.transpose(-1, -2)
    torch.testing.assert_close(cov[:, 0, 0], torch.full((40000,), 0.09, dtype=torch.float64))
    torch.testing.assert_close(cov[:, 0, 1] / 0.09, 0.9 * (x[:, 0] - 1.0))
    for low, high, rho in [(0.0, 0.4, -0.72), (0.8, 1.2, 0.0), (1.6, 2.0, 0.72)]:
        inside = (x[:, 0] >= low) & (x[:, 0] < high)
        sample = noise[inside]
        assert abs(float(sample.std(dim=0).mean()) - 0.3) < 0.01
        assert abs(float(torch.corrcoef(sample.T)[0, 1]) - rho) < 0.03
    assert torch.equal(lr.data.correlated_2d(50, seed=3)[1], lr.data.correlated_2d(50, seed=3)[1])


def test_ordinal_class_frequencies_follow_the_cumulative_logit():
    x, y = lr.data.ordinal_1d(num_points=20000, seed=0, dtype=torch.float64)
    assert y.dtype == torch.long and int(y.min()) == 0 and int(y.max()) == 4
    eta = lr.data.ordinal_location(x[:, 0])
    cut = torch.tensor(lr.data.ORDINAL_CUTPOINTS, dtype=torch.float64)
    cdf = torch.sigmoid(cut - eta.unsqueeze(1))  # Pr(y <= k - 1 | x), (N, 4)
    for k in range(4):
        # the mean of an indicator minus its probability: standard error < 0.004
        assert abs(float(((y <= k).double() - cdf[:, k]).mean())) < 0.015
    outputs = torch.cat(
        [eta.unsqueeze(1), lr.recipes.classes.OrderedCutpoints().inverse(cut.expand(len(x), 4))],
        dim=1,
    )
    lr.Ordinal(5).nll(outputs, y)  # valid targets for the recipe


def test_multilabel_marginals_and_the_dependent_pair():
    x, y = lr.data.multilabel_1d(num_points=20000, seed=0, dtype=torch.float64)
    assert set(y.unique().tolist()) == {0.0, 1.0}
    p = lr.data.tag_probabilities(x[:, 0])
    assert bool(((p > 0) & (p < 1)).all())
    torch.testing.assert_close(y.mean(0), p.mean(0), rtol=0, atol=0.015)
    # tags 0 and 1 agree far more often than independent draws with those marginals would
    agree = float((y[:, 0] == y[:, 1]).double().mean())
    independent = float((p[:, 0] * p[:, 1] + (1 - p[:, 0]) * (1 - p[:, 1])).mean())
    assert agree > 0.9 and independent < 0.7
    lr.Independent(lr.Bernoulli(), num_dims=3).nll(torch.zeros(len(x), 3), y)


def test_rankings_are_permutations_led_by_the_best_scored_item():
    x, y = lr.data.rankings_1d(num_points=20000, seed=0, dtype=torch.float64)
    assert torch.equal(y.sort(dim=1).values, torch.arange(4).expand(20000, 4))
    s = lr.data.item_scores(x[:, 0])
    torch.testing.assert_close(s.mean(1), torch.zeros(20000, dtype=torch.float64))
    # the first item follows softmax[s]; standard error of each frequency < 0.004
    first = torch.nn.functional.one_hot(y[:, 0], 4).double()
    torch.testing.assert_close(first.mean(0), torch.softmax(s, 1).mean(0), rtol=0, atol=0.015)
    lr.PlackettLuce(4).nll(s, y)


def test_waiting_times_are_positive_gamma_draws():
    x, y = lr.data.waiting_times_1d(num_points=20000, seed=0, dtype=torch.float64)
    assert bool((y > 0).all())
    ratio = y / lr.data.mean_waiting_time(x[:, 0])  # Gamma(2, rate 2): mean 1, variance 1/2
    assert abs(float(ratio.mean()) - 1.0) < 0.02
    assert abs(float(ratio.var()) - 1.0 / lr.data.WAITING_SHAPE) < 0.02
    # the shape: Pr(ratio < 0.5) = 1 - 2 e^-1 for a Gamma(2, 2)
    assert abs(float((ratio < 0.5).double().mean()) - (1 - 2 * math.exp(-1))) < 0.01
    lr.Gamma().nll(torch.zeros(len(y), 2), y)  # a valid target for the recipe


def test_proportions_are_beta_draws_inside_the_open_interval():
    x, y = lr.data.proportions_1d(num_points=20000, seed=0, dtype=torch.float64)
    assert bool(((y > 0) & (y < 1)).all())
    m = lr.data.mean_proportion(x[:, 0])
    kappa = lr.data.PROPORTION_CONCENTRATION
    assert abs(float((y - m).mean())) < 0.003
    # Var[y] = m (1 - m) / (kappa + 1) for a Beta with mean m and concentration kappa
    assert abs(float(((y - m) ** 2 / (m * (1 - m))).mean()) - 1 / (kappa + 1)) < 0.003
    lr.Beta().nll(torch.zeros(len(y), 2), y)  # a valid target for the recipe


@pytest.mark.parametrize("name", [*GENERATOR_SHAPES, "correlated_2d"])
def test_generators_put_the_same_data_on_any_device(name, device):
    generate = getattr(lr.data, name)
    dtype = torch.float32 if device.type == "mps" else torch.float64
    x, y = generate(num_points=20, seed=3, dtype=dtype, device=device)
    x_cpu, y_cpu = generate(num_points=20, seed=3, dtype=dtype)
    assert x.device.type == device.type and y.device.type == device.type
    assert torch.equal(x.cpu(), x_cpu) and torch.equal(y.cpu(), y_cpu)


def test_the_true_functions_follow_their_inputs_device(device):
    x = torch.linspace(0.0, 2.0, 5, device=device)
    assert lr.data.class_probabilities(x, 4).device.type == device.type
    assert lr.data.correlated_scale_tril(x).device.type == device.type
    assert lr.data.item_scores(x).device.type == device.type
