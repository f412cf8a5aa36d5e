"""MultivariateGaussian: the Cholesky layout, and the NLL against independent references.

References: torch's ``MultivariateNormal`` built from the covariance ``L L^T`` (so it
factorises the matrix itself), SciPy's ``multivariate_normal`` on the same covariance,
and the textbook formula with an explicit inverse and determinant in float64.
"""

import math

import mpmath
import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import assert_near, generator, grad_of

N = 40
LINKS = {"softplus": F.softplus, "exp": torch.exp}


def _scale_tril_by_hand(raw, d, link):
    """``L`` written entry by entry: diagonal ``h[raw_i]``, then (1,0), (2,0), (2,1), ..."""
    rows = []
    for i in range(d):
        row = []
        for j in range(d):
            if i == j:
                row.append(LINKS[link](raw[:, d + i]))
            elif j < i:
                row.append(raw[:, 2 * d + i * (i - 1) // 2 + j])
            else:
                row.append(torch.zeros_like(raw[:, 0]))
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


def _batch(d, dtype, seed=0):
    g = generator(seed)
    recipe = lr.MultivariateGaussian(num_dims=d)
    outputs = torch.randn(N, recipe.num_outputs, generator=g, dtype=torch.float64)
    y = torch.randn(N, d, generator=g, dtype=torch.float64) * 2.0
    return outputs.to(dtype), y.to(dtype)


def _textbook_nll(outputs, y, d, link):
    """``(y - mu)^T Sigma^{-1} (y - mu) / 2 + log det Sigma / 2 + (D / 2) log 2 pi``."""
    tril = _scale_tril_by_hand(outputs, d, link)
    sigma = tril @ tril.transpose(-1, -2)
    r = (y - outputs[:, :d]).unsqueeze(-1)
    quad = (r.transpose(-1, -2) @ torch.linalg.inv(sigma) @ r)[:, 0, 0]
    return 0.5 * quad + 0.5 * torch.logdet(sigma) + 0.5 * d * math.log(2 * math.pi)


@pytest.mark.parametrize("d", [1, 2, 4])
@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_layout_is_means_then_diagonal_then_lower_row_by_row(d, link):
    recipe = lr.MultivariateGaussian(num_dims=d, link=link)
    assert recipe.num_outputs == d + d * (d + 1) // 2
    outputs, _ = _batch(d, torch.float64)
    theta = recipe.params(outputs)
    assert list(theta) == ["mean", "scale_tril"]
    assert theta["mean"].shape == (N, d) and theta["scale_tril"].shape == (N, d, d)
    assert torch.equal(theta["mean"], outputs[:, :d])
    by_hand = _scale_tril_by_hand(outputs, d, link)
    torch.testing.assert_close(theta["scale_tril"], by_hand, rtol=1e-15, atol=0)
    # g[h[z]] = z
    back = recipe.scale_link.inverse(theta["scale_tril"])
    torch.testing.assert_close(back, outputs[:, d:], rtol=1e-12, atol=1e-12)


def test_the_lower_entries_are_placed_row_by_row():
    raw = torch.tensor([[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0]])
    tril = lr.MultivariateGaussian(num_dims=3, link="exp").params(raw)["scale_tril"][0]
    expected = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [2.0, 3.0, 1.0]])
    assert torch.equal(tril, expected)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("link", ["softplus", "exp"])
def test_nll_matches_torch_from_the_covariance(d, link, dtype):
    recipe = lr.MultivariateGaussian(num_dims=d, link=link)
    outputs, y = _batch(d, dtype, seed=d)
    # keep the diagonal away from 0, so L (and torch's own factor of L L^T) is well
    # conditioned and the comparison is about the formula, not about the conditioning
    outputs[:, d : 2 * d] = 0.3 + outputs[:, d : 2 * d].abs()
    y64 = y.double()

    def reference(o):
        """torch's MultivariateNormal from the covariance L L^T, which it factorises again
        by Cholesky: in float64, so that step adds no error of its own to compare."""
        tril = _scale_tril_by_hand(o, d, link)
        cov = tril @ tril.transpose(-1, -2)
        dist = torch.distributions.MultivariateNormal(o[:, :d], covariance_matrix=cov)
        return -dist.log_prob(y64)

    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = grad_of(reference, outputs.double())
    # Our triangular solve z = L^{-1} (y - mu) in dtype is off by about cond(L) eps |z|
    # (backward stable), so |z|^2 / 2 by cond(L) eps |z|^2: that, beside the value, is
    # the scale of the error to expect.
    tril = _scale_tril_by_hand(outputs.double(), d, link)
    cond = torch.linalg.cond(tril)
    z = torch.linalg.solve_triangular(
        tril, (y64 - outputs.double()[:, :d]).unsqueeze(-1), upper=False
    )
    scale = float((cond * z.squeeze(-1).pow(2).sum(-1)).max() + ref.abs().max())
    assert_near(ours, ref, scale=scale)
    assert_near(ours_grad, ref_grad, scale=float(cond.max() * ref_grad.abs().max()))


