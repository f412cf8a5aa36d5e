"""Poisson, Laplace, VonMises, GaussianMixture and Independent against torch.distributions."""

import math
import re

import mpmath
import pytest
import torch
import torch.nn.functional as F
from scipy.special import i0e as scipy_i0e

import lossrecipe as lr
from lossrecipe.validation import check_count_targets, check_positive_integer

from .conftest import tol

N = 64
TD = torch.distributions


def _grad(fn, outputs):
    outputs = outputs.detach().clone().requires_grad_(True)
    value = fn(outputs)
    (grad,) = torch.autograd.grad(value.sum(), outputs)
    return value.detach(), grad


def _reduce(terms, reduction):
    return {"sum": terms.sum, "mean": terms.mean, "none": lambda: terms}[reduction]()


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _scaled(dtype, scale):
    """Tolerances for values whose float rounding error is relative to ``scale``."""
    return dict(rtol=tol(dtype)["rtol"], atol=tol(dtype)["atol"] * max(1.0, scale))


# --- Poisson ----------------------------------------------------------------------------


def _count_batch(dtype, seed=0, spread=1.5):
    g = _gen(seed)
    log_rate = spread * torch.randn(N, 1, generator=g, dtype=torch.float64)
    y = torch.poisson(torch.exp(log_rate[:, 0]), generator=g)
    return log_rate.to(dtype), y.to(dtype)


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_poisson_matches_distribution(dtype, reduction):
    z, y = _count_batch(dtype)
    r = lr.Poisson()
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), z)
    ref, ref_grad = _grad(
        lambda o: _reduce(-TD.Poisson(torch.exp(o[:, 0])).log_prob(y), reduction), z
    )
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))
    assert r.distribution(z).batch_shape == (N,)
    torch.testing.assert_close(r.params(z)["rate"], torch.exp(z[:, 0]))


def test_poisson_large_counts_are_finite_and_exact(dtype):
    # log-rates up to 10 (rate ~ 22026) and counts up to 1e4, including y = rate.
    log_rate = torch.tensor([10.0, 10.0, 10.0, 9.0, 5.0, -30.0, -30.0, 0.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1e4, 22026.0, 8103.0, 1e4, 0.0, 3.0, 1e4], dtype=torch.float64)
    z = log_rate.unsqueeze(1).to(dtype)
    value, grad = _grad(lambda o: lr.Poisson().nll(o, y.to(dtype), reduction="none"), z)
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


def test_poisson_predict_is_the_mode():
    z, _ = _count_batch(torch.float64, seed=1, spread=1.0)
    dist = lr.Poisson().distribution(z)
    support = torch.arange(0.0, 200.0, dtype=torch.float64)
    log_probs = dist.log_prob(support.unsqueeze(1).expand(-1, N))  # (200, N)
    torch.testing.assert_close(lr.Poisson().predict(z), support[log_probs.argmax(dim=0)])


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


# --- Laplace ----------------------------------------------------------------------------


def _regression_batch(dtype, seed=0, columns=1):
    g = _gen(seed)
    outputs = torch.randn(N, columns, generator=g, dtype=torch.float64)
    y = torch.randn(N, generator=g, dtype=torch.float64)
    return outputs.to(dtype), y.to(dtype)


@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_laplace_matches_distribution(dtype, scale, reduction):
    mu, y = _regression_batch(dtype, seed=2)
    r = lr.Laplace(scale=scale)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), mu)
    ref, ref_grad = _grad(lambda o: _reduce(-TD.Laplace(o[:, 0], scale).log_prob(y), reduction), mu)
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    torch.testing.assert_close(ours, ref, **_scaled(dtype, 1 / scale))
    torch.testing.assert_close(ours_grad, ref_grad, **_scaled(dtype, 1 / scale))
    assert r.distribution(mu).batch_shape == (N,)


