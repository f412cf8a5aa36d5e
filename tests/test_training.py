import pytest
import torch

import lossrecipe as lr


def test_shallow_net_shapes_and_formula():
    net = lr.ShallowNet(num_inputs=2, num_hidden=4, num_outputs=3)
    x = torch.randn(7, 2)
    out = net(x)
    assert out.shape == (7, 3)
    first, second = net.layers[0], net.layers[2]
    expected = second.bias + torch.relu(x @ first.weight.T + first.bias) @ second.weight.T
    torch.testing.assert_close(out, expected)


def test_mlp_shapes():
    net = lr.MLP(num_inputs=1, hidden=(8, 8), num_outputs=2)
    assert net(torch.zeros(3, 1)).shape == (3, 2)
    assert sum(isinstance(m, torch.nn.Linear) for m in net.modules()) == 3


def test_fit_is_deterministic_and_reinitialises():
    x, y = lr.data.regression_1d(num_points=30, seed=1)
    net = lr.ShallowNet(1, 5, 1)
    first = lr.fit(net, lr.Gaussian(0.2), x, y, steps=50, seed=3)
    weights = [p.detach().clone() for p in net.parameters()]
    second = lr.fit(net, lr.Gaussian(0.2), x, y, steps=50, seed=3)
    assert first == second
    for a, b in zip(weights, net.parameters(), strict=True):
        assert torch.equal(a, b)
    other = lr.fit(net, lr.Gaussian(0.2), x, y, steps=50, seed=4)
    assert other != first
    assert len(first) == 50


def test_fit_with_seed_none_continues():
    x, y = lr.data.regression_1d(num_points=30, seed=1)
    net = lr.ShallowNet(1, 5, 1)
    history = lr.fit(net, lr.Gaussian(0.2), x, y, steps=200, seed=0)
    more = lr.fit(net, lr.Gaussian(0.2), x, y, steps=10, seed=None)
    assert more[0] <= history[-1] + 1e-3


def test_gaussian_fit_reduces_the_loss_to_the_noise_floor():
    x, y = lr.data.regression_1d(num_points=200, sigma=0.1, seed=0, dtype=torch.float64)
    net = lr.ShallowNet(1, 16, 1).double()
    history = lr.fit(net, lr.Gaussian(0.1), x, y, steps=1500, lr=0.02, seed=0)
    grid = torch.linspace(0.1, 1.9, 50, dtype=torch.float64).unsqueeze(1)
    with torch.no_grad():
        error = (net(grid)[:, 0] - lr.data.regression_mean(grid[:, 0])).abs().max()
    assert history[-1] < history[0]
    assert float(error) < 0.1


def test_heteroscedastic_model_recovers_the_noise_function():
    x, y = lr.data.heteroscedastic_1d(num_points=2000, seed=0, dtype=torch.float64)
    recipe = lr.HeteroscedasticGaussian(link="softplus")
    net = lr.MLP(num_inputs=1, hidden=(16, 16), num_outputs=recipe.num_outputs).double()
    lr.fit(net, recipe, x, y, steps=800, lr=0.02, seed=0)
    grid = torch.linspace(0.1, 1.9, 19, dtype=torch.float64).unsqueeze(1)
    with torch.no_grad():
        sigma = recipe.params(net(grid))["variance"].sqrt()
    truth = lr.data.growing_sigma(grid[:, 0])
    relative = ((sigma - truth).abs() / truth).max()
    assert float(relative) < 0.2, f"largest relative error of sigma(x): {float(relative):.3f}"


def test_fit_rejects_bad_settings():
    x, y = lr.data.regression_1d(num_points=5)
    net = lr.ShallowNet()
    with pytest.raises(ValueError, match="steps: expected an integer >= 1"):
        lr.fit(net, lr.Gaussian(), x, y, steps=0)
    with pytest.raises(ValueError, match="lr: expected a positive finite number, got -1.0"):
        lr.fit(net, lr.Gaussian(), x, y, lr=-1.0)
    with pytest.raises(ValueError, match="optimizer: expected one of"):
        lr.fit(net, lr.Gaussian(), x, y, optimizer="lbfgs")
    with pytest.raises(ValueError, match="y: expected shape"):
        lr.fit(net, lr.Gaussian(), x, y.unsqueeze(1), steps=1)


def test_fit_reports_divergence():
    x, y = lr.data.regression_1d(num_points=20)
    net = lr.ShallowNet(1, 3, 1)
    with pytest.raises(RuntimeError, match="training diverged at step"):
        lr.fit(net, lr.Gaussian(1e-3), x, y * 1e6, steps=200, lr=1e6, optimizer="sgd")


def test_fit_minimises_a_given_loss_instead_of_the_nll():
    x, y = lr.data.regression_1d(num_points=30, seed=2)
    recipe = lr.Gaussian(0.2)
    net = lr.ShallowNet(1, 4, 1)
    default = lr.fit(net, recipe, x, y, steps=30, seed=0)
    same = lr.fit(net, recipe, x, y, steps=30, seed=0, loss=lambda o, t: recipe.nll(o, t) / 30)
    assert same == pytest.approx(default, rel=1e-6)
    absolute = lr.fit(
        net, recipe, x, y, steps=30, seed=0, loss=lambda o, t: (o[:, 0] - t).abs().mean()
    )
    expected_first = float((net_output_at_init(recipe, x, seed=0)[:, 0] - y).abs().mean())
    assert absolute[0] == pytest.approx(expected_first, rel=1e-6)


