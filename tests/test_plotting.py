import matplotlib.pyplot
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
