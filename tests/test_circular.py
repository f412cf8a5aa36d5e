"""VonMises: tiny and huge concentrations, periodicity, the wrap of the mode."""

import math

import mpmath
import pytest
import torch
from scipy.special import i0e as scipy_i0e

import lossrecipe as lr

from .conftest import assert_near, generator, grad_of, reduce, tol

N = 64
TD = torch.distributions


KAPPAS = [1e-3, 1.0, 30.0, 500.0]


def _angle_batch(dtype, seed=5):
    g = generator(seed)
    mu = 4.0 * torch.randn(N, 1, generator=g, dtype=torch.float64)
    y = 4.0 * torch.randn(N, generator=g, dtype=torch.float64)  # any real angle
    return mu.to(dtype), y.to(dtype)


def _von_mises_closed_form(mu, y, kappa):
    """-log Pr in float64 with SciPy's i0e: -kappa cos(y - mu) + log(2 pi) + log I0(kappa)."""
    log_i0 = math.log(scipy_i0e(kappa)) + kappa
    return -kappa * torch.cos(y - mu) + math.log(2 * math.pi) + log_i0


@pytest.mark.parametrize("kappa", KAPPAS)
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_von_mises_matches_the_closed_form(dtype, kappa, reduction):
    mu, y = _angle_batch(dtype)
    r = lr.VonMises(concentration=kappa)
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), mu)
    # The closed form in float64 with SciPy's i0e (torch's VonMises approximates log I0
    # by polynomials, to about 5e-7: the contract test compares with it at that bound).
    ref, ref_grad = grad_of(
        lambda o: reduce(_von_mises_closed_form(o[:, 0], y.double(), kappa), reduction),
        mu.double(),
    )
    # Each term adds -kappa cos(y - mu) and log I0(kappa), both up to kappa in size.
    terms = N if reduction == "sum" else 1
    assert_near(ours, ref, scale=terms * (2.0 * kappa + 2.0))
    assert_near(ours_grad, ref_grad, scale=kappa)
    assert r.distribution(mu).batch_shape == (N,)


@pytest.mark.parametrize("kappa", KAPPAS)
def test_von_mises_is_exact_for_large_concentrations(dtype, kappa):
    mu, y = _angle_batch(dtype, seed=6)
    mu[:8, 0] = y[:8] + torch.tensor([0, 1e-4, -1e-3, 1e-2, 0.5, -2.0, 3.0, math.pi], dtype=dtype)
    value, grad = grad_of(lambda o: lr.VonMises(kappa).nll(o, y, reduction="none"), mu)
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
    shifted_y = y + 6 * math.pi
    shifted = r.nll(mu, shifted_y, reduction="none")
    # rounding y + 6 pi moves it by up to eps |y + 6 pi|, which kappa cos(.) scales by kappa
    scale = 3.0 * float(shifted_y.abs().max())
    torch.testing.assert_close(shifted, r.nll(mu, y, reduction="none"), **tol(dtype, scale))


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
    torch.testing.assert_close(torch.cos(wrapped), torch.cos(raw[:, 0]), **tol(dtype, 1e3))
    torch.testing.assert_close(torch.sin(wrapped), torch.sin(raw[:, 0]), **tol(dtype, 1e3))