@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0])
def test_laplace_is_l1_loss_up_to_constants(scale):
    mu, y = _regression_batch(torch.float64, seed=3)
    value = lr.Laplace(scale=scale).nll(mu, y, reduction="sum")
    expected = F.l1_loss(mu[:, 0], y, reduction="sum") / scale + N * math.log(2 * scale)
    torch.testing.assert_close(value, expected, rtol=1e-12, atol=0.0)


def test_laplace_params_and_predict_is_the_mode():
    mu, _ = _regression_batch(torch.float64, seed=4)
    r = lr.Laplace(scale=0.2)
    theta = r.params(mu)
    torch.testing.assert_close(theta["scale"], torch.full((N,), 0.2, dtype=torch.float64))
    grid = torch.linspace(-5.0, 5.0, 100001, dtype=torch.float64)
    log_probs = r.distribution(mu).log_prob(grid.unsqueeze(1).expand(-1, N))
    step = float(grid[1] - grid[0])
    assert bool(((r.predict(mu) - grid[log_probs.argmax(dim=0)]).abs() <= step).all())
    torch.testing.assert_close(r.predict(mu), theta["location"])


# --- von Mises --------------------------------------------------------------------------

KAPPAS = [1e-3, 1.0, 30.0, 500.0]


def _angle_batch(dtype, seed=5):
    g = _gen(seed)
    mu = 4.0 * torch.randn(N, 1, generator=g, dtype=torch.float64)
    y = 4.0 * torch.randn(N, generator=g, dtype=torch.float64)  # any real angle
    return mu.to(dtype), y.to(dtype)


def _von_mises_closed_form(mu, y, kappa):
    """-log Pr in float64 with SciPy's i0e: -kappa cos(y - mu) + log(2 pi) + log I0(kappa)."""
    log_i0 = math.log(scipy_i0e(kappa)) + kappa
    return -kappa * torch.cos(y - mu) + math.log(2 * math.pi) + log_i0


@pytest.mark.parametrize("kappa", KAPPAS)
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_von_mises_matches_distribution(dtype, kappa, reduction):
    mu, y = _angle_batch(dtype)
    r = lr.VonMises(concentration=kappa)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), mu)
    ref, ref_grad = _grad(
        lambda o: _reduce(
            -TD.VonMises(o[:, 0], torch.full_like(o[:, 0], kappa)).log_prob(y), reduction
        ),
        mu,
    )
    # torch approximates log I0 by polynomials (error ~5e-7), hence atol 1e-6 in float64;
    # float32 rounds kappa cos(.) and log I0 (~kappa) before cancelling them.
    value_tol = dict(rtol=1e-5, atol=1e-5 * max(1.0, kappa))
    if dtype == torch.float64:
        value_tol = dict(rtol=1e-9, atol=1e-6 * (N if reduction == "sum" else 1))
    torch.testing.assert_close(ours, ref, **value_tol)
    torch.testing.assert_close(ours_grad, ref_grad, **_scaled(dtype, kappa))
    assert r.distribution(mu).batch_shape == (N,)


@pytest.mark.parametrize("kappa", KAPPAS)
def test_von_mises_is_exact_for_large_concentrations(dtype, kappa):
    mu, y = _angle_batch(dtype, seed=6)
    mu[:8, 0] = y[:8] + torch.tensor([0, 1e-4, -1e-3, 1e-2, 0.5, -2.0, 3.0, math.pi], dtype=dtype)
    value, grad = _grad(lambda o: lr.VonMises(kappa).nll(o, y, reduction="none"), mu)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    # 50-digit closed form at the gap y - mu as the recipe sees it (rounded to dtype):
    # -kappa cos(gap) + log(2 pi) + log I0(kappa)
    gaps = (y - mu[:, 0]).tolist()
    with mpmath.workdps(50):
        k = mpmath.mpf(kappa)
        constant = mpmath.log(2 * mpmath.pi) + mpmath.log(mpmath.besseli(0, k))
        expected = [float(-k * mpmath.cos(mpmath.mpf(t)) + constant) for t in gaps]
    expected = torch.tensor(expected, dtype=torch.float64)
    # the stable form's error is relative to its size, kappa (1 - cos) + O(1), not to kappa
    eps = torch.finfo(dtype).eps
    assert bool(((value.double() - expected).abs() <= 8 * eps * (expected.abs() + 8)).all())
    expected_grad = -kappa * torch.sin(torch.tensor(gaps, dtype=torch.float64))
    torch.testing.assert_close(grad[:, 0].double(), expected_grad, rtol=8 * eps, atol=8 * eps)


