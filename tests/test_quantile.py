"""Quantile: the asymmetric Laplace against scipy.stats.laplace_asymmetric and closed forms.

scipy writes the density with ``kappa`` and a scale ``s``: rate ``kappa / s`` above the
location and ``1 / (kappa s)`` below.  Ours has rates ``q / b`` and ``(1 - q) / b``, so
``kappa = sqrt[q / (1 - q)]`` and ``s = b / sqrt[q (1 - q)]``.
"""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import lossrecipe as lr

from .conftest import assert_near, generator, grad_of, tol

N = 64
LEVELS = [0.05, 0.3, 0.5, 0.9]
SCALES = [1e-2, 0.5, 3.0]
ERRORS: dict[str, float] = {}


def _scipy(q, b, loc=0.0):
    kappa, s = math.sqrt(q / (1 - q)), b / math.sqrt(q * (1 - q))
    return stats.laplace_asymmetric(kappa, loc=loc, scale=s)


def _batch(dtype, seed=0, spread=3.0):
    g = generator(seed)
    mu = torch.randn(N, 1, generator=g, dtype=torch.float64)
    y = mu[:, 0] + spread * torch.randn(N, generator=g, dtype=torch.float64)
    return mu.to(dtype), y.to(dtype)


def _record(name, ours, ref):
    err = float((ours.double() - torch.as_tensor(ref, dtype=torch.float64)).abs().max())
    ERRORS[name] = max(ERRORS.get(name, 0.0), err)


@pytest.mark.parametrize("q", LEVELS)
@pytest.mark.parametrize("b", SCALES)
def test_nll_value_and_gradient_against_scipy_and_the_closed_form(dtype, q, b):
    mu, y = _batch(dtype, spread=b * 3)
    r = lr.Quantile(quantile=q, scale=b)
    value, grad = grad_of(lambda o: r.nll(o, y, reduction="none"), mu)
    y64, mu64 = y.double(), mu[:, 0].double()
    ref = torch.from_numpy(-_scipy(q, b).logpdf((y64 - mu64).numpy()))
    # d/dmu [rho_q(y - mu) / b] = -(q - [y < mu]) / b
    ref_grad = -(q - (y64 < mu64).double()) / b
    assert_near(value, ref)
    assert_near(grad[:, 0], ref_grad)
    if dtype == torch.float64:
        _record("nll vs scipy", value, ref)
        _record("gradient vs closed form", grad[:, 0], ref_grad)


@pytest.mark.parametrize("q", LEVELS)
def test_nll_is_the_pinball_loss_up_to_constants(q):
    mu, y = _batch(torch.float64, seed=1)
    u = y - mu[:, 0]
    pinball = torch.where(u >= 0, q * u, (q - 1) * u)  # the check function, written by cases
    b = 0.7
    expected = pinball.sum() / b - N * math.log(q * (1 - q) / b)
    torch.testing.assert_close(lr.Quantile(q, b).nll(mu, y), expected, rtol=1e-13, atol=0)


def test_finite_at_extreme_raw_outputs(dtype):
    r = lr.Quantile(quantile=0.1, scale=0.5)
    outputs = torch.tensor([[1e4], [-1e4], [1e4], [-1e4]], dtype=dtype)
    y = torch.tensor([0.0, 0.0, -1e4, 1e4], dtype=dtype)
    value, grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    u = y.double() - outputs[:, 0].double()
    expected = torch.where(u >= 0, 0.1 * u, -0.9 * u) / 0.5 - math.log(0.09 / 0.5)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    assert_near(value, expected)
    torch.testing.assert_close(grad[:, 0].double(), -(0.1 - (u < 0).double()) / 0.5)
    d = r.distribution(outputs)
    assert bool(torch.isfinite(d.cdf(y)).all())
    assert bool(torch.isfinite(d.log_prob(y)).all())


@pytest.mark.parametrize("q", [0.01, *LEVELS, 0.99])
def test_cdf_at_the_location_is_the_quantile_level(dtype, q):
    mu, _ = _batch(dtype, seed=2)
    d = lr.Quantile(quantile=q, scale=0.3).distribution(mu)
    at_mu = d.cdf(mu[:, 0])
    torch.testing.assert_close(at_mu, torch.full((N,), q, dtype=dtype))


@pytest.mark.parametrize("q", LEVELS)
@pytest.mark.parametrize("b", [0.2, 2.0])
def test_cdf_icdf_mean_variance_against_scipy(q, b):
    mu, y = _batch(torch.float64, seed=3, spread=2 * b)
    d = lr.Quantile(quantile=q, scale=b).distribution(mu)
    ref = _scipy(q, b, loc=mu[:, 0].numpy())
    p = torch.linspace(0.001, 0.999, N, dtype=torch.float64)
    checks = [
        ("cdf vs scipy", d.cdf(y), ref.cdf(y.numpy())),
        ("icdf vs scipy", d.icdf(p), ref.ppf(p.numpy())),
        ("mean vs scipy", d.mean, ref.mean()),
        ("variance vs scipy", d.variance, ref.var()),
    ]
    for name, ours, theirs in checks:
        theirs = torch.as_tensor(theirs, dtype=torch.float64)
        torch.testing.assert_close(ours, theirs, rtol=1e-11, atol=1e-11 * b**2)
        _record(name, ours, theirs)


