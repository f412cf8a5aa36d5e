"""The scores for counts and ordered classes (lossrecipe.metrics): the randomised PIT
and the ranked probability score, against direct computations and their edge cases."""

import pytest
import torch

import lossrecipe as lr
from lossrecipe import metrics

from .conftest import generator

TD = torch.distributions


def _forecasts(n=4000, seed=0):
    """One distribution of every count and class recipe, batch (n,), and draws from it."""
    g = generator(seed)
    outputs = {
        "poisson": (lr.Poisson(), 1.2 * torch.randn(n, 1, generator=g, dtype=torch.float64)),
        "negative binomial": (
            lr.NegativeBinomial(),
            torch.randn(n, 2, generator=g, dtype=torch.float64),
        ),
        "zero-inflated": (
            lr.ZeroInflatedPoisson(),
            torch.randn(n, 2, generator=g, dtype=torch.float64),
        ),
        "bernoulli": (lr.Bernoulli(), 2 * torch.randn(n, 1, generator=g, dtype=torch.float64)),
        "categorical": (lr.Categorical(5), torch.randn(n, 5, generator=g, dtype=torch.float64)),
        "ordinal": (lr.Ordinal(5), torch.randn(n, 5, generator=g, dtype=torch.float64)),
    }
    torch.manual_seed(seed)
    return {
        name: (recipe.distribution(o), recipe.distribution(o).sample())
        for name, (recipe, o) in outputs.items()
    }


FORECASTS = _forecasts()


def _cdf_direct(dist, y):
    """F[y] by summing exp(log_prob(k)) for k = 0..y, one example at a time."""
    values = []
    for i, y_i in enumerate(y.tolist()):
        one = dist.log_prob(
            torch.arange(0.0, y_i + 1, dtype=y.dtype).unsqueeze(1).expand(-1, len(y))
        )[:, i]
        values.append(float(one.exp().sum()))
    return torch.tensor(values, dtype=torch.float64)


@pytest.mark.parametrize("name", sorted(FORECASTS))
def test_randomized_pit_lies_between_the_two_steps_of_the_cdf(name):
    dist, y = FORECASTS[name]
    dist, y = _subset(dist, 60), y[:60].double()
    u = metrics.randomized_pit(dist, y, generator=generator(1))
    upper = _cdf_direct(dist, y)
    lower = torch.where(y > 0, _cdf_direct(dist, torch.clamp(y - 1, min=0)), 0.0)
    assert bool((u >= lower - 1e-12).all()) and bool((u <= upper + 1e-12).all())
    # and exactly where the uniform draw puts it
    draws = torch.rand(60, generator=generator(1), dtype=torch.float64)
    torch.testing.assert_close(u, lower + draws * (upper - lower), rtol=1e-9, atol=2e-9)


def _subset(dist, n):
    """The first n examples of a batch-(N,) distribution."""
    if isinstance(dist, lr.distributions.ZeroInflatedPoisson):
        return lr.distributions.ZeroInflatedPoisson(dist.rate[:n], logits=dist.logits[:n])
    if isinstance(dist, TD.NegativeBinomial):
        return TD.NegativeBinomial(dist.total_count[:n], logits=dist.logits[:n])
    if isinstance(dist, TD.Poisson):
        return TD.Poisson(dist.rate[:n])
    if isinstance(dist, TD.Bernoulli):
        return TD.Bernoulli(logits=dist.logits[:n])
    return TD.Categorical(logits=dist.logits[:n])


@pytest.mark.parametrize("name", sorted(FORECASTS))
def test_randomized_pit_is_uniform_when_y_comes_from_the_forecast(name):
    dist, y = FORECASTS[name]
    u = metrics.randomized_pit(dist, y, generator=generator(2))
    # Kolmogorov-Smirnov: 1.95 / sqrt(n) is the 0.1% critical value
    assert float(metrics.uniformity_gap(u)) < 1.95 / len(u) ** 0.5
    assert u.dtype == torch.float64 and u.shape == y.shape


def test_randomized_pit_is_not_uniform_for_an_under_dispersed_forecast():
    # counts from a negative binomial judged by a Poisson of the same mean: a U shape
    mean = torch.full((4000,), 3.0, dtype=torch.float64)
    torch.manual_seed(3)
    y = TD.NegativeBinomial(total_count=torch.ones(4000), logits=torch.log(mean)).sample()
    u = metrics.randomized_pit(TD.Poisson(mean), y, generator=generator(3))
    outer = float(((u < 0.1) | (u > 0.9)).double().mean())
    assert outer > 0.35  # 0.2 for a uniform PIT


def test_randomized_pit_of_a_certain_forecast_is_uniform_over_its_step():
    # all the probability on the outcome: F[y - 1] = 0 and F[y] = 1, so u is the draw
    probs = torch.eye(3, dtype=torch.float64)[[0, 2, 1, 1]]
    y = torch.tensor([0, 2, 1, 1])
    u = metrics.randomized_pit(TD.Categorical(probs=probs), y, generator=generator(4))
    torch.testing.assert_close(u, torch.rand(4, generator=generator(4), dtype=torch.float64))