def test_von_mises_closed_form_at_the_mean_for_kappa_500():
    value = lr.VonMises(500.0).nll(torch.zeros(1, 1, dtype=torch.float64), torch.zeros(1))
    # log I0(500) - 500 - log(2 pi) + log(2 pi) = log i0e(500), i0e(500) ~ 1/sqrt(2 pi 500)
    expected = math.log(2 * math.pi) + math.log(scipy_i0e(500.0))
    assert abs(float(value) - expected) < 1e-12
    assert abs(expected - (math.log(2 * math.pi) - 0.5 * math.log(2 * math.pi * 500))) < 1e-3


def test_von_mises_is_periodic_in_y(dtype):
    mu, y = _angle_batch(dtype, seed=7)
    r = lr.VonMises(3.0)
    shifted = r.nll(mu, y + 6 * math.pi, reduction="none")
    torch.testing.assert_close(shifted, r.nll(mu, y, reduction="none"), **_scaled(dtype, 30.0))


def test_von_mises_predict_wraps_into_minus_pi_pi(dtype):
    pi = torch.tensor(math.pi, dtype=dtype)
    raw = torch.stack(
        [
            pi,
            -pi,
            torch.nextafter(pi, torch.tensor(4.0, dtype=dtype)),
            torch.nextafter(-pi, torch.tensor(-4.0, dtype=dtype)),
            torch.tensor(0.0, dtype=dtype),
            torch.tensor(1e-3, dtype=dtype),
            2 * pi,
            3 * pi,
            -3 * pi,
            torch.tensor(7.0, dtype=dtype),
            torch.tensor(-7.0, dtype=dtype),
            torch.tensor(1e3, dtype=dtype),
        ]
    ).unsqueeze(1)
    wrapped = lr.VonMises(2.0).predict(raw)
    assert bool(((wrapped > -pi) & (wrapped <= pi)).all())
    assert wrapped[0] == pi and wrapped[1] == pi  # exactly pi and exactly -pi both map to pi
    assert wrapped[4] == 0 and wrapped[5] == raw[5, 0]  # angles in range are kept exactly
    torch.testing.assert_close(torch.cos(wrapped), torch.cos(raw[:, 0]), **_scaled(dtype, 1e3))
    torch.testing.assert_close(torch.sin(wrapped), torch.sin(raw[:, 0]), **_scaled(dtype, 1e3))


def test_von_mises_predict_is_the_mode():
    mu, _ = _angle_batch(torch.float64, seed=8)
    r = lr.VonMises(4.0)
    grid = torch.linspace(-math.pi, math.pi, 20001, dtype=torch.float64)[1:]
    log_probs = r.distribution(mu).log_prob(grid.unsqueeze(1).expand(-1, N))
    best = grid[log_probs.argmax(dim=0)]
    gap = torch.remainder(r.predict(mu) - best + math.pi, 2 * math.pi) - math.pi
    assert bool((gap.abs() <= float(grid[1] - grid[0])).all())
    assert set(r.params(mu)) == {"mean_direction", "concentration"}


# --- Gaussian mixture -------------------------------------------------------------------


def _mixture_reference(outputs, k, link):
    h = lr.links.get_link(link)
    logits, means, raw_var = outputs[:, :k], outputs[:, k : 2 * k], outputs[:, 2 * k :]
    return TD.MixtureSameFamily(TD.Categorical(logits=logits), TD.Normal(means, h(raw_var).sqrt()))


