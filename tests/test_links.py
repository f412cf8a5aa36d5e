import math

import pytest
import torch
from torch.distributions import constraints

from lossrecipe import links

from .conftest import assert_near

RAW_VALUES = [-1e4, -800.0, -100.0, -30.0, -21.0, -19.0, -1.0, 0.0, 0.5, 3.0, 30.0, 1e4]


@pytest.mark.parametrize("name", ["identity", "softplus", "exp", "square", "sigmoid"])
def test_inverse_undoes_link(name):
    link = links.get_link(name)
    z = torch.linspace(0.1, 3.0, 13, dtype=torch.float64)
    torch.testing.assert_close(link.inverse(link(z)), z)


def test_softmax_inverse_up_to_a_constant():
    z = torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64)
    back = links.Softmax().inverse(links.Softmax()(z))
    torch.testing.assert_close(back - back[:, :1], z - z[:, :1])


@pytest.mark.parametrize("name", ["softplus", "exp", "square"])
def test_positive_links_produce_positive_values(name):
    z = torch.tensor([-5.0, -0.5, 0.3, 4.0], dtype=torch.float64)
    assert bool((links.get_link(name)(z) > 0).all())
    link = links.get_link(name, kind=links.PositiveLink)
    assert bool(link.codomain.check(link(z)).all())
    assert link.codomain is (constraints.nonnegative if name == "square" else constraints.positive)


def test_sigmoid_in_unit_interval_and_softmax_on_simplex():
    z = torch.tensor([[-3.0, 0.0, 7.0]], dtype=torch.float64)
    p = links.Sigmoid()(z)
    assert bool(((p > 0) & (p < 1)).all())
    s = links.Softmax()(z)
    torch.testing.assert_close(s.sum(dim=-1), torch.ones(1, dtype=torch.float64))


def _log_softplus_reference(z: float) -> float:
    # log(log(1 + e^z)) in double precision: below z = -30 the series z - e^z/2 is
    # exact to rounding; elsewhere math.log1p is.
    if z < -30:
        return z + math.log1p(-math.exp(z) / 2.0)
    if z > 30:
        return math.log(z + math.log1p(math.exp(-z)))
    return math.log(math.log1p(math.exp(z)))


MODERATE_VALUES = [v for v in RAW_VALUES if v >= -40]  # no raw output near underflow


@pytest.mark.parametrize("values", [RAW_VALUES, MODERATE_VALUES], ids=["extreme", "moderate"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_softplus_log_is_stable_and_exact(dtype, values):
    z = torch.tensor(values, dtype=dtype, requires_grad=True)
    out = links.Softplus().log(z)
    expected = torch.tensor([_log_softplus_reference(v) for v in values], dtype=torch.float64)
    assert_near(out.detach(), expected, scale=1.0)  # relative to each value
    out.sum().backward()
    assert bool(torch.isfinite(z.grad).all())
    # d/dz log softplus(z) = sigmoid(z) / softplus(z), which tends to 1 as z -> -inf
    raw = torch.tensor(values, dtype=torch.float64)
    z64 = raw.clone().requires_grad_(True)
    value, log_value = links.Softplus().value_and_log(z64)
    torch.testing.assert_close(value, torch.nn.functional.softplus(raw))
    log_value.sum().backward()
    mid = (raw >= -30) & (raw <= 30)
    expected_grad = torch.sigmoid(raw[mid]) / torch.nn.functional.softplus(raw[mid])
    torch.testing.assert_close(z64.grad[mid], expected_grad)


def test_exp_and_square_log():
    z = torch.tensor([-3.0, 0.5, 2.0], dtype=torch.float64)
    torch.testing.assert_close(links.Exp().log(z), z)
    torch.testing.assert_close(links.Square().log(z), torch.log(z**2))


def test_unknown_link_is_rejected():
    with pytest.raises(ValueError, match="link: expected one of .*got 'relu'"):
        links.get_link("relu")


def test_get_link_by_kind_names_only_links_of_that_kind():
    assert isinstance(links.get_link("exp", kind=links.PositiveLink), links.Exp)
    with pytest.raises(ValueError, match=r"link: expected one of \['exp', 'softplus', 'square'\]"):
        links.get_link("sigmoid", kind=links.PositiveLink)
