"""Each recipe's NLL against PyTorch's own losses and torch.distributions."""

import math

import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import tol

N = 64


def _grad(fn, outputs):
    outputs = outputs.detach().clone().requires_grad_(True)
    value = fn(outputs)
    (grad,) = torch.autograd.grad(value.sum(), outputs)
    return value.detach(), grad


def _regression_batch(dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    outputs = torch.randn(N, 2, generator=g, dtype=torch.float64).to(dtype)
    y = torch.randn(N, generator=g, dtype=torch.float64).to(dtype)
    return outputs, y


# --- Gaussian with a fixed sigma -------------------------------------------------------


@pytest.mark.parametrize("sigma", [1e-3, 0.2, 1.0, 30.0])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_gaussian_matches_gaussian_nll_loss(dtype, sigma, reduction):
    outputs, y = _regression_batch(dtype)
    outputs = outputs[:, :1]
    r = lr.Gaussian(sigma=sigma)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), outputs)
    var = torch.full((N,), sigma**2, dtype=dtype)
    ref, ref_grad = _grad(
        lambda o: F.gaussian_nll_loss(o[:, 0], y, var, full=True, eps=0.0, reduction=reduction),
        outputs,
    )
    rel = dict(rtol=tol(dtype)["rtol"], atol=tol(dtype)["atol"] * max(1.0, 1 / sigma**2))
    torch.testing.assert_close(ours, ref, **rel)
    torch.testing.assert_close(ours_grad, ref_grad, **rel)


def test_gaussian_matches_normal_log_prob(dtype):
    outputs, y = _regression_batch(dtype)
    r = lr.Gaussian(sigma=0.7)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction="none"), outputs[:, :1])
    ref, ref_grad = _grad(
        lambda o: -torch.distributions.Normal(o[:, 0], 0.7).log_prob(y), outputs[:, :1]
    )
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))
    assert r.distribution(outputs[:, :1]).batch_shape == (N,)


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


# --- Heteroscedastic Gaussian ----------------------------------------------------------


@pytest.mark.parametrize("link", ["softplus", "square", "exp"])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_heteroscedastic_matches_gaussian_nll_loss(dtype, link, reduction):
    outputs, y = _regression_batch(dtype, seed=1)
    r = lr.HeteroscedasticGaussian(link=link)
    h = lr.links.get_link(link)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), outputs)
    ref, ref_grad = _grad(
        lambda o: F.gaussian_nll_loss(
            o[:, 0], y, h(o[:, 1]), full=True, eps=0.0, reduction=reduction
        ),
        outputs,
    )
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))


@pytest.mark.parametrize("link", ["softplus", "square", "exp"])
def test_heteroscedastic_matches_normal_log_prob(dtype, link):
    outputs, y = _regression_batch(dtype, seed=2)
    r = lr.HeteroscedasticGaussian(link=link)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = _grad(lambda o: -r.distribution(o).log_prob(y), outputs)
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))


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
    assert abs(float(value.detach()) - expected) <= 1e-12 * max(1.0, abs(expected))


def test_heteroscedastic_params_satisfy_constraints():
    outputs = torch.tensor([[0.5, -3.0], [1.0, 2.0]], dtype=torch.float64)
    for link in ("softplus", "square", "exp"):
        theta = lr.HeteroscedasticGaussian(link=link).params(outputs)
        assert set(theta) == {"mean", "variance"}
        assert bool((theta["variance"] > 0).all())
        torch.testing.assert_close(theta["mean"], outputs[:, 0])


# --- Bernoulli --------------------------------------------------------------------------


def _binary_batch(dtype, scale):
    g = torch.Generator().manual_seed(3)
    z = (scale * torch.randn(N, 1, generator=g, dtype=torch.float64)).to(dtype)
    y = (torch.rand(N, generator=g) < 0.5).to(dtype)
    return z, y


@pytest.mark.parametrize("scale", [1.0, 50.0, 1e4])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bernoulli_matches_bce_with_logits(dtype, scale, reduction):
    z, y = _binary_batch(dtype, scale)
    r = lr.Bernoulli()
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), z)
    ref, ref_grad = _grad(
        lambda o: F.binary_cross_entropy_with_logits(o[:, 0], y, reduction=reduction), z
    )
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))


@pytest.mark.parametrize("logit", [-1e4, -100.0, 0.0, 100.0, 1e4])
@pytest.mark.parametrize("label", [0.0, 1.0])
def test_bernoulli_extreme_logits(dtype, logit, label):
    z = torch.tensor([[logit]], dtype=dtype, requires_grad=True)
    y = torch.tensor([label], dtype=dtype)
    value = lr.Bernoulli().nll(z, y)
    value.backward()
    # exact: -log sig(z) = softplus(-z) for y=1, softplus(z) for y=0
    expected = math.log1p(math.exp(-abs(logit))) + max(0.0, logit if label == 0 else -logit)
    assert math.isclose(float(value.detach()), expected, rel_tol=1e-6, abs_tol=1e-30)
    expected_grad = (
        1.0 / (1.0 + math.exp(-logit)) - label
        if abs(logit) < 700
        else ((1.0 if logit > 0 else 0.0) - label)
    )
    assert math.isclose(float(z.grad), expected_grad, abs_tol=1e-6)