def _mixture_batch(dtype, k, seed=9):
    g = _gen(seed)
    outputs = torch.randn(N, 3 * k, generator=g, dtype=torch.float64)
    outputs[:, k : 2 * k] *= 2.0
    y = 2.0 * torch.randn(N, generator=g, dtype=torch.float64)
    return outputs.to(dtype), y.to(dtype)


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("link", ["softplus", "exp", "square"])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_mixture_matches_mixture_same_family(dtype, k, link, reduction):
    outputs, y = _mixture_batch(dtype, k)
    r = lr.GaussianMixture(num_components=k, link=link)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), outputs)
    ref, ref_grad = _grad(
        lambda o: _reduce(-_mixture_reference(o, k, link).log_prob(y), reduction), outputs
    )
    # the square link's tiny variances (raw output near 0) make large, steep terms
    scale = 1.0 if link != "square" else float(ours.abs().max())
    torch.testing.assert_close(ours, ref, **_scaled(dtype, scale))
    torch.testing.assert_close(ours_grad, ref_grad, **_scaled(dtype, float(ref_grad.abs().max())))
    assert r.distribution(outputs).batch_shape == (N,)


def test_mixture_nll_is_the_closed_form():
    outputs = torch.tensor([[0.3, -0.2, -1.0, 2.0, 0.5, -0.7]], dtype=torch.float64)
    y = torch.tensor([0.4], dtype=torch.float64)
    w = torch.softmax(outputs[0, :2], 0).tolist()
    mu = outputs[0, 2:4].tolist()
    var = torch.exp(outputs[0, 4:]).tolist()
    density = sum(
        w[i] * math.exp(-((0.4 - mu[i]) ** 2) / (2 * var[i])) / math.sqrt(2 * math.pi * var[i])
        for i in range(2)
    )
    value = lr.GaussianMixture(2, link="exp").nll(outputs, y)
    assert abs(float(value) + math.log(density)) < 1e-14


@pytest.mark.parametrize("link, raw_var", [("softplus", -14.0), ("exp", -14.0), ("exp", 10.0)])
def test_mixture_separated_components_and_tiny_variances_stay_finite(dtype, link, raw_var):
    # two components at -1e3 and +1e3 with variance ~8e-7 (or ~2e4); y at, near, and between them
    outputs = torch.tensor([[0.5, -0.5, -1e3, 1e3, raw_var, raw_var]], dtype=dtype).repeat(5, 1)
    y = torch.tensor([-1e3, 1e3, 1e3 + 1e-3, 0.0, -1e3 - 2e-3], dtype=dtype)
    r = lr.GaussianMixture(2, link=link)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = _grad(lambda o: -_mixture_reference(o, 2, link).log_prob(y), outputs)
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    torch.testing.assert_close(ours, ref, **_scaled(dtype, float(ours.abs().max())))
    torch.testing.assert_close(ours_grad, ref_grad, **_scaled(dtype, float(ref_grad.abs().max())))


def _grid_mode(dist, means, sds, num=40001):
    low = (means - 5 * sds).min(dim=1).values
    high = (means + 5 * sds).max(dim=1).values
    grid = low.unsqueeze(1) + (high - low).unsqueeze(1) * torch.linspace(
        0, 1, num, dtype=means.dtype
    )
    log_probs = dist.log_prob(grid.T).T  # (N, num)
    best = log_probs.max(dim=1)
    return grid.gather(1, best.indices.unsqueeze(1))[:, 0], best.values, (high - low) / (num - 1)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_mixture_predict_is_the_highest_mode(k, link):
    g = _gen(10 + k)
    outputs = torch.cat(
        [
            2.0 * torch.randn(N, k, generator=g, dtype=torch.float64),
            2.0 * torch.randn(N, k, generator=g, dtype=torch.float64),
            1.5 * torch.randn(N, k, generator=g, dtype=torch.float64),
        ],
        dim=1,
    )
    r = lr.GaussianMixture(k, link=link)
    theta = r.params(outputs)
    dist = r.distribution(outputs)
    best_y, best_log_prob, step = _grid_mode(dist, theta["means"], theta["variances"].sqrt())
    mode = r.predict(outputs)
    assert mode.shape == (N,)
    # at least as high as the best grid point, and at that point (to the grid's resolution)
    assert bool((dist.log_prob(mode) >= best_log_prob - 1e-12).all())
    assert bool(((mode - best_y).abs() <= 2 * step).all())


