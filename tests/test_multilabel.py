"""Multi-label classification: ``Independent(Bernoulli(), num_dims=L)`` with (N, L) 0/1 targets."""

import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import assert_near, grad_of

N, L = 40, 5


def _batch(dtype, scale=2.0):
    g = torch.Generator().manual_seed(7)
    outputs = (scale * torch.randn(N, L, generator=g, dtype=torch.float64)).to(dtype)
    y = (torch.rand(N, L, generator=g) < 0.4).long()
    return outputs, y


@pytest.mark.parametrize("scale", [2.0, 1e4])
def test_is_binary_cross_entropy_summed_over_labels(dtype, scale):
    outputs, y = _batch(dtype, scale)
    recipe = lr.Independent(lr.Bernoulli(), num_dims=L)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = grad_of(
        lambda o: F.binary_cross_entropy_with_logits(o, y.double(), reduction="none").sum(1),
        outputs.double(),
    )
    assert bool(torch.isfinite(ours).all()) and bool(torch.isfinite(ours_grad).all())
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad, scale=float(outputs.abs().max()))


@pytest.mark.parametrize("kind", [torch.long, torch.bool, torch.float64])
def test_label_dtypes_and_the_distribution(kind):
    outputs, y = _batch(torch.float64)
    recipe = lr.Independent(lr.Bernoulli(), num_dims=L)
    value = recipe.nll(outputs, y.to(kind), reduction="none")
    log_p = recipe.distribution(outputs).log_prob(y.double())
    assert_near(value, -log_p)


def test_predict_is_one_label_set_per_example():
    outputs, _ = _batch(torch.float64)
    recipe = lr.Independent(lr.Bernoulli(), num_dims=L)
    mode = recipe.predict(outputs)
    assert mode.shape == (N, L) and torch.equal(mode, (outputs > 0).double())
    assert recipe.params(outputs)["probability"].shape == (N, L)


def test_one_label_vector_instead_of_a_matrix():
    with pytest.raises(ValueError, match="y: expected shape \\(4, 5\\)"):
        lr.Independent(lr.Bernoulli(), num_dims=5).nll(torch.zeros(4, 5), torch.zeros(4))


def test_label_outside_zero_one():
    y = torch.zeros(4, 5)
    y[2, 3] = 2.0
    with pytest.raises(ValueError, match="y: expected binary labels"):
        lr.Independent(lr.Bernoulli(), num_dims=5).nll(torch.zeros(4, 5), y)


def test_probabilities_as_labels():
    with pytest.raises(ValueError, match="y: .*labels, not probabilities"):
        lr.Independent(lr.Bernoulli(), num_dims=5).nll(torch.zeros(4, 5), torch.full((4, 5), 0.3))


def test_too_few_output_columns():
    with pytest.raises(ValueError, match="outputs: expected shape \\(N, 5\\)"):
        lr.Independent(lr.Bernoulli(), num_dims=5).nll(torch.zeros(4, 4), torch.zeros(4, 5))