def net_output_at_init(recipe, x, seed):
    net = lr.ShallowNet(1, 4, 1)
    torch.manual_seed(seed)
    lr.models.reset_parameters(net, x)
    with torch.no_grad():
        return net(x)


def test_fit_puts_every_first_layer_kink_midway_between_neighbouring_inputs():
    x, y = lr.data.regression_1d(num_points=25, seed=3, dtype=torch.float64)
    net = lr.ShallowNet(1, 12, 1).double()
    torch.manual_seed(5)
    lr.models.reset_parameters(net, x)
    first = net.layers[0]
    kinks = (-first.bias / first.weight[:, 0]).detach()  # theta_d0 + theta_d1 x = 0
    inputs = x[:, 0].sort().values
    midpoints = (inputs[1:] + inputs[:-1]) / 2
    gaps = (kinks.unsqueeze(1) - midpoints).abs().min(dim=1).values
    assert float(gaps.max()) < 1e-12
    assert len(set(kinks.tolist())) > 6  # spread over the data, not all at one place


def test_kinks_stay_off_the_training_inputs_in_several_dimensions():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(40, 3, generator=g, dtype=torch.float64)
    net = lr.MLP(num_inputs=3, hidden=(16,), num_outputs=1).double()
    torch.manual_seed(1)
    lr.models.reset_parameters(net, x)
    with torch.no_grad():
        pre_activation = net.layers[0](x)  # (N, units)
    assert float(pre_activation.abs().min()) > 1e-6
    active = (pre_activation > 0).sum(dim=0)
    assert bool(((active > 0) & (active < len(x))).all())  # every unit switches in the data


def test_reset_parameters_checks_the_inputs_shape():
    net = lr.MLP(num_inputs=2, hidden=(4,), num_outputs=1)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\)"):
        lr.models.reset_parameters(net, torch.zeros(5, 3))


def _fit_weights(batch_size, seed=0, steps=40, num_points=30):
    x, y = lr.data.regression_1d(num_points=num_points, seed=1, dtype=torch.float64)
    net = lr.ShallowNet(1, 5, 1).double()
    history = lr.fit(net, lr.Gaussian(0.2), x, y, steps=steps, seed=seed, batch_size=batch_size)
    return history, [p.detach().clone() for p in net.parameters()]


def test_a_batch_of_every_example_is_full_batch_training_bit_for_bit():
    full, full_weights = _fit_weights(None)
    batched, batched_weights = _fit_weights(30)
    larger, larger_weights = _fit_weights(1000)  # more than N: one batch of all N
    assert full == batched == larger
    for a, b, c in zip(full_weights, batched_weights, larger_weights, strict=True):
        assert torch.equal(a, b) and torch.equal(a, c)


def test_mini_batches_are_reproducible_and_depend_on_the_seed():
    first, first_weights = _fit_weights(8, seed=3)
    again, again_weights = _fit_weights(8, seed=3)
    other, _ = _fit_weights(8, seed=4)
    assert first == again and first != other
    assert all(torch.equal(a, b) for a, b in zip(first_weights, again_weights, strict=True))
    full, _ = _fit_weights(None, seed=3)
    assert first != full


def test_each_pass_visits_every_example_once_in_batches_of_the_given_size():
    x = torch.arange(10.0).unsqueeze(1)
    seen = []
    recipe = lr.Gaussian()

    def record(outputs, targets):
        seen.append(targets.tolist())
        return recipe.nll(outputs, targets, reduction="mean")

    lr.fit(lr.ShallowNet(1, 2, 1), recipe, x, x[:, 0], steps=8, batch_size=4, loss=record)
    assert [len(b) for b in seen] == [4, 4, 2] * 2 + [4, 4]
    for one_pass in (seen[0:3], seen[3:6]):
        assert sorted(sum(one_pass, [])) == [float(i) for i in range(10)]
        assert all(b == sorted(b) for b in one_pass)  # each batch in the data's order
    assert seen[0:3] != seen[3:6]  # a new order every pass


def test_mini_batch_training_fits():
    x, y = lr.data.regression_1d(num_points=200, sigma=0.1, seed=0, dtype=torch.float64)
    net = lr.ShallowNet(1, 16, 1).double()
    history = lr.fit(net, lr.Gaussian(0.1), x, y, steps=600, lr=0.02, seed=0, batch_size=32)
    with torch.no_grad():
        full = float(lr.Gaussian(0.1).nll(net(x), y, reduction="mean"))
    assert full < history[0] - 1.0


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True])
def test_fit_rejects_a_bad_batch_size(batch_size):
    x, y = lr.data.regression_1d(num_points=5)
    with pytest.raises(ValueError, match="batch_size: expected an integer >= 1"):
        lr.fit(lr.ShallowNet(), lr.Gaussian(), x, y, steps=1, batch_size=batch_size)


def test_a_short_fit_on_every_device(device):
    dtype = torch.float32 if device.type == "mps" else torch.float64
    x, y = lr.data.heteroscedastic_1d(num_points=64, seed=0, dtype=dtype, device=device)
    recipe = lr.HeteroscedasticGaussian()
    net = lr.MLP(num_inputs=1, hidden=(8,), num_outputs=2).to(device=device, dtype=dtype)
    history = lr.fit(net, recipe, x, y, steps=30, lr=0.02, seed=0, batch_size=16)
    assert len(history) == 30 and history[-1] < history[0]
    assert all(p.device.type == device.type for p in net.parameters())
    with torch.no_grad():
        assert recipe.params(net(x))["variance"].device.type == device.type
