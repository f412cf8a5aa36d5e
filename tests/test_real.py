"""Gaussian, HeteroscedasticGaussian and Laplace: PyTorch's losses, closed forms, edge cases."""

import math

import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import assert_near, generator, grad_of, reduce, tol

N = 64
TD = torch.distributions


def _regression_batch(dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    outputs = torch.randn(N, 2, generator=g, dtype=torch.float64).to(dtype)
    y = torch.randn(N, generator=g, dtype=torch.float64).to(dtype)
    return outputs, y


def _columns_batch(dtype, seed=0, columns=1):
    g = generator(seed)
    outputs = torch.randn(N, columns, generator=g, dtype=torch.float64)
    y = torch.randn(N, generator=g, dtype=torch.float64)
    return outputs.to(dtype), y.to(dtype)


@pytest.mark.parametrize("sigma", [1e-3, 0.2, 1.0, 30.0])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_gaussian_matches_gaussian_nll_loss(dtype, sigma, reduction):
    outputs, y = _regression_batch(dtype)
    outputs = outputs[:, :1]
    r = lr.Gaussian(sigma=sigma)
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), outputs)
    var = torch.full((N,), sigma**2, dtype=torch.float64)
    ref, ref_grad = grad_of(
        lambda o: F.gaussian_nll_loss(
            o[:, 0], y.double(), var, full=True, eps=0.0, reduction=reduction
        ),
        outputs.double(),
    )
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


def test_gaussian_nll_is_exact_closed_form():
    outputs = torch.tensor([[1.0]], dtype=torch.float64)
    y = torch.tensor([2.0], dtype=torch.float64)
    value = lr.Gaussian(sigma=0.5).nll(outputs, y)
    expected = 1.0 / (2 * 0.25) + 0.5 * math.log(2 * math.pi * 0.25)
    assert abs(float(value) - expected) < 1e-14


def test_gaussian_params_and_predict():
    outputs = torch.tensor([[0.3], [-1.2]])
    r = lr.Gaussian(sigma=0.5)
    theta = r.params(outputs)
    torch.testing.assert_close(theta["mean"], torch.tensor([0.3, -1.2]))
    torch.testing.assert_close(theta["variance"], torch.tensor([0.25, 0.25]))
    torch.testing.assert_close(r.predict(outputs), torch.tensor([0.3, -1.2]))


@pytest.mark.parametrize("link", ["softplus", "square", "exp"])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_heteroscedastic_matches_gaussian_nll_loss(dtype, link, reduction):
    outputs, y = _regression_batch(dtype, seed=1)
    r = lr.HeteroscedasticGaussian(link=link)
    h = lr.links.get_link(link)
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), outputs)
    ref, ref_grad = grad_of(
        lambda o: F.gaussian_nll_loss(
            o[:, 0], y.double(), h(o[:, 1]), full=True, eps=0.0, reduction=reduction
        ),
        outputs.double(),
    )
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


@pytest.mark.parametrize("raw_variance", [-80.0, -20.0, 20.0, 80.0])
def test_heteroscedastic_softplus_tiny_and_huge_variances_stay_finite(raw_variance):
    outputs = torch.tensor([[0.0, raw_variance]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1e-12], dtype=torch.float64)
    r = lr.HeteroscedasticGaussian()
    value = r.nll(outputs, y)
    value.backward()
    assert math.isfinite(float(value.detach())) and bool(torch.isfinite(outputs.grad).all())
    var = float(torch.nn.functional.softplus(torch.tensor(raw_variance, dtype=torch.float64)))
    expected = 0.5 * (1e-24 / var + math.log(var) + math.log(2 * math.pi))
    assert abs(float(value.detach()) - expected) <= tol(torch.float64, abs(expected))["atol"]


def test_heteroscedastic_params_satisfy_constraints():
    outputs = torch.tensor([[0.5, -3.0], [1.0, 2.0]], dtype=torch.float64)
    for link in ("softplus", "square", "exp"):
        theta = lr.HeteroscedasticGaussian(link=link).params(outputs)
        assert set(theta) == {"mean", "variance"}
        assert bool((theta["variance"] > 0).all())
        torch.testing.assert_close(theta["mean"], outputs[:, 0])


@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_laplace_matches_distribution(dtype, scale, reduction):
    mu, y = _columns_batch(dtype, seed=2)
    r = lr.Laplace(scale=scale)
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), mu)
    ref, ref_grad = grad_of(
        lambda o: reduce(-TD.Laplace(o[:, 0], scale).log_prob(y.double()), reduction),
        mu.double(),
    )
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)
    assert r.distribution(mu).batch_shape == (N,)


@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0])
def test_laplace_is_l1_loss_up_to_constants(scale):
    mu, y = _columns_batch(torch.float64, seed=3)
    value = lr.Laplace(scale=scale).nll(mu, y, reduction="sum")
    expected = F.l1_loss(mu[:, 0], y, reduction="sum") / scale + N * math.log(2 * scale)
    assert_near(value, expected)


def test_laplace_params_and_predict_is_the_mode():
    mu, _ = _columns_batch(torch.float64, seed=4)
    r = lr.Laplace(scale=0.2)
    theta = r.params(mu)
    torch.testing.assert_close(theta["scale"], torch.full((N,), 0.2, dtype=torch.float64))
    grid = torch.linspace(-5.0, 5.0, 100001, dtype=torch.float64)
    log_probs = r.distribution(mu).log_prob(grid.unsqueeze(1).expand(-1, N))
    step = float(grid[1] - grid[0])
    assert bool(((r.predict(mu) - grid[log_probs.argmax(dim=0)]).abs() <= step).all())
    torch.testing.assert_close(r.predict(mu), theta["location"])
