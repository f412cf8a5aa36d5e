"""Ordinal (cumulative logit): the closed form against a direct and a 60-digit reference,
extreme locations, the K = 2 Bernoulli, the cutpoint link, and bad input."""

import mpmath
import pytest
import torch
import torch.nn.functional as F

import lossrecipe as lr

from .conftest import grad_of, tol

N = 64


def _batch(dtype, k, scale=1.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    outputs = torch.randn(N, k, generator=g, dtype=torch.float64) * scale
    y = torch.randint(0, k, (N,), generator=g)
    return outputs.to(dtype), y


def _direct_nll(outputs, y):
    """``-log(sig[c_{y+1} - eta] - sig[c_y - eta])`` with ``c_0 = -inf``, ``c_K = +inf``:
    the definition, written with plain sigmoids and a difference of probabilities."""
    eta, raw = outputs[:, 0], outputs[:, 1:]
    gaps = torch.cat([raw[:, :1], torch.log1p(torch.exp(raw[:, 1:]))], dim=1)
    cut = torch.cumsum(gaps, dim=1)
    cdf = torch.sigmoid(cut - eta[:, None])
    zero, one = torch.zeros_like(cdf[:, :1]), torch.ones_like(cdf[:, :1])
    probs = torch.diff(torch.cat([zero, cdf, one], dim=1), dim=1)
    return -torch.log(probs.gather(1, y[:, None]).squeeze(1))


def _mp_nll(row, label):
    """The same definition in 60-digit arithmetic (mpmath), for any raw outputs."""
    with mpmath.workdps(60):
        eta = mpmath.mpf(row[0])
        cut, c = [], None
        for j, r in enumerate(row[1:]):
            r = mpmath.mpf(r)
            c = r if j == 0 else c + mpmath.log1p(mpmath.exp(r))
            cut.append(c)
        cdf = [mpmath.mpf(0)] + [1 / (1 + mpmath.exp(eta - c)) for c in cut] + [mpmath.mpf(1)]
        return -mpmath.log(cdf[label + 1] - cdf[label])


@pytest.mark.parametrize("k", [2, 3, 6])
def test_matches_the_direct_definition(dtype, k):
    outputs, y = _batch(dtype, k, scale=2.0)
    recipe = lr.Ordinal(num_classes=k)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = grad_of(lambda o: _direct_nll(o, y), outputs.double())
    # The reference subtracts two cdf values (each at most 1) and takes the log, so it
    # carries an error of about eps64 / Pr(y = k) = eps64 exp(NLL) of its own; ours, the
    # stable form in dtype, one of eps(dtype) relative to the terms.
    condition = float(torch.exp(ref).max())
    for actual, expected in [(ours, ref), (ours_grad, ref_grad)]:
        size = float(expected.abs().max())
        allowed = tol(dtype, size)["atol"] + tol(torch.float64, condition * size)["atol"]
        torch.testing.assert_close(actual.double(), expected, rtol=tol(dtype)["rtol"], atol=allowed)


@pytest.mark.parametrize("location", [-1e4, -50.0, 0.0, 50.0, 1e4])
@pytest.mark.parametrize("label", [0, 1, 2, 3])
def test_extreme_locations_against_60_digits(dtype, location, label):
    row = [location, -1.0, 0.5, -30.0]  # c = (-1, -0.03, -0.03 + 9e-14): a tiny last gap
    outputs = torch.tensor([row], dtype=dtype)
    value = lr.Ordinal(4).nll(outputs, torch.tensor([label]))
    expected = float(_mp_nll([float(v) for v in outputs[0].double()], label))
    assert torch.isfinite(value)
    assert abs(float(value) - expected) <= tol(dtype, abs(expected))["atol"]


@pytest.mark.parametrize("sign", [-1.0, 1.0])
def test_gradient_at_extreme_location(dtype, sign):
    # Far beyond every cutpoint all mass sits in one end class: the NLL of the other
    # end grows like |eta| with slope 1 and the mass at the end class has gradient 0.
    outputs = torch.tensor([[sign * 1e4, 0.0, 0.0]], dtype=dtype)
    far = torch.tensor([0 if sign > 0 else 2])
    near = torch.tensor([2 if sign > 0 else 0])
    recipe = lr.Ordinal(3)
    value, grad = grad_of(lambda o: recipe.nll(o, far), outputs)
    small = tol(dtype)["atol"]
    assert abs(float(grad[0, 0]) - sign) < small and torch.isfinite(value)
    value, grad = grad_of(lambda o: recipe.nll(o, near), outputs)
    assert float(value) < small and float(grad.abs().max()) < small


def test_two_classes_is_a_bernoulli_on_eta_minus_r(dtype):
    outputs, y = _batch(dtype, 2, scale=3.0)
    ours = lr.Ordinal(2).nll(outputs, y, reduction="none")
    logit = (outputs[:, 0] - outputs[:, 1]).unsqueeze(1)
    ref = lr.Bernoulli().nll(logit, y.to(dtype), reduction="none")
    torch.testing.assert_close(ours, ref)


def test_probabilities_sum_to_one_and_cutpoints_increase(dtype):
    outputs, _ = _batch(dtype, 5, scale=4.0)
    recipe = lr.Ordinal(5)
    probs = recipe.distribution(outputs).probs
    torch.testing.assert_close(probs.sum(1), torch.ones(N, dtype=dtype), **tol(dtype))
    cut = recipe.params(outputs)["cutpoints"]
    assert cut.shape == (N, 4) and bool((cut.diff(dim=1) > 0).all())
    cdf = torch.sigmoid(cut - outputs[:, :1])
    torch.testing.assert_close(probs.cumsum(1)[:, :-1], cdf, **tol(dtype))


def test_cutpoint_link_inverse_round_trips():
    link = lr.recipes.classes.OrderedCutpoints()
    raw = torch.tensor([[-2.0, 0.3, -1.5, 4.0]], dtype=torch.float64)
    torch.testing.assert_close(link.inverse(link(raw)), raw)
    assert bool(link.codomain.check(link(raw)).all())
    assert not bool(link.codomain.check(torch.tensor([[0.0, 0.0]])).all())


def test_mode_is_the_most_probable_class():
    outputs = torch.tensor([[0.0, -1.0, 0.0, 0.5], [5.0, -1.0, 0.0, 0.5]], dtype=torch.float64)
    recipe = lr.Ordinal(4)
    assert recipe.predict(outputs).tolist() == recipe.distribution(outputs).probs.argmax(1).tolist()
    assert recipe.predict(outputs)[1] == 3


def test_softplus_gap_matches_torch():
    raw = torch.tensor([[0.0, 1.0, -3.0]], dtype=torch.float64)
    cut = lr.recipes.classes.OrderedCutpoints()(raw)
    gap1, gap2 = F.softplus(raw[0, 1]), F.softplus(raw[0, 2])
    expected = torch.stack([raw[0, 0], gap1, gap1 + gap2]).unsqueeze(0)
    torch.testing.assert_close(cut, expected, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("k", [1, 0, 2.5, True, "3"])
def test_bad_number_of_classes(k):
    with pytest.raises(ValueError, match="num_classes"):
        lr.Ordinal(num_classes=k)


def test_labels_one_to_k():
    with pytest.raises(ValueError, match="y: .*0..3"):
        lr.Ordinal(4).nll(torch.zeros(2, 4), torch.tensor([1, 4]))


def test_negative_label():
    with pytest.raises(ValueError, match="y: "):
        lr.Ordinal(4).nll(torch.zeros(2, 4), torch.tensor([-1, 0]))


def test_fractional_label():
    with pytest.raises(ValueError, match="y: .*integer"):
        lr.Ordinal(4).nll(torch.zeros(2, 4), torch.tensor([0.5, 1.0]))


def test_column_labels():
    with pytest.raises(ValueError, match="y: .*squeeze"):
        lr.Ordinal(4).nll(torch.zeros(2, 4), torch.tensor([[0], [1]]))


def test_wrong_output_width():
    with pytest.raises(ValueError, match="outputs: .*\\(N, 4\\)"):
        lr.Ordinal(4).nll(torch.zeros(2, 3), torch.tensor([0, 1]))
