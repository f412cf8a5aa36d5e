"""GaussianMixture: every link, separated components, the numerical mode."""

import math

import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import ULPS, assert_near, generator, grad_of, reduce

N = 64
TD = torch.distributions


def _mixture_reference(outputs, k, link):
    h = lr.links.get_link(link)
    logits, means, raw_var = outputs[:, :k], outputs[:, k : 2 * k], outputs[:, 2 * k :]
    return TD.MixtureSameFamily(TD.Categorical(logits=logits), TD.Normal(means, h(raw_var).sqrt()))


def _mixture_batch(dtype, k, seed=9):
    g = generator(seed)
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
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), outputs)
    ref, ref_grad = grad_of(
        lambda o: reduce(-_mixture_reference(o, k, link).log_prob(y.double()), reduction),
        outputs.double(),
    )
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)
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
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = grad_of(
        lambda o: -_mixture_reference(o, 2, link).log_prob(y.double()), outputs.double()
    )
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    assert_near(ours, ref)
    # Each component's log-density holds (y - mu)^2 / (2 sigma^2), up to 6e11 at y = 0,
    # and the components' responsibilities are set by differences of those, each rounded
    # to eps of its size: that size is the condition of a row's gradient.  (In float32 it
    # leaves no digit of the y = 0 row's responsibilities; in float64, four.)
    theta = r.params(outputs.double())
    squared = (y.double().unsqueeze(1) - theta["means"]) ** 2 / (2 * theta["variances"])
    condition = 1.0 + squared.amax(dim=1, keepdim=True)
    allowed = ULPS * torch.finfo(dtype).eps * condition * ref_grad.abs().amax(dim=1, keepdim=True)
    assert bool(((ours_grad.double() - ref_grad).abs() <= allowed).all())


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
    g = generator(10 + k)
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
    assert_near(mode, torch.tensor([1e3], dtype=torch.float64))


def test_mixture_params():
    outputs, _ = _mixture_batch(torch.float64, 3)
    r = lr.GaussianMixture(3)
    theta = r.params(outputs)
    assert r.num_outputs == 9 and set(theta) == {"weights", "means", "variances"}
    torch.testing.assert_close(theta["weights"].sum(dim=1), torch.ones(N, dtype=torch.float64))
    torch.testing.assert_close(theta["means"], outputs[:, 3:6])
    torch.testing.assert_close(theta["variances"], F.softplus(outputs[:, 6:]))