@pytest.mark.parametrize("d", [1, 2, 3])
def test_nll_matches_scipy_and_the_textbook_formula(d):
    recipe = lr.MultivariateGaussian(num_dims=d)
    outputs, y = _batch(d, torch.float64, seed=10 + d)
    ours = recipe.nll(outputs, y, reduction="none")
    tril = _scale_tril_by_hand(outputs, d, "softplus")
    cov = (tril @ tril.transpose(-1, -2)).numpy()
    scipy_nll = [
        -scipy.stats.multivariate_normal(outputs[i, :d].numpy(), cov[i]).logpdf(y[i].numpy())
        for i in range(N)
    ]
    np.testing.assert_allclose(ours.numpy(), scipy_nll, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(
        ours, _textbook_nll(outputs, y, d, "softplus"), rtol=1e-10, atol=1e-10
    )


def test_one_dimension_is_the_heteroscedastic_gaussian(dtype):
    # exp link: L = exp(z), so the variance is exp(2z): HeteroscedasticGaussian("exp") of 2z
    outputs, y = _batch(1, dtype, seed=7)
    ours, ours_grad = grad_of(
        lambda o: lr.MultivariateGaussian(1, link="exp").nll(o, y, reduction="none"), outputs
    )
    ref, ref_grad = grad_of(
        lambda o: lr.HeteroscedasticGaussian("exp").nll(
            torch.stack([o[:, 0], 2 * o[:, 1]], 1), y[:, 0].double(), reduction="none"
        ),
        outputs.double(),
    )
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


def _exact_nll(outputs, y, d, link):
    """The textbook formula in 50-digit arithmetic (mpmath): explicit inverse and determinant."""
    h = {"softplus": lambda z: mpmath.log1p(mpmath.exp(z)), "exp": mpmath.exp}[link]
    mpmath.mp.dps = 50
    result = []
    for o, t in zip(outputs.double().tolist(), y.double().tolist(), strict=True):
        tril = mpmath.zeros(d, d)
        for i in range(d):
            tril[i, i] = h(mpmath.mpf(o[d + i]))
            for j in range(i):
                tril[i, j] = mpmath.mpf(o[2 * d + i * (i - 1) // 2 + j])
        sigma = tril * tril.T
        r = mpmath.matrix([mpmath.mpf(t[i]) - mpmath.mpf(o[i]) for i in range(d)])
        quad = (r.T * mpmath.inverse(sigma) * r)[0, 0]
        log_det = mpmath.log(mpmath.det(sigma))
        result.append(float(quad / 2 + log_det / 2 + d * mpmath.log(2 * mpmath.pi) / 2))
    return torch.tensor(result, dtype=torch.float64)


def _extreme(d, dtype, mean, diagonal, lower):
    recipe = lr.MultivariateGaussian(num_dims=d)
    sign = torch.where(torch.arange(N) % 2 == 0, 1.0, -1.0).unsqueeze(1)
    reach = torch.tensor([mean] * d + [diagonal] * d + [lower] * (d * (d - 1) // 2))
    outputs = (sign * reach).to(dtype)
    if diagonal == 0.0:
        outputs[:, d : 2 * d] = 0.0
    _, y = _batch(d, dtype, seed=3)
    return recipe, outputs, y


@pytest.mark.parametrize(
    "mean, diagonal, lower",
    [(1e4, 0.0, 1e4), (1e4, 15.0, 0.0), (0.0, 1e4, 1e4), (1e4, 1e4, 1e4)],
    ids=["lower-1e4", "diagonal-15", "diagonal-up-1e4", "all-up-1e4"],
)
def test_finite_and_right_at_extreme_raw_outputs(dtype, mean, diagonal, lower):
    d = 3
    recipe, outputs, y = _extreme(d, dtype, mean, diagonal, lower)
    if diagonal == 1e4:  # +1e4 on every row: softplus[-1e4] = 0 is not a scale
        outputs = outputs.abs()
        outputs[1::2, :d] *= -1
    value, grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    assert_near(value, _exact_nll(outputs, y, d, "softplus"))


def test_predict_is_the_mean_and_beats_every_nearby_point():
    recipe = lr.MultivariateGaussian(num_dims=3)
    outputs, _ = _batch(3, torch.float64, seed=5)
    mode = recipe.predict(outputs)
    assert torch.equal(mode, outputs[:, :3])
    dist = recipe.distribution(outputs)
    steps = torch.randn(200, 1, 3, generator=generator(6), dtype=torch.float64) * 0.05
    assert bool((dist.log_prob(mode + steps) < dist.log_prob(mode)).all())


def test_distribution_is_torch_multivariate_normal_with_scale_tril():
    recipe = lr.MultivariateGaussian(num_dims=2)
    outputs, _ = _batch(2, torch.float64)
    dist = recipe.distribution(outputs)
    assert isinstance(dist, torch.distributions.MultivariateNormal)
    assert torch.equal(dist.scale_tril, recipe.params(outputs)["scale_tril"])
    assert dist.batch_shape == (N,) and dist.event_shape == (2,)


# Bad input: one test per mistake, each message naming the argument.


@pytest.mark.parametrize("num_dims", [0, -2])
def test_num_dims_must_be_positive(num_dims):
    with pytest.raises(ValueError, match="num_dims"):
        lr.MultivariateGaussian(num_dims=num_dims)


def test_num_dims_must_be_an_integer():
    with pytest.raises(ValueError, match="num_dims"):
        lr.MultivariateGaussian(num_dims=2.5)


def test_link_must_be_a_positive_link():
    with pytest.raises(ValueError, match="link"):
        lr.MultivariateGaussian(num_dims=2, link="sigmoid")


def test_the_square_link_is_refused_on_the_cholesky_diagonal():
    # square is 0 at a raw output of 0: a singular covariance (chapter 12's exercise)
    with pytest.raises(ValueError, match=r"^link: expected 'softplus' or 'exp'.*got 'square'"):
        lr.MultivariateGaussian(num_dims=2, link="square")


def test_outputs_with_only_means_and_variances_are_rejected():
    # the diagonal model's 2 D outputs are not enough for a full covariance
    recipe = lr.MultivariateGaussian(num_dims=2)
    with pytest.raises(ValueError, match="outputs"):
        recipe.nll(torch.zeros(N, 4), torch.zeros(N, 2))


def test_flat_targets_are_rejected():
    recipe = lr.MultivariateGaussian(num_dims=2)
    with pytest.raises(ValueError, match="y"):
        recipe.nll(torch.zeros(N, 5), torch.zeros(N))


def test_targets_with_the_wrong_number_of_dimensions_are_rejected():
    recipe = lr.MultivariateGaussian(num_dims=2)
    with pytest.raises(ValueError, match="y"):
        recipe.nll(torch.zeros(N, 5), torch.zeros(N, 3))


def test_targets_for_another_batch_are_rejected():
    recipe = lr.MultivariateGaussian(num_dims=2)
    with pytest.raises(ValueError, match="y"):
        recipe.nll(torch.zeros(N, 5), torch.zeros(N + 1, 2))


def test_non_finite_targets_are_rejected():
    recipe = lr.MultivariateGaussian(num_dims=2)
    y = torch.zeros(N, 2)
    y[3, 1] = float("nan")
    with pytest.raises(ValueError, match="y"):
        recipe.nll(torch.zeros(N, 5), y)


def test_non_finite_outputs_are_rejected():
    recipe = lr.MultivariateGaussian(num_dims=2)
    outputs = torch.zeros(N, 5)
    outputs[0, 4] = float("inf")
    with pytest.raises(ValueError, match="outputs"):
        recipe.nll(outputs, torch.zeros(N, 2))
