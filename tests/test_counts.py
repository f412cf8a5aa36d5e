"""Counts: Poisson (large counts and rates, whole-number rates, integer counts), the
negative binomial against SciPy and mpmath, the zero-inflated Poisson against its
definition, and the mistakes a student makes with any of them."""

import math

import numpy as np
import pytest
import torch

import lossrecipe as lr

from .conftest import generator, grad_of

N = 64
TD = torch.distributions


def _count_batch(dtype, seed=0, spread=1.5):
    g = generator(seed)
    log_rate = spread * torch.randn(N, 1, generator=g, dtype=torch.float64)
    y = torch.poisson(torch.exp(log_rate[:, 0]), generator=g)
    return log_rate.to(dtype), y.to(dtype)


def test_poisson_large_counts_are_finite_and_exact(dtype):
    # log-rates up to 10 (rate ~ 22026) and counts up to 1e4, including y = rate.
    log_rate = torch.tensor([10.0, 10.0, 10.0, 9.0, 5.0, -30.0, -30.0, 0.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1e4, 22026.0, 8103.0, 1e4, 0.0, 3.0, 1e4], dtype=torch.float64)
    z = log_rate.unsqueeze(1).to(dtype)
    value, grad = grad_of(lambda o: lr.Poisson().nll(o, y.to(dtype), reduction="none"), z)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    # float64 closed form with math.lgamma; rounding error is relative to the largest term
    terms = [
        (math.exp(a), -b * a, math.lgamma(b + 1.0))
        for a, b in zip(log_rate.tolist(), y.tolist(), strict=True)
    ]
    expected = torch.tensor([sum(t) for t in terms], dtype=torch.float64)
    magnitude = torch.tensor([max(abs(u) for u in t) for t in terms], dtype=torch.float64)
    eps = torch.finfo(dtype).eps
    assert bool(((value.double() - expected).abs() <= 8 * eps * magnitude + 1e-300).all())
    # d/dz = exp(z) - y, which cancels when y ~ exp(z): again relative to the terms
    expected_grad = torch.exp(log_rate) - y
    grad_error = (grad[:, 0].double() - expected_grad).abs()
    assert bool((grad_error <= 8 * eps * (torch.exp(log_rate) + y) + 1e-300).all())


def test_poisson_integer_rate_returns_the_larger_of_its_two_modes():
    rates = torch.tensor([1.0, 2.0, 4.0, 6.0, 12.0, 17.0], dtype=torch.float64)
    z = torch.log(rates).unsqueeze(1)
    assert torch.equal(torch.exp(z[:, 0]), rates)  # these rates are exact whole numbers
    dist = lr.Poisson().distribution(z)
    torch.testing.assert_close(dist.log_prob(rates - 1), dist.log_prob(rates))
    assert bool((dist.log_prob(rates) > dist.log_prob(rates + 1)).all())
    assert torch.equal(lr.Poisson().predict(z), rates)


def test_poisson_accepts_integer_counts():
    z, y = _count_batch(torch.float32)
    r = lr.Poisson()
    torch.testing.assert_close(r.nll(z, y.long()), r.nll(z, y))


# --- NegativeBinomial (NB2) ------------------------------------------------------------------

COUNT_RECIPES = [lr.Poisson(), lr.NegativeBinomial(), lr.ZeroInflatedPoisson()]


def _nb_outputs(mu, alpha, dtype=torch.float64):
    """Raw outputs ``[log mu, softplus^-1 alpha]`` for the default link."""
    mu = torch.as_tensor(mu, dtype=torch.float64)
    alpha = torch.as_tensor(alpha, dtype=torch.float64)
    raw = alpha + torch.log(-torch.expm1(-alpha))
    return torch.stack([torch.log(mu), raw], dim=1).to(dtype)


def test_negative_binomial_matches_scipy_nbinom():
    scipy_stats = pytest.importorskip("scipy.stats")
    g = generator(0)
    mu = torch.exp(2.0 * torch.randn(200, generator=g, dtype=torch.float64))
    alpha = torch.exp(1.5 * torch.randn(200, generator=g, dtype=torch.float64))
    y = torch.poisson(mu * torch.distributions.Gamma(1 / alpha, 1 / alpha).sample(), generator=g)
    outputs = torch.stack([torch.log(mu), torch.log(alpha)], dim=1)
    recipe = lr.NegativeBinomial(link="exp")
    ours = recipe.nll(outputs, y, reduction="none")
    # scipy's nbinom counts failures before n successes of probability p:
    # n = r = 1 / alpha and p = r / (r + mu) = 1 / (1 + alpha mu).
    ref = -scipy_stats.nbinom.logpmf(y.numpy(), 1 / alpha.numpy(), 1 / (1 + (alpha * mu).numpy()))
    torch.testing.assert_close(ours, torch.from_numpy(ref), rtol=1e-10, atol=1e-10)
    theta = recipe.params(outputs)
    torch.testing.assert_close(theta["mean"], mu, rtol=1e-14, atol=0)
    torch.testing.assert_close(theta["dispersion"], alpha, rtol=1e-14, atol=0)