def test_mixture_mode_is_not_at_a_component_mean():
    # equal, overlapping components at -0.5 and 0.5 (unit variance): one mode, at 0
    # a heavy broad component at 0 and a light narrow one at 3: the narrow one is taller
    outputs = torch.tensor(
        [
            [0.0, 0.0, -0.5, 0.5, 0.0, 0.0],
            [math.log(0.9), math.log(0.1), 0.0, 3.0, math.log(4.0), math.log(1e-4)],
        ],
        dtype=torch.float64,
    )
    mode = lr.GaussianMixture(2, link="exp").predict(outputs)
    assert abs(float(mode[0])) < 1e-10
    # near 3, pulled towards 0 by the broad component's slope: a fixed point of the iteration
    w, var = torch.tensor([0.9, 0.1]), torch.tensor([4.0, 1e-4])
    mu = torch.tensor([0.0, 3.0])
    r = w * torch.exp(-((mode[1] - mu) ** 2) / (2 * var)) / torch.sqrt(var)
    fixed_point = float((r * mu / var).sum() / (r / var).sum())
    assert abs(float(mode[1]) - 3.0) < 1e-3 and abs(float(mode[1]) - fixed_point) < 1e-6


def test_mixture_predict_with_separated_components(dtype):
    # the taller peak is w / sqrt(2 pi var): component 2 (weight 0.3, variance 1e-6) wins
    outputs = torch.tensor(
        [[math.log(0.7), math.log(0.3), -1e3, 1e3, math.log(1e-4), math.log(1e-6)]], dtype=dtype
    )
    mode = lr.GaussianMixture(2, link="exp").predict(outputs)
    assert bool(torch.isfinite(mode).all())
    torch.testing.assert_close(mode, torch.tensor([1e3], dtype=dtype), **tol(dtype))


def test_mixture_params():
    outputs, _ = _mixture_batch(torch.float64, 3)
    r = lr.GaussianMixture(3)
    theta = r.params(outputs)
    assert r.num_outputs == 9 and set(theta) == {"weights", "means", "variances"}
    torch.testing.assert_close(theta["weights"].sum(dim=1), torch.ones(N, dtype=torch.float64))
    torch.testing.assert_close(theta["means"], outputs[:, 3:6])
    torch.testing.assert_close(theta["variances"], F.softplus(outputs[:, 6:]))


# --- Independent ------------------------------------------------------------------------

D = 3


BASES = {
    "gaussian": (
        lambda: lr.Gaussian(sigma=0.3),
        lambda o: TD.Normal(o[..., 0], torch.full_like(o[..., 0], 0.3)),
        "real",
    ),
    "heteroscedastic": (
        lambda: lr.HeteroscedasticGaussian(),
        lambda o: TD.Normal(o[..., 0], F.softplus(o[..., 1]).sqrt()),
        "real",
    ),
    "laplace": (
        lambda: lr.Laplace(scale=0.5),
        lambda o: TD.Laplace(o[..., 0], torch.full_like(o[..., 0], 0.5)),
        "real",
    ),
    "poisson": (lambda: lr.Poisson(), lambda o: TD.Poisson(torch.exp(o[..., 0])), "count"),
    "bernoulli": (lambda: lr.Bernoulli(), lambda o: TD.Bernoulli(logits=o[..., 0]), "binary"),
    "categorical": (lambda: lr.Categorical(3), lambda o: TD.Categorical(logits=o), "class"),
    "von_mises": (
        lambda: lr.VonMises(2.0),
        lambda o: TD.VonMises(o[..., 0], torch.full_like(o[..., 0], 2.0)),
        "real",
    ),
    "mixture": (
        lambda: lr.GaussianMixture(2),
        lambda o: TD.MixtureSameFamily(
            TD.Categorical(logits=o[..., :2]), TD.Normal(o[..., 2:4], F.softplus(o[..., 4:]).sqrt())
        ),
        "real",
    ),
}