def test_bernoulli_matches_distribution(dtype):
    z, y = _binary_batch(dtype, 5.0)
    r = lr.Bernoulli()
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction="none"), z)
    ref, ref_grad = _grad(lambda o: -torch.distributions.Bernoulli(logits=o[:, 0]).log_prob(y), z)
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))
    assert r.distribution(z).batch_shape == (N,)
    torch.testing.assert_close(r.params(z)["probability"], torch.sigmoid(z[:, 0]))


def test_bernoulli_predict_is_the_mode():
    z = torch.tensor([[-3.0], [-1e-6], [1e-6], [2.0], [1e4]], dtype=torch.float64)
    dist = lr.Bernoulli().distribution(z)
    support = torch.tensor([0.0, 1.0], dtype=torch.float64)
    log_probs = torch.stack([dist.log_prob(v.expand(5)) for v in support], dim=1)
    torch.testing.assert_close(lr.Bernoulli().predict(z), support[log_probs.argmax(dim=1)])


def test_bernoulli_accepts_integer_and_bool_labels():
    z = torch.tensor([[0.3], [-0.2]])
    r = lr.Bernoulli()
    ref = r.nll(z, torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(r.nll(z, torch.tensor([1, 0])), ref)
    torch.testing.assert_close(r.nll(z, torch.tensor([True, False])), ref)


# --- Categorical ------------------------------------------------------------------------


def _class_batch(dtype, scale, k):
    g = torch.Generator().manual_seed(4)
    z = (scale * torch.randn(N, k, generator=g, dtype=torch.float64)).to(dtype)
    y = torch.randint(0, k, (N,), generator=g)
    return z, y


@pytest.mark.parametrize("k", [1, 2, 3, 10])
@pytest.mark.parametrize("scale", [1.0, 1e4])
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_categorical_matches_cross_entropy(dtype, k, scale, reduction):
    z, y = _class_batch(dtype, scale, k)
    r = lr.Categorical(num_classes=k)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction=reduction), z)
    ref, ref_grad = _grad(lambda o: F.cross_entropy(o, y, reduction=reduction), z)
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))


def test_categorical_matches_distribution(dtype):
    z, y = _class_batch(dtype, 3.0, 4)
    r = lr.Categorical(num_classes=4)
    ours, ours_grad = _grad(lambda o: r.nll(o, y, reduction="none"), z)
    ref, ref_grad = _grad(lambda o: -torch.distributions.Categorical(logits=o).log_prob(y), z)
    torch.testing.assert_close(ours, ref, **tol(dtype))
    torch.testing.assert_close(ours_grad, ref_grad, **tol(dtype))
    assert r.distribution(z).batch_shape == (N,)
    torch.testing.assert_close(r.params(z)["probabilities"], torch.softmax(z, dim=1))


def test_categorical_gradient_is_softmax_minus_onehot():
    z, y = _class_batch(torch.float64, 2.0, 3)
    _, grad = _grad(lambda o: lr.Categorical(3).nll(o, y), z)
    torch.testing.assert_close(grad, torch.softmax(z, 1) - F.one_hot(y, 3).double())


def test_categorical_predict_is_the_mode():
    z, _ = _class_batch(torch.float64, 2.0, 5)
    dist = lr.Categorical(5).distribution(z)
    log_probs = torch.stack([dist.log_prob(torch.full((N,), k)) for k in range(5)], dim=1)
    assert torch.equal(lr.Categorical(5).predict(z), log_probs.argmax(dim=1))


def test_categorical_accepts_integral_float_labels():
    z, y = _class_batch(torch.float32, 1.0, 3)
    r = lr.Categorical(3)
    torch.testing.assert_close(r.nll(z, y.float()), r.nll(z, y))


# --- Shared contract --------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipe, expected",
    [
        (lr.Gaussian(sigma=0.2), 1),
        (lr.HeteroscedasticGaussian(), 2),
        (lr.Bernoulli(), 1),
        (lr.Categorical(num_classes=3), 3),
    ],
)
def test_num_outputs(recipe, expected):
    assert recipe.num_outputs == expected


def test_reprs_name_the_settings():
    assert repr(lr.Gaussian(sigma=0.2)) == "Gaussian(sigma=0.2)"
    assert repr(lr.HeteroscedasticGaussian("exp")) == "HeteroscedasticGaussian(link='exp')"
    assert repr(lr.Categorical(4)) == "Categorical(num_classes=4)"