def test_randomized_pit_uses_the_cdf_where_there_is_one():
    dist = lr.distributions.ZeroInflatedPoisson(
        torch.tensor([2.0, 0.5], dtype=torch.float64), zero_inflation=torch.tensor([0.3, 0.0])
    )
    y = torch.tensor([0.0, 3.0], dtype=torch.float64)
    u = metrics.randomized_pit(dist, y, generator=generator(5))
    draws = torch.rand(2, generator=generator(5), dtype=torch.float64)
    lower = torch.stack([torch.tensor(0.0), dist.cdf(torch.tensor([0.0, 2.0]))[1]])
    upper = dist.cdf(y)
    torch.testing.assert_close(u, lower + draws * (upper - lower))


def test_randomized_pit_accepts_integer_y_and_the_global_generator():
    dist, y = FORECASTS["poisson"]
    torch.manual_seed(6)
    first = metrics.randomized_pit(dist, y.long())
    torch.manual_seed(6)
    assert torch.equal(metrics.randomized_pit(dist, y), first)


def test_randomized_pit_rejects_a_continuous_distribution():
    with pytest.raises(ValueError, match="distribution: expected a distribution over counts"):
        metrics.randomized_pit(TD.Normal(torch.zeros(3), 1.0), torch.zeros(3))


def test_randomized_pit_rejects_a_count_outside_the_support():
    dist = TD.Poisson(torch.ones(3))
    with pytest.raises(
        ValueError, match=("y: expected non-negative integer counts, got the negative value -1.0")
    ):
        metrics.randomized_pit(dist, torch.tensor([0.0, -1.0, 2.0]))
    with pytest.raises(
        ValueError, match=("y: expected non-negative integer counts, got the fractional value 1.5")
    ):
        metrics.randomized_pit(dist, torch.tensor([0.0, 1.5, 2.0]))


def test_randomized_pit_rejects_class_k_for_k_classes():
    dist = TD.Categorical(logits=torch.zeros(2, 4))
    with pytest.raises(
        ValueError, match=("y: expected class indices 0..3 for 4 classes, got values from 1 to 4")
    ):
        metrics.randomized_pit(dist, torch.tensor([1, 4]))


def test_randomized_pit_rejects_mismatched_y_and_a_vector_distribution():
    with pytest.raises(ValueError, match=r"y: expected shape \(3,\)"):
        metrics.randomized_pit(TD.Poisson(torch.ones(3)), torch.zeros(4))
    with pytest.raises(ValueError, match="distribution: expected one scalar distribution"):
        metrics.randomized_pit(TD.Independent(TD.Poisson(torch.ones(3, 2)), 1), torch.zeros(3, 2))


# --- ranked probability score ----------------------------------------------------------------


def _rps_direct(probs, y):
    """sum_k (sum_{j <= k} p_j - [y <= k])^2, k = 0..K-2, with Python loops."""
    scores = []
    for row, label in zip(probs.tolist(), y.tolist(), strict=True):
        total, cumulative = 0.0, 0.0
        for k in range(len(row) - 1):
            cumulative += row[k]
            total += (cumulative - (1.0 if label <= k else 0.0)) ** 2
        scores.append(total)
    return torch.tensor(scores, dtype=torch.float64)