def _independent_batch(make, kind, dtype, seed=20):
    base = make()
    g = _gen(seed)
    outputs = torch.randn(N, D * base.num_outputs, generator=g, dtype=torch.float64)
    if kind == "real":
        y = torch.randn(N, D, generator=g, dtype=torch.float64)
    elif kind == "count":
        y = torch.poisson(torch.full((N, D), 2.0, dtype=torch.float64), generator=g)
    elif kind == "binary":
        y = (torch.rand(N, D, generator=g) < 0.5).double()
    else:
        return outputs.to(dtype), torch.randint(0, 3, (N, D), generator=g)
    return outputs.to(dtype), y.to(dtype)


@pytest.mark.parametrize("name", list(BASES))
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_independent_matches_torch_independent(dtype, name, reduction):
    make, reference, kind = BASES[name]
    base = make()
    outputs, y = _independent_batch(make, kind, dtype)
    r = lr.Independent(base, num_dims=D)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), outputs)

    def ref_nll(o):
        blocks = o.reshape(N, D, base.num_outputs)  # block d = columns d*P .. (d+1)*P - 1
        return _reduce(-TD.Independent(reference(blocks), 1).log_prob(y), reduction)

    ref, ref_grad = _grad(ref_nll, outputs)
    # torch's von Mises normaliser is a polynomial approximation (error ~5e-7)
    value_tol = dict(rtol=1e-9, atol=1e-5) if name == "von_mises" else tol(dtype)
    torch.testing.assert_close(ours, ref, **(value_tol if dtype == torch.float64 else tol(dtype)))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))


@pytest.mark.parametrize("name", list(BASES))
def test_independent_is_the_sum_of_its_blocks(name):
    make, _, kind = BASES[name]
    base = make()
    outputs, y = _independent_batch(make, kind, torch.float64, seed=21)
    r = lr.Independent(base, D)
    p = base.num_outputs
    blocks = [outputs[:, d * p : (d + 1) * p] for d in range(D)]
    per_block = torch.stack([base.nll(b, y[:, d], "none") for d, b in enumerate(blocks)], dim=1)
    torch.testing.assert_close(r.nll(outputs, y, "none"), per_block.sum(dim=1))
    predicted = torch.stack([base.predict(b) for b in blocks], dim=1)
    assert r.predict(outputs).shape == (N, D)
    torch.testing.assert_close(r.predict(outputs), predicted)
    for key, value in r.params(outputs).items():
        expected = torch.stack([base.params(b)[key] for b in blocks], dim=1)
        assert value.shape[:2] == (N, D)
        torch.testing.assert_close(value, expected)
    dist = r.distribution(outputs)
    assert dist.batch_shape == (N,) and dist.event_shape == (D,)
    # torch's von Mises normaliser is a polynomial approximation (error ~5e-7)
    value_tol = dict(rtol=1e-9, atol=1e-5) if name == "von_mises" else tol(torch.float64)
    torch.testing.assert_close(-dist.log_prob(y), r.nll(outputs, y, "none"), **value_tol)


