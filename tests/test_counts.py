"""Poisson: large counts and rates, whole-number rates, integer counts."""

import math

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