def test_ranked_probability_score_by_hand():
    probs = torch.tensor([[0.2, 0.5, 0.3], [0.2, 0.5, 0.3], [1.0, 0.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([0, 2, 2])
    # (0.2 - 1)^2 + (0.7 - 1)^2; 0.2^2 + 0.7^2; 1 + 1
    expected = torch.tensor([0.64 + 0.09, 0.04 + 0.49, 2.0], dtype=torch.float64)
    torch.testing.assert_close(metrics.ranked_probability_score(probs, y), expected)


def test_ranked_probability_score_equals_the_direct_sum(dtype):
    g = generator(7)
    probs = torch.softmax(torch.randn(50, 7, generator=g, dtype=dtype), dim=1)
    y = torch.randint(0, 7, (50,), generator=g)
    got = metrics.ranked_probability_score(probs, y)
    assert got.dtype == dtype and got.shape == (50,)
    eps = torch.finfo(dtype).eps
    torch.testing.assert_close(got.double(), _rps_direct(probs.double(), y), rtol=0, atol=50 * eps)


def test_ranked_probability_score_of_a_perfect_forecast_is_zero_and_of_the_worst_k_minus_1():
    probs = torch.eye(6, dtype=torch.float64)
    assert torch.equal(metrics.ranked_probability_score(probs, torch.arange(6)), torch.zeros(6))
    worst = metrics.ranked_probability_score(probs[[0, 5]], torch.tensor([5, 0]))
    assert torch.equal(worst, torch.full((2,), 5.0, dtype=torch.float64))


def test_ranked_probability_score_charges_distance_unlike_the_brier_score():
    near = torch.tensor([[0.0, 1.0, 0.0, 0.0]], dtype=torch.float64)
    far = torch.tensor([[0.0, 0.0, 0.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([0])
    assert float(metrics.brier_score(near, y)) == float(metrics.brier_score(far, y)) == 2.0
    assert float(metrics.ranked_probability_score(near, y)) == 1.0
    assert float(metrics.ranked_probability_score(far, y)) == 3.0


def test_ranked_probability_score_of_two_classes_is_half_the_brier_score():
    probs = torch.tensor([[0.3, 0.7], [0.9, 0.1], [0.5, 0.5]], dtype=torch.float64)
    y = torch.tensor([1, 1, 0])
    torch.testing.assert_close(
        metrics.ranked_probability_score(probs, y), metrics.brier_score(probs, y) / 2
    )


def test_ranked_probability_score_of_one_class_is_zero():
    probs = torch.ones(4, 1, dtype=torch.float64)
    assert torch.equal(metrics.ranked_probability_score(probs, torch.zeros(4)), torch.zeros(4))


def test_ranked_probability_score_is_the_crps_of_integer_samples():
    # samples on 0..K-1 as an empirical forecast: RPS of their frequencies == CRPS
    g = generator(8)
    samples = torch.randint(0, 6, (40, 9), generator=g).double()
    y = torch.randint(0, 6, (9,), generator=g)
    frequencies = torch.stack([(samples == k).double().mean(0) for k in range(6)], dim=1)
    torch.testing.assert_close(
        metrics.ranked_probability_score(frequencies, y), metrics.crps_samples(samples, y.double())
    )


def test_ranked_probability_score_is_proper():
    # the expected score sum_y q_y RPS(p, y) is smallest at p = q
    q = torch.tensor([0.1, 0.4, 0.2, 0.3], dtype=torch.float64)

    def expected(p):
        rows = p.expand(4, -1)
        return float((q * metrics.ranked_probability_score(rows, torch.arange(4))).sum())

    g = generator(9)
    for _ in range(200):
        p = torch.softmax(torch.randn(4, generator=g, dtype=torch.float64) * 2, dim=0)
        assert expected(p) >= expected(q)


def test_ranked_probability_score_accepts_an_ordinal_recipe_distribution():
    recipe = lr.Ordinal(4)
    outputs = torch.randn(5, 4, generator=generator(10), dtype=torch.float64)
    y = torch.tensor([0, 3, 1, 2, 2])
    probs = recipe.distribution(outputs).probs
    torch.testing.assert_close(
        metrics.ranked_probability_score(recipe.distribution(outputs), y), _rps_direct(probs, y)
    )


def test_ranked_probability_score_rejects_logits_and_labels_one_to_k():
    with pytest.raises(ValueError, match="probs: expected probabilities in"):
        metrics.ranked_probability_score(torch.randn(3, 4), torch.zeros(3))
    with pytest.raises(ValueError, match="y: expected class indices 0..3.*shifted"):
        metrics.ranked_probability_score(torch.full((2, 4), 0.25), torch.tensor([1, 4]))


# --- uniformity gap --------------------------------------------------------------------------


def test_uniformity_gap_equals_the_kolmogorov_smirnov_statistic():
    stats = pytest.importorskip("scipy.stats")
    u = torch.rand(57, generator=generator(11), dtype=torch.float64)
    expected = stats.kstest(u.numpy(), "uniform").statistic
    assert abs(float(metrics.uniformity_gap(u)) - expected) < 1e-15


def test_uniformity_gap_by_hand():
    # one value at 0.5: the empirical cdf jumps from 0 to 1 there, 0.5 from u either way
    assert float(metrics.uniformity_gap(torch.tensor([0.5]))) == 0.5
    # the midpoints of N equal bins are as close to uniform as N values get: 1 / (2N)
    u = (torch.arange(10, dtype=torch.float64) + 0.5) / 10
    assert abs(float(metrics.uniformity_gap(u)) - 0.05) < 1e-15
    assert float(metrics.uniformity_gap(torch.zeros(4))) == 1.0


def test_uniformity_gap_rejects_values_outside_zero_one_and_no_values():
    with pytest.raises(ValueError, match=r"pit_values: expected at least one value, all in"):
        metrics.uniformity_gap(torch.tensor([0.2, 1.5]))
    with pytest.raises(ValueError, match=r"pit_values: expected at least one value"):
        metrics.uniformity_gap(torch.zeros(0))
    with pytest.raises(ValueError, match=r"pit_values: expected shape \(N,\)"):
        metrics.uniformity_gap(torch.zeros(3, 2))