@pytest.mark.parametrize("q", LEVELS)
def test_density_integrates_to_one_and_moments_match_numerical_integrals(q):
    b, mu = 0.8, 0.4
    d = lr.Quantile(quantile=q, scale=b).distribution(torch.tensor([[mu]], dtype=torch.float64))

    def density(y, power=0):
        value = torch.exp(d.log_prob(torch.tensor([y], dtype=torch.float64)))
        return float(value) * y**power

    def integral(power):
        # split at the kink: quad is exact to ~1e-12 on each smooth side
        left = integrate.quad(density, -np.inf, mu, args=(power,), epsabs=1e-13)[0]
        right = integrate.quad(density, mu, np.inf, args=(power,), epsabs=1e-13)[0]
        return left + right

    total, first, second = integral(0), integral(1), integral(2)
    assert abs(total - 1.0) < 1e-10
    assert abs(float(d.mean[0]) - first) < 1e-8
    assert abs(float(d.variance[0]) - (second - first**2)) < 1e-7
    below = integrate.quad(density, -np.inf, mu, epsabs=1e-13)[0]
    assert abs(below - q) < 1e-10  # the mass below the location is q


@pytest.mark.parametrize("q", LEVELS)
def test_icdf_inverts_cdf(dtype, q):
    mu, y = _batch(dtype, seed=4)
    d = lr.Quantile(quantile=q, scale=1.5).distribution(mu)
    p = torch.linspace(0.01, 0.99, N, dtype=dtype)
    torch.testing.assert_close(d.cdf(d.icdf(p)), p, **tol(dtype))
    # cdf rounds to eps (at most 1); icdf turns an error dp into dp / density[y]
    density = d.log_prob(y).double().exp()
    torch.testing.assert_close(d.icdf(d.cdf(y)), y, **tol(dtype, float((1 / density).max())))
    torch.testing.assert_close(d.icdf(torch.full((N,), q, dtype=dtype)), mu[:, 0])


def test_sample_shape_and_the_fraction_below_the_location():
    q = 0.2
    r = lr.Quantile(quantile=q, scale=0.5)
    mu = torch.zeros(N, 1, dtype=torch.float64)
    torch.manual_seed(0)
    assert r.distribution(mu).sample().shape == (N,)
    many = r.distribution(torch.zeros(20000, 1, dtype=torch.float64)).sample()
    assert many.shape == (20000,)
    # binomial standard error sqrt(0.2 * 0.8 / 20000) = 0.0028: 4 of them
    assert abs(float((many < 0).double().mean()) - q) < 0.012
    d = r.distribution(torch.zeros(1, 1, dtype=torch.float64))
    assert abs(float(many.mean()) - float(d.mean[0])) < 4 * math.sqrt(float(d.variance[0]) / 20000)


def test_distribution_declares_its_constraints():
    d = lr.Quantile(quantile=0.3).distribution(torch.zeros(3, 1))
    assert set(d.arg_constraints) == {"loc", "scale", "quantile"}
    assert d.support is torch.distributions.constraints.real
    assert d.batch_shape == (3,)
    assert d.expand((2, 3)).batch_shape == (2, 3)


def test_params_and_predict_is_the_location_and_the_quantile():
    mu, _ = _batch(torch.float64, seed=5)
    r = lr.Quantile(quantile=0.75, scale=0.2)
    theta = r.params(mu)
    assert list(theta) == ["location", "scale", "quantile"]
    torch.testing.assert_close(r.predict(mu), mu[:, 0])
    torch.testing.assert_close(r.distribution(mu).icdf(torch.tensor(0.75)), r.predict(mu))
    assert r.num_outputs == 1 and repr(r) == "Quantile(quantile=0.75, scale=0.2)"


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.5, math.nan, math.inf, "median", True])
def test_quantile_outside_the_open_unit_interval(q):
    with pytest.raises(ValueError, match=r"quantile: expected a number"):
        lr.Quantile(quantile=q)


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan, math.inf, "wide"])
def test_non_positive_quantile_scale(scale):
    with pytest.raises(ValueError, match="scale: expected a positive"):
        lr.Quantile(quantile=0.5, scale=scale)


def test_distribution_validates_its_arguments():
    with pytest.raises(ValueError, match="quantile"):
        lr.distributions.AsymmetricLaplace(0.0, 1.0, 1.5, validate_args=True)
    with pytest.raises(ValueError, match="scale"):
        lr.distributions.AsymmetricLaplace(0.0, -1.0, 0.5, validate_args=True)


def test_zz_report_errors():
    print("\nQuantile max abs error in float64:", {k: f"{v:.1e}" for k, v in ERRORS.items()})
