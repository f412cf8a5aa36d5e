import matplotlib.pyplot
import matplotlib.pyplot as plt
import pytest
import torch

import lossrecipe as lr


@pytest.fixture
def fitted():
    x, y = lr.data.regression_1d(num_points=12, seed=0)
    recipe = lr.Gaussian(sigma=0.3)
    net = lr.ShallowNet(1, 3, 1)
    lr.fit(net, recipe, x, y, steps=20, seed=0)
    return recipe, net, x, y


@pytest.mark.parametrize("style", ["density", "bands"])
def test_plot_predictive_draws_the_mean_and_the_data(fitted, style):
    recipe, net, x, y = fitted
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    grid = lr.plotting.predictive_grid(x, num=50)
    lr.plotting.plot_predictive(ax, recipe, net, grid, x, y, style=style)
    (mean_line,) = [line for line in ax.get_lines() if line.get_label() == "predicted mean"]
    with torch.no_grad():
        expected = net(grid)[:, 0]
    torch.testing.assert_close(torch.tensor(mean_line.get_ydata()), expected)
    assert len(ax.collections) >= 2  # the density or bands, and the data
    matplotlib.pyplot.close(fig)


def test_point_likelihood_segments_are_proportional_to_the_density(fitted):
    recipe, net, x, y = fitted
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    lr.plotting.plot_point_likelihoods(ax, recipe, net, x, y)
    segments = ax.get_lines()[1::2]
    lengths = torch.tensor([seg.get_xdata()[1] - seg.get_xdata()[0] for seg in segments])
    with torch.no_grad():
        likelihood = recipe.distribution(net(x)).log_prob(y).exp()
    ratio = lengths / likelihood.double()
    torch.testing.assert_close(ratio, torch.full_like(ratio, float(ratio[0])))
    matplotlib.pyplot.close(fig)


def test_bad_style_is_rejected(fitted):
    recipe, net, x, y = fitted
    fig, axes = lr.plotting.figure()
    with pytest.raises(ValueError, match="style: expected 'density' or 'bands'"):
        lr.plotting.plot_predictive(axes[0, 0], recipe, net, x, style="violin")
    matplotlib.pyplot.close(fig)


def test_every_model_plot_draws_from_tensors_on_any_device(device):
    # The model runs where its inputs are; what is drawn is copied to the CPU.
    dtype = torch.float32
    x, y = lr.data.heteroscedastic_1d(num_points=20, seed=0, dtype=dtype, device=device)
    grid = lr.plotting.predictive_grid(x, num=15)
    assert grid.device.type == device.type
    hetero = lr.HeteroscedasticGaussian()
    net = lr.MLP(1, (4,), 2).to(device)
    fig, axes = lr.plotting.figure(ncols=4, nrows=2)
    lr.plotting.plot_predictive(axes[0, 0], hetero, net, grid, x, y)
    lr.plotting.plot_predictive(axes[0, 1], hetero, net, grid, style="bands")
    lr.plotting.plot_point_likelihoods(axes[0, 2], hetero, net, x[:5], y[:5])
    lr.plotting.plot_stddev(axes[0, 3], hetero, net, grid, truth=lr.data.growing_sigma(grid))
    xc, yc = lr.data.counts_1d(num_points=20, seed=0, dtype=dtype, device=device)
    counts = lr.MLP(1, (4,), 1).to(device)
    lr.plotting.plot_count_predictive(axes[1, 0], lr.Poisson(), counts, grid, xc, yc)
    xb, yb = lr.data.binary_1d(num_points=20, seed=0, dtype=dtype, device=device)
    binary = lr.MLP(1, (4,), 1).to(device)
    lr.plotting.plot_class_probabilities(axes[1, 1], lr.Bernoulli(), binary, grid, xb, yb)
    xa, ya = lr.data.directions_1d(num_points=20, seed=0, dtype=dtype, device=device)
    angles = lr.MLP(1, (4,), 1).to(device)
    lr.plotting.plot_angle_predictive(axes[1, 2], lr.VonMises(2.0), angles, grid, xa, ya)
    lr.plotting.plot_data(axes[1, 3], x, y)
    assert all(ax.has_data() for ax in axes.flat)
    plt.close(fig)