def test_negative_binomial_mean_and_variance_are_nb2():
    mu, alpha = torch.tensor([0.3, 2.0, 40.0]), torch.tensor([0.01, 1.0, 5.0])
    dist = lr.NegativeBinomial().distribution(_nb_outputs(mu, alpha))
    torch.testing.assert_close(dist.mean, mu.double())
    torch.testing.assert_close(dist.variance, (mu + alpha * mu**2).double())
    # and by summing the probabilities themselves, far into the tail
    k = torch.arange(0.0, 20000.0, dtype=torch.float64).unsqueeze(1)
    p = dist.log_prob(k.expand(-1, 3)).exp()
    torch.testing.assert_close(p.sum(0), torch.ones(3, dtype=torch.float64))
    mean = (k * p).sum(0)
    torch.testing.assert_close(mean, mu.double())
    torch.testing.assert_close(((k - mean) ** 2 * p).sum(0), (mu + alpha * mu**2).double())


def _nb_nll_mpmath(y, mu, alpha):
    mp = pytest.importorskip("mpmath")
    y, mu, alpha = mp.mpf(y), mp.mpf(mu), mp.mpf(alpha)
    r = 1 / alpha
    log_p = (
        mp.loggamma(y + r)
        - mp.loggamma(r)
        - mp.loggamma(y + 1)
        + r * mp.log(r / (r + mu))
        + y * mp.log(mu / (r + mu))
    )
    return -log_p


@pytest.mark.parametrize("alpha", [1e-12, 1e-8, 1e-4, 0.05, 0.099, 0.101, 3.0, 1e4])
@pytest.mark.parametrize("y, mu", [(0.0, 0.4), (3.0, 2.5), (7.0, 4.4), (77.0, 3.0), (1e4, 9e3)])
def test_negative_binomial_exact_from_near_poisson_to_very_dispersed(alpha, y, mu):
    # value and both gradients against 60-digit mpmath; torch's and scipy's own
    # lgamma[y + r] - lgamma[r] lose r log r * eps here (3e-3 at alpha = 1e-12).
    mp = pytest.importorskip("mpmath")
    outputs = _nb_outputs([mu], [alpha])
    target = torch.tensor([y], dtype=torch.float64)
    value, grad = grad_of(lambda o: lr.NegativeBinomial().nll(o, target), outputs)
    with mp.workdps(60):
        z, raw = (mp.mpf(float(v)) for v in outputs[0])

        def nll(log_mean, raw_dispersion):  # alpha = softplus(raw), as the recipe's link
            return _nb_nll_mpmath(y, mp.exp(log_mean), mp.log1p(mp.exp(raw_dispersion)))

        ref = nll(z, raw)
        d_z, d_raw = mp.diff(lambda t: nll(t, raw), z), mp.diff(lambda t: nll(z, t), raw)
    assert abs(float(value) - float(ref)) <= 4e-15 * (1.0 + abs(float(ref)) + y)
    for got, want in zip(grad[0].tolist(), (d_z, d_raw), strict=True):
        assert abs(got - float(want)) <= 1e-12 * (1.0 + abs(float(want)) + y)


def test_negative_binomial_tends_to_the_poisson():
    log_mu = torch.tensor([[-2.0], [0.0], [1.5], [4.0]], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 6.0, 40.0], dtype=torch.float64)
    poisson = lr.Poisson().nll(log_mu, y, reduction="none")
    for alpha in (1e-6, 1e-9, 1e-12):
        outputs = torch.cat([log_mu, torch.full_like(log_mu, math.log(alpha))], dim=1)
        nb = lr.NegativeBinomial(link="exp").nll(outputs, y, reduction="none")
        # NLL_NB - NLL_Poisson = alpha (y - (y - mu)^2) / 2 + O(alpha^2): expand
        # sum_{j<y} log1p[j alpha] - (1/alpha + y) log1p[alpha mu] + mu to first order
        mu = torch.exp(log_mu[:, 0])
        first_order = alpha * (y - (y - mu) ** 2) / 2
        torch.testing.assert_close(nb - poisson, first_order, rtol=1e-3, atol=1e-14)


