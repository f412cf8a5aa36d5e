"""beta-NLL (Seitzer et al., 2022) against independent computations."""

import math

import pytest
import torch

import lossrecipe as lr
from lossrecipe.beta_nll import beta_nll

from .conftest import assert_near, grad_of, tol

N = 32
LINKS = ["softplus", "square", "exp"]


def _batch(dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    outputs = torch.randn(N, 2, generator=g, dtype=torch.float64).to(dtype)
    y = torch.randn(N, generator=g, dtype=torch.float64).to(dtype)
    return outputs, y


def _variance(link, raw):
    """The linked variance, written out independently of lossrecipe.links."""
    return {
        "softplus": torch.log1p(torch.exp(raw)),
        "square": raw**2,
        "exp": torch.exp(raw),
    }[link]


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_beta_zero_is_the_plain_nll(dtype, link, reduction):
    outputs, y = _batch(dtype)
    r = lr.HeteroscedasticGaussian(link=link)
    ours, ours_grad = grad_of(lambda o: beta_nll(r, o, y, beta=0.0, reduction=reduction), outputs)
    ref, ref_grad = grad_of(lambda o: r.nll(o, y.double(), reduction=reduction), outputs.double())
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("beta", [0.25, 0.5, 1.0])
def test_value_is_the_normal_nll_times_the_variance_to_the_beta(dtype, link, beta):
    outputs, y = _batch(dtype)
    r = lr.HeteroscedasticGaussian(link=link)
    mean, variance = outputs[:, 0].double(), _variance(link, outputs[:, 1].double())
    nll = -torch.distributions.Normal(mean, variance.sqrt()).log_prob(y.double())
    expected = variance**beta * nll
    assert_near(beta_nll(r, outputs, y, beta=beta, reduction="none"), expected)
    assert_near(beta_nll(r, outputs, y, beta=beta, reduction="mean"), expected.mean())
    assert_near(beta_nll(r, outputs, y, beta=beta), expected.sum())


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("beta", [0.5, 1.0])
def test_gradients_are_the_nll_gradients_times_the_detached_weight(dtype, link, beta):
    outputs, y = _batch(dtype)
    r = lr.HeteroscedasticGaussian(link=link)
    _, ours = grad_of(lambda o: beta_nll(r, o, y, beta=beta, reduction="none"), outputs)
    outputs, y = outputs.double(), y.double()
    _, nll_grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    variance = _variance(link, outputs[:, 1])
    weight = (variance**beta).unsqueeze(1)
    # Both columns: the weight is a constant, so it only scales the NLL's gradient.
    assert_near(ours, weight * nll_grad)
    # The mean's gradient in closed form: (mu - y) / sigma^(2 (1 - beta)).
    assert_near(ours[:, 0], (outputs[:, 0] - y) / variance ** (1.0 - beta))


def test_the_weight_is_detached():
    # Without the stop-gradient the variance column would get an extra term
    # beta * sigma^(2 beta) / sigma^2 * dsigma^2/dz * nll.
    outputs, y = _batch(torch.float64)
    r = lr.HeteroscedasticGaussian(link="exp")
    _, ours = grad_of(lambda o: beta_nll(r, o, y, beta=0.5, reduction="sum"), outputs)
    _, undetached = grad_of(
        lambda o: (torch.exp(o[:, 1]) ** 0.5 * r.nll(o, y, reduction="none")).sum(), outputs
    )
    torch.testing.assert_close(ours[:, 0], undetached[:, 0])
    assert not torch.allclose(ours[:, 1], undetached[:, 1])


def test_beta_one_gives_the_mean_the_least_squares_gradient():
    outputs, y = _batch(torch.float64)
    r = lr.HeteroscedasticGaussian()
    _, grad = grad_of(lambda o: beta_nll(r, o, y, beta=1.0, reduction="sum"), outputs)
    torch.testing.assert_close(grad[:, 0], outputs[:, 0] - y)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_fixed_sigma_scales_the_nll_by_a_constant(dtype, beta):
    outputs, y = _batch(dtype)
    r = lr.Gaussian(sigma=0.3)
    ours, ours_grad = grad_of(
        lambda o: beta_nll(r, o, y, beta=beta, reduction="sum"), outputs[:, :1]
    )
    ref, ref_grad = grad_of(
        lambda o: 0.09**beta * r.nll(o, y.double(), reduction="sum"), outputs[:, :1].double()
    )
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


def test_weight_stays_finite_when_the_variance_overflows():
    # exp(120) overflows float32, but the weight exp(0.5 * 120) does not.
    outputs = torch.tensor([[0.0, 120.0]], dtype=torch.float32)
    y = torch.tensor([1.0])
    r = lr.HeteroscedasticGaussian(link="exp")
    value = beta_nll(r, outputs, y, beta=0.5, reduction="sum")
    expected = math.exp(60.0) * 0.5 * (120.0 + math.log(2 * math.pi))
    assert math.isfinite(float(value))
    assert math.isclose(float(value), expected, rel_tol=tol(torch.float32)["rtol"])


@pytest.mark.parametrize("beta", [-0.1, 1.5, float("nan"), "0.5", True, None])
def test_bad_beta_is_rejected(beta):
    outputs, y = _batch(torch.float32)
    with pytest.raises(ValueError, match=r"beta: expected a number in \[0, 1\]"):
        beta_nll(lr.HeteroscedasticGaussian(), outputs, y, beta=beta)


@pytest.mark.parametrize("recipe", [lr.Bernoulli(), lr.Laplace(), "gaussian"])
def test_non_gaussian_recipe_is_rejected(recipe):
    outputs, y = _batch(torch.float32)
    with pytest.raises(ValueError, match="recipe: expected a Gaussian or HeteroscedasticGaussian"):
        beta_nll(recipe, outputs[:, :1], y)


def test_bad_reduction_is_rejected():
    outputs, y = _batch(torch.float32)
    with pytest.raises(ValueError, match="reduction: expected one of"):
        beta_nll(lr.HeteroscedasticGaussian(), outputs, y, reduction="average")


def test_bad_outputs_are_rejected_by_the_recipe():
    outputs, y = _batch(torch.float32)
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 2\)"):
        beta_nll(lr.HeteroscedasticGaussian(), outputs[:, :1], y)


