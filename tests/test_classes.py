"""Bernoulli and Categorical: PyTorch's fused losses, extreme logits, label dtypes."""

import math

import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import assert_near, grad_of, reduce, tol

N = 64
TD = torch.distributions


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
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), z)
    ref, ref_grad = grad_of(
        lambda o: F.binary_cross_entropy_with_logits(o[:, 0], y.double(), reduction=reduction),
        z.double(),
    )
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


@pytest.mark.parametrize("logit", [-1e4, -100.0, 0.0, 100.0, 1e4])
@pytest.mark.parametrize("label", [0.0, 1.0])
def test_bernoulli_extreme_logits(dtype, logit, label):
    z = torch.tensor([[logit]], dtype=dtype, requires_grad=True)
    y = torch.tensor([label], dtype=dtype)
    value = lr.Bernoulli().nll(z, y)
    value.backward()
    # exact: -log sig(z) = softplus(-z) for y=1, softplus(z) for y=0
    expected = math.log1p(math.exp(-abs(logit))) + max(0.0, logit if label == 0 else -logit)
    # below the smallest normal number (softplus[-100] ~ 4e-44) float32 keeps no
    # relative precision: there the error is absolute, up to that number
    info = torch.finfo(dtype)
    rel = tol(dtype)["rtol"]
    assert math.isclose(float(value.detach()), expected, rel_tol=rel, abs_tol=info.tiny)
    expected_grad = (
        1.0 / (1.0 + math.exp(-logit)) - label
        if abs(logit) < 700
        else ((1.0 if logit > 0 else 0.0) - label)
    )
    assert math.isclose(float(z.grad), expected_grad, abs_tol=rel)


def test_bernoulli_accepts_integer_and_bool_labels():
    z = torch.tensor([[0.3], [-0.2]])
    r = lr.Bernoulli()
    ref = r.nll(z, torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(r.nll(z, torch.tensor([1, 0])), ref)
    torch.testing.assert_close(r.nll(z, torch.tensor([True, False])), ref)


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
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), z)
    ref, ref_grad = grad_of(lambda o: F.cross_entropy(o, y, reduction=reduction), z.double())
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    assert_near(ours, ref)
    # softmax[z] rounds z_k - max z to eps |z|, which moves each probability by that much
    # relative: the gradient's error scales with the logits
    assert_near(ours_grad, ref_grad, scale=float(z.abs().max()))


def test_categorical_gradient_is_softmax_minus_onehot():
    z, y = _class_batch(torch.float64, 2.0, 3)
    _, grad = grad_of(lambda o: lr.Categorical(3).nll(o, y), z)
    torch.testing.assert_close(grad, torch.softmax(z, 1) - F.one_hot(y, 3).double())


def test_categorical_accepts_integral_float_labels():
    z, y = _class_batch(torch.float32, 1.0, 3)
    r = lr.Categorical(3)
    torch.testing.assert_close(r.nll(z, y.float()), r.nll(z, y))


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_bernoulli_hand_written_backward_is_bit_for_bit_autograd(dtype, reduction):
    z, y = _binary_batch(dtype, 30.0)  # logits past the softplus threshold of 40 too
    weights = torch.linspace(-1.0, 2.0, N, dtype=dtype)

    def autograd_form(o):
        flipped = torch.addcmul(o[:, 0], y, o[:, 0], value=-2.0)
        return F.softplus(flipped, threshold=40.0)

    def weighted(terms):
        return (terms * weights).sum() if reduction == "none" else terms

    r = lr.Bernoulli()
    ours, ours_grad = grad_of(lambda o: weighted(r.nll(o, y, reduction=reduction)), z)
    ref, ref_grad = grad_of(lambda o: weighted(reduce(autograd_form(o), reduction)), z)
    assert torch.equal(ours, ref) and torch.equal(ours_grad, ref_grad)


def test_bernoulli_second_derivative_is_the_sigmoid_slope():
    z = torch.tensor([[-3.0], [0.0], [0.5], [4.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    (grad,) = torch.autograd.grad(lr.Bernoulli().nll(z, y), z, create_graph=True)
    torch.testing.assert_close(grad[:, 0], torch.sigmoid(z[:, 0]) - y)
    (curvature,) = torch.autograd.grad(grad.sum(), z)
    s = torch.sigmoid(z[:, 0].detach())
    torch.testing.assert_close(curvature[:, 0], s * (1 - s))