@pytest.mark.parametrize("alpha", [1e-6, 0.3, 0.9, 1.0, 2.5])
def test_negative_binomial_predict_is_a_most_probable_count(alpha):
    mu = torch.tensor([0.2, 1.0, 3.7, 12.0, 250.0], dtype=torch.float64)
    outputs = _nb_outputs(mu, torch.full_like(mu, alpha))
    mode = lr.NegativeBinomial().predict(outputs)
    dist = lr.NegativeBinomial().distribution(outputs)
    k = torch.arange(0.0, 2000.0, dtype=torch.float64).unsqueeze(1).expand(-1, 5)
    best = dist.log_prob(k).max(dim=0).values
    assert bool((dist.log_prob(mode) >= best - 1e-12 * best.abs()).all())
    if alpha >= 1.0:  # r <= 1: the probabilities only fall
        assert bool((mode == 0).all())


def test_negative_binomial_whole_number_mode_returns_the_larger_of_two():
    # alpha = 0.5^2 exactly (square link); exp[log mu] == mu for these mu, and
    # mu (1 - alpha) = 3, 9, 24, 27 exactly
    mu = torch.tensor([4.0, 12.0, 32.0, 36.0], dtype=torch.float64)
    outputs = torch.stack([torch.log(mu), torch.full_like(mu, 0.5)], dim=1)
    recipe = lr.NegativeBinomial(link="square")
    assert torch.equal(recipe.params(outputs)["mean"] * 0.75, mu * 0.75)
    dist = recipe.distribution(outputs)
    mode = recipe.predict(outputs)
    assert torch.equal(mode, mu * 0.75)
    torch.testing.assert_close(dist.log_prob(mode), dist.log_prob(mode - 1), rtol=1e-13, atol=0)
    assert bool((dist.log_prob(mode) > dist.log_prob(mode + 1)).all())


def test_negative_binomial_unknown_link():
    with pytest.raises(ValueError, match=r"link: expected one of \['exp', 'softplus', 'square'\]"):
        lr.NegativeBinomial(link="relu")


# --- ZeroInflatedPoisson ---------------------------------------------------------------------


def _zip_reference(y, pi, lam):
    """log Pr(y) of the zero-inflated Poisson by its definition, in NumPy float64."""
    scipy_stats = pytest.importorskip("scipy.stats")
    poisson = scipy_stats.poisson.logpmf(y, lam)
    return np.where(y == 0, np.log(pi + (1 - pi) * np.exp(-lam)), np.log1p(-pi) + poisson)


def _zip_batch(n=300, seed=0):
    g = generator(seed)
    logit = 2.0 * torch.randn(n, generator=g, dtype=torch.float64)
    log_rate = 1.5 * torch.randn(n, generator=g, dtype=torch.float64)
    outputs = torch.stack([logit, log_rate], dim=1)
    y = lr.ZeroInflatedPoisson().distribution(outputs).sample()
    return outputs, y


def test_zero_inflated_poisson_matches_its_definition():
    torch.manual_seed(0)
    outputs, y = _zip_batch()
    pi, lam = torch.sigmoid(outputs[:, 0]).numpy(), torch.exp(outputs[:, 1]).numpy()
    ours = -lr.ZeroInflatedPoisson().nll(outputs, y, reduction="none")
    ref = torch.from_numpy(_zip_reference(y.numpy(), pi, lam))
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)
    assert int((y == 0).sum()) > 50 and int((y > 0).sum()) > 50  # both branches checked


def test_zero_inflated_poisson_moments_cdf_and_mode_by_enumeration():
    torch.manual_seed(1)
    outputs, _ = _zip_batch(n=40, seed=1)
    dist = lr.ZeroInflatedPoisson().distribution(outputs)
    k = torch.arange(0.0, 400.0, dtype=torch.float64).unsqueeze(1).expand(-1, 40)
    p = dist.log_prob(k).exp()
    torch.testing.assert_close(p.sum(0), torch.ones(40, dtype=torch.float64))
    torch.testing.assert_close((k * p).sum(0), dist.mean)
    torch.testing.assert_close(((k - dist.mean) ** 2 * p).sum(0), dist.variance)
    # torch.special.gammaincc itself is good to about 1e-9 for counts in the tens
    # (Q[21, 20] = 0.55909258463 against mpmath's 0.55909258423)
    torch.testing.assert_close(dist.cdf(k), p.cumsum(0), rtol=0, atol=2e-9)
    torch.testing.assert_close(dist.cdf(k + 0.5), dist.cdf(k))  # a staircase
    assert bool((dist.cdf(torch.full((40,), -0.5, dtype=torch.float64)) == 0).all())
    mode = lr.ZeroInflatedPoisson().predict(outputs)
    best = p.max(dim=0).values
    assert bool((dist.log_prob(mode).exp() >= best * (1 - 1e-12)).all())
    assert torch.equal(dist.mode, mode)


