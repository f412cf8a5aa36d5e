"""Independent: against torch's Independent, block by block, as a diagonal MultivariateNormal."""

import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import as_float64, assert_near, generator, grad_of, reduce, tol

N = 64
TD = torch.distributions


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
    g = generator(seed)
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
    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction=reduction), outputs)

    y64 = as_float64(y)

    def ref_nll(o):
        blocks = o.reshape(N, D, base.num_outputs)  # block d = columns d*P .. (d+1)*P - 1
        return reduce(-TD.Independent(reference(blocks), 1).log_prob(y64), reduction)

    ref, ref_grad = grad_of(ref_nll, outputs.double())
    if name == "von_mises":
        # torch's von Mises normaliser is a polynomial approximation (error ~5e-7 a term)
        terms = D * (N if reduction == "sum" else 1)
        allowed = max(tol(dtype, float(ref.abs().max()))["atol"], 1e-6 * terms)
        torch.testing.assert_close(ours.double(), ref, rtol=0, atol=allowed)
    else:
        assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


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
    outputs, _ = torch.randn(N, 4, generator=generator(22), dtype=torch.float64).to(dtype), None
    y = torch.randn(N, 2, generator=generator(23), dtype=torch.float64).to(dtype)
    r = lr.Independent(lr.HeteroscedasticGaussian(link="exp"), num_dims=2)
    assert r.num_outputs == 4

    def reference(o):
        mean = o[:, [0, 2]]
        covariance = torch.diag_embed(torch.exp(o[:, [1, 3]]))
        return -TD.MultivariateNormal(mean, covariance).log_prob(y)

    ours, ours_grad = grad_of(lambda o: r.nll(o, y, reduction="none"), outputs)
    y = y.double()
    ref, ref_grad = grad_of(reference, outputs.double())
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


def test_independent_vector_parameters_have_a_trailing_size():
    r = lr.Independent(lr.GaussianMixture(3), num_dims=2)
    outputs = torch.randn(5, 18, generator=generator(24))
    theta = r.params(outputs)
    assert {k: tuple(v.shape) for k, v in theta.items()} == {
        "weights": (5, 2, 3),
        "means": (5, 2, 3),
        "variances": (5, 2, 3),
    }