def _mean_beta_nll(recipe, beta):
    return lambda o, t: beta_nll(recipe, o, t, beta=beta, reduction="mean")


def test_fit_with_the_beta_nll_at_beta_zero_is_fit():
    x, y = lr.data.heteroscedastic_1d(num_points=40, seed=0)
    r = lr.HeteroscedasticGaussian()
    a, b = lr.ShallowNet(1, 4, 2), lr.ShallowNet(1, 4, 2)
    history_a = lr.fit(a, r, x, y, steps=30, lr=0.01, seed=2)
    history_b = lr.fit(b, r, x, y, steps=30, lr=0.01, seed=2, loss=_mean_beta_nll(r, 0.0))
    assert history_a == history_b
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_fit_with_the_beta_nll_returns_the_beta_nll_history():
    x, y = lr.data.heteroscedastic_1d(num_points=40, seed=0)
    r = lr.HeteroscedasticGaussian()
    net = lr.ShallowNet(1, 4, 2)
    history = lr.fit(net, r, x, y, steps=20, lr=0.01, seed=1, loss=_mean_beta_nll(r, 0.5))
    assert len(history) == 20
    torch.manual_seed(1)
    lr.models.reset_parameters(net, x)
    with torch.no_grad():
        first = float(beta_nll(r, net(x), y, beta=0.5, reduction="mean"))
    assert history[0] == pytest.approx(first, rel=1e-6)
    plain = lr.fit(lr.ShallowNet(1, 4, 2), r, x, y, steps=20, lr=0.01, seed=1)
    assert plain != history


def test_the_default_reduction_is_nll_s():
    outputs, y = _batch(torch.float64)
    r = lr.HeteroscedasticGaussian()
    assert torch.equal(beta_nll(r, outputs, y), beta_nll(r, outputs, y, reduction="sum"))
    assert torch.equal(beta_nll(r, outputs, y, beta=0.0), r.nll(outputs, y))