def test_independent_heteroscedastic_is_a_diagonal_multivariate_normal(dtype):
    outputs, _ = _regression_batch(dtype, seed=22, columns=4)
    y = torch.randn(N, 2, generator=_gen(23), dtype=torch.float64).to(dtype)
    r = lr.Independent(lr.HeteroscedasticGaussian(link="exp"), num_dims=2)
    assert r.num_outputs == 4

    def reference(o):
        mean = o[:, [0, 2]]
        covariance = torch.diag_embed(torch.exp(o[:, [1, 3]]))
        return -TD.MultivariateNormal(mean, covariance).log_prob(y)

    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = _grad(reference, outputs)
    torch.testing.assert_close(ours, ref, **_scaled(dtype, 10.0))
    torch.testing.assert_close(ours_grad, ref_grad, **_scaled(dtype, 10.0))


def test_independent_vector_parameters_have_a_trailing_size():
    r = lr.Independent(lr.GaussianMixture(3), num_dims=2)
    outputs = torch.randn(5, 18, generator=_gen(24))
    theta = r.params(outputs)
    assert {k: tuple(v.shape) for k, v in theta.items()} == {
        "weights": (5, 2, 3),
        "means": (5, 2, 3),
        "variances": (5, 2, 3),
    }


# --- Shared contract --------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipe, expected",
    [
        (lr.Poisson(), 1),
        (lr.Laplace(scale=0.3), 1),
        (lr.VonMises(concentration=2.0), 1),
        (lr.GaussianMixture(num_components=4), 12),
        (lr.Independent(lr.HeteroscedasticGaussian(), num_dims=2), 4),
        (lr.Independent(lr.GaussianMixture(2), num_dims=3), 18),
    ],
)
def test_num_outputs(recipe, expected):
    assert recipe.num_outputs == expected


def test_reprs_name_the_settings():
    assert repr(lr.Poisson()) == "Poisson()"
    assert repr(lr.Laplace(scale=0.5)) == "Laplace(scale=0.5)"
    assert repr(lr.VonMises(concentration=4)) == "VonMises(concentration=4.0)"
    assert repr(lr.GaussianMixture(3, "exp")) == "GaussianMixture(num_components=3, link='exp')"
    assert (
        repr(lr.Independent(lr.HeteroscedasticGaussian(), 2))
        == "Independent(HeteroscedasticGaussian(link='softplus'), num_dims=2)"
    )


def test_new_names_are_exported():
    for name in ("Poisson", "Laplace", "VonMises", "GaussianMixture", "Independent"):
        assert name in lr.__all__ and issubclass(getattr(lr, name), lr.Recipe)


# --- Bad input: one test per mistake ----------------------------------------------------


def test_negative_count():
    with pytest.raises(
        ValueError, match="y: expected non-negative integer counts, got the negative"
    ):
        lr.Poisson().nll(torch.zeros(3, 1), torch.tensor([0.0, -1.0, 2.0]))


def test_fractional_count():
    with pytest.raises(
        ValueError, match="y: expected non-negative integer counts, got the fractional value 2.5"
    ):
        lr.Poisson().nll(torch.zeros(3, 1), torch.tensor([0.0, 2.5, 2.0]))


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_count(bad):
    with pytest.raises(ValueError, match="y: expected finite values, got 1 NaN or infinite"):
        lr.Poisson().nll(torch.zeros(2, 1), torch.tensor([1.0, bad]))


def test_boolean_counts():
    with pytest.raises(ValueError, match="y: expected non-negative integer counts, got dtype"):
        lr.Poisson().nll(torch.zeros(2, 1), torch.tensor([True, False]))


def test_count_column_would_broadcast():
    with pytest.raises(ValueError, match=r"y: expected shape \(4,\).*got \(4, 1\).*squeeze"):
        lr.Poisson().nll(torch.zeros(4, 1), torch.zeros(4, 1))


@pytest.mark.parametrize(
    "y_shape, shown", [((5,), "(5)"), ((5, 3), "(5, 3)")], ids=["one-column", "one-too-many"]
)
def test_independent_wrong_target_shape(y_shape, shown):
    r = lr.Independent(lr.HeteroscedasticGaussian(), num_dims=2)
    with pytest.raises(ValueError, match=r"y: expected shape \(5, 2\).*got " + re.escape(shown)):
        r.nll(torch.zeros(5, 4), torch.zeros(y_shape))