def test_zero_inflated_poisson_samples_have_its_moments():
    outputs = torch.tensor([[0.5, 1.2]], dtype=torch.float64).expand(40000, -1)
    torch.manual_seed(2)
    dist = lr.ZeroInflatedPoisson().distribution(outputs)
    draws = dist.sample()
    assert draws.shape == (40000,) and dist.sample((3,)).shape == (3, 40000)
    pi, lam = torch.sigmoid(torch.tensor(0.5)), torch.exp(torch.tensor(1.2))
    zero_share = float((draws == 0).double().mean())
    p0 = float(pi + (1 - pi) * torch.exp(-lam))
    assert abs(zero_share - p0) < 5 * math.sqrt(p0 * (1 - p0) / 40000)
    sd = float(dist.variance[0].sqrt())
    assert abs(float(draws.mean()) - float(dist.mean[0])) < 5 * sd / math.sqrt(40000)


@pytest.mark.parametrize("count", [0.0, 1.0, 7.0])
def test_zero_inflated_poisson_is_exact_at_extreme_logits(dtype, count):
    # logits +-1e4 and log-rates +-30: pi is 1 or 0 to every digit of the float, and the
    # zero's two routes differ by factors like e^-1e4; against 50-digit mpmath
    mp = pytest.importorskip("mpmath")
    logit = [1e4, 1e4, -1e4, -1e4, -1e4, 40.0, -30.0]
    log_rate = [30.0, -30.0, 30.0, -30.0, 1.0, 5.0, 3.0]
    outputs = torch.tensor([logit, log_rate], dtype=dtype).T
    y = torch.full((7,), count, dtype=dtype)
    value, grad = grad_of(lambda o: lr.ZeroInflatedPoisson().nll(o, y, "none"), outputs)
    assert bool(torch.isfinite(grad).all())
    with mp.workdps(50):
        expected = []
        for w, z in zip(logit, log_rate, strict=True):
            pi, not_pi = 1 / (1 + mp.exp(-mp.mpf(w))), 1 / (1 + mp.exp(mp.mpf(w)))
            lam = mp.exp(mp.mpf(z))
            poisson = mp.exp(-lam) * lam**count / mp.factorial(count)
            pr = pi + not_pi * poisson if count == 0 else not_pi * poisson
            expected.append(float(-mp.log(pr)))
    expected = torch.tensor(expected, dtype=torch.float64)
    # the terms (lambda, y log lambda, 1e4) are exact to eps relative to their size
    size = torch.tensor(logit).abs() + torch.exp(torch.tensor(log_rate)) + 30 * count
    eps = torch.finfo(dtype).eps
    assert bool(((value.double() - expected).abs() <= 4 * eps * size.double()).all())


def test_zero_inflated_poisson_distribution_takes_probabilities_or_logits():
    rate = torch.tensor([1.0, 3.0])
    by_probs = lr.distributions.ZeroInflatedPoisson(rate, zero_inflation=torch.tensor([0.2, 0.0]))
    by_logits = lr.distributions.ZeroInflatedPoisson(
        rate, logits=torch.logit(torch.tensor([0.2, 0.0]))
    )
    y = torch.tensor([0.0, 2.0])
    torch.testing.assert_close(by_probs.log_prob(y), by_logits.log_prob(y))
    poisson = torch.distributions.Poisson(rate[1])
    torch.testing.assert_close(by_probs.log_prob(y)[1], poisson.log_prob(y[1]))  # pi = 0
    with pytest.raises(ValueError, match="zero_inflation, logits: expected exactly one"):
        lr.distributions.ZeroInflatedPoisson(rate)
    with pytest.raises(ValueError, match="zero_inflation, logits: expected exactly one"):
        lr.distributions.ZeroInflatedPoisson(rate, zero_inflation=0.1, logits=0.0)
    with pytest.raises(ValueError, match=r"zero_inflation: expected probabilities in \[0, 1\]"):
        lr.distributions.ZeroInflatedPoisson(rate, zero_inflation=torch.tensor([0.5, 1.5]))


# --- bad input, for every count recipe ----------------------------------------------------------


@pytest.mark.parametrize("recipe", COUNT_RECIPES, ids=repr)
def test_count_recipes_refuse_rates_where_counts_belong(recipe):
    outputs = torch.zeros(3, recipe.num_outputs)
    with pytest.raises(ValueError, match="y: expected non-negative integer counts, got the fract"):
        recipe.nll(outputs, torch.tensor([0.0, 2.5, 2.0]))
    with pytest.raises(ValueError, match="y: expected non-negative integer counts, got the neg"):
        recipe.nll(outputs, torch.tensor([0.0, -1.0, 2.0]))


@pytest.mark.parametrize("recipe", COUNT_RECIPES[1:], ids=repr)
def test_two_parameter_count_recipes_need_two_columns(recipe):
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 2\).*got \(3, 1\)"):
        recipe.nll(torch.zeros(3, 1), torch.zeros(3))
    with pytest.raises(ValueError, match=r"y: expected shape \(3,\).*got \(3, 1\).*squeeze"):
        recipe.nll(torch.zeros(3, 2), torch.zeros(3, 1))
