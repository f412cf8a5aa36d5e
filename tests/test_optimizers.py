"""lossrecipe.optimizers against torch.optim: the same weights, bit for bit."""

import copy

import pytest
import torch

import lossrecipe as lr
from lossrecipe.optimizers import SGD, Adam


def _train(net, make_optimizer, x, y, steps, dtype):
    """Steps of least squares; the second layer's bias is left out of the loss's graph
    for the first three steps, so it has no gradient there."""
    opt = make_optimizer(net.parameters())
    for step in range(steps):
        opt.zero_grad()
        out = net.layers[1](net.layers[0](x)) @ net.layers[2].weight.T
        if step >= 3:
            out = out + net.layers[2].bias
        ((out[:, 0] - y) ** 2).mean().backward()
        opt.step()
    return [p.detach() for p in net.parameters()]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda p: Adam(p, 0.03), lambda p: torch.optim.Adam(p, lr=0.03)),
        (lambda p: SGD(p, 0.01), lambda p: torch.optim.SGD(p, lr=0.01)),
    ],
    ids=["adam", "sgd"],
)
def test_the_weights_match_torch_optim_bit_for_bit(ours, theirs, dtype):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 1, generator=generator, dtype=dtype)
    y = torch.sin(3 * x[:, 0]) + 0.1 * torch.randn(64, generator=generator, dtype=dtype)
    torch.manual_seed(1)
    net = lr.ShallowNet(1, 16, 1).to(dtype)
    start = [p.detach().clone() for p in net.parameters()]
    mine = _train(copy.deepcopy(net), ours, x, y, 300, dtype)
    reference = _train(copy.deepcopy(net), theirs, x, y, 300, dtype)
    for a, b, s in zip(mine, reference, start, strict=True):
        assert not torch.equal(a, s)  # every parameter moved
        assert torch.equal(a, b)


def test_a_parameter_without_gradient_is_left_alone():
    used, unused = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = Adam([used, unused], lr=0.1)
    (used**2).sum().backward()
    opt.step()
    assert torch.equal(unused.detach(), torch.ones(2))
    assert opt.steps == [1, 0]
    assert not torch.equal(used.detach(), torch.ones(2))


def test_fit_trains_as_torch_optim_adam_would():
    x, y = lr.data.regression_1d(num_points=40, seed=2)
    x, y = x.double(), y.double()
    net = lr.ShallowNet(1, 8, 1).double()
    torch.manual_seed(5)
    lr.models.reset_parameters(net, x)
    reference = copy.deepcopy(net)
    history = lr.fit(net, lr.Gaussian(0.5), x, y, steps=100, lr=0.02, seed=None)
    opt = torch.optim.Adam(reference.parameters(), lr=0.02)
    expected = []
    for _ in range(100):
        opt.zero_grad()
        loss = lr.Gaussian(0.5).nll(reference(x), y, reduction="mean")
        loss.backward()
        opt.step()
        expected.append(float(loss.detach()))
    assert history == expected
    for a, b in zip(net.parameters(), reference.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("make", [Adam, SGD])
def test_bad_settings_raise_value_errors_naming_the_argument(make):
    with pytest.raises(ValueError, match="lr: expected a positive finite number, got 0"):
        make([torch.nn.Parameter(torch.ones(1))], 0)
    with pytest.raises(ValueError, match="params: expected at least one parameter"):
        make([], 0.1)