def test_independent_trailing_one_gets_a_hint():
    r = lr.Independent(lr.Gaussian(sigma=1.0), num_dims=2)
    with pytest.raises(ValueError, match=r"y: expected shape \(5, 2\).*got \(5, 2, 1\).*squeeze"):
        r.nll(torch.zeros(5, 2), torch.zeros(5, 2, 1))


def test_independent_checks_the_base_support():
    r = lr.Independent(lr.Bernoulli(), num_dims=2)
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1, got 2.0"):
        r.nll(torch.zeros(2, 2), torch.tensor([[0.0, 1.0], [1.0, 2.0]]))


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan, math.inf, "wide"])
def test_non_positive_laplace_scale(scale):
    with pytest.raises(ValueError, match="scale: expected a positive"):
        lr.Laplace(scale=scale)


@pytest.mark.parametrize("kappa", [0.0, -2.0, math.nan, math.inf])
def test_non_positive_concentration(kappa):
    with pytest.raises(ValueError, match="concentration: expected a positive"):
        lr.VonMises(concentration=kappa)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_number_of_components(k):
    with pytest.raises(ValueError, match="num_components: expected an integer >= 1"):
        lr.GaussianMixture(num_components=k)


def test_unknown_mixture_variance_link():
    with pytest.raises(ValueError, match="link: expected one of .*got 'relu'"):
        lr.GaussianMixture(2, link="relu")


@pytest.mark.parametrize("d", [0, -2, 1.5, False])
def test_bad_number_of_dimensions(d):
    with pytest.raises(ValueError, match="num_dims: expected an integer >= 1"):
        lr.Independent(lr.Gaussian(), num_dims=d)


def test_independent_of_something_not_a_recipe():
    with pytest.raises(ValueError, match="recipe: expected a Recipe instance, got str"):
        lr.Independent("gaussian", num_dims=2)


def test_independent_of_independent():
    with pytest.raises(ValueError, match="recipe: expected a recipe with one target per example"):
        lr.Independent(lr.Independent(lr.Gaussian(), 2), num_dims=2)


@pytest.mark.parametrize(
    "recipe, given",
    [
        (lr.Poisson(), 2),
        (lr.Laplace(), 2),
        (lr.VonMises(), 2),
        (lr.GaussianMixture(2), 5),
        (lr.Independent(lr.HeteroscedasticGaussian(), 2), 2),
    ],
    ids=["poisson", "laplace", "von_mises", "mixture", "independent"],
)
def test_wrong_number_of_output_columns(recipe, given):
    with pytest.raises(
        ValueError,
        match=rf"outputs: expected shape \(N, {recipe.num_outputs}\).*got \(3, {given}\)",
    ):
        recipe.nll(torch.zeros(3, given), torch.zeros(3))


def test_predict_and_params_check_outputs_too():
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 6\)"):
        lr.GaussianMixture(2).predict(torch.zeros(3, 4))
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 4\)"):
        lr.Independent(lr.HeteroscedasticGaussian(), 2).params(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="outputs: expected a torch.Tensor"):
        lr.Independent(lr.Poisson(), 2).predict([[0.0, 0.0]])


# --- Validation helpers -----------------------------------------------------------------


def test_check_count_targets_accepts_integer_dtypes_and_returns_the_outputs_dtype():
    outputs = torch.zeros(3, 2, dtype=torch.float64)
    y = check_count_targets(torch.tensor([[0, 1], [2, 3], [4, 10_000]]), outputs, trailing=(2,))
    assert y.dtype == torch.float64 and y.shape == (3, 2) and float(y[2, 1]) == 1e4


def test_check_positive_integer():
    assert check_positive_integer("num_dims", 3) == 3
    with pytest.raises(ValueError, match="num_dims: expected an integer >= 1, got '3'"):
        check_positive_integer("num_dims", "3")
