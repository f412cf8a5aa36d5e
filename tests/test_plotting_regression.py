"""Tests for the regression figures of chapters 02 and 05: a 1-D density, a predicted sigma."""

import math

import matplotlib.pyplot
import pytest
import torch

import lossrecipe as lr


def test_plot_density_draws_the_normal_formula_and_shades_one_sd():
    # N(2, 0.5): variance 0.5, so the standard deviation is sqrt(0.5), not 0.5.
    dist = torch.distributions.Normal(torch.tensor(2.0, dtype=torch.float64), math.sqrt(0.5))
    ys = torch.linspace(-1.0, 5.0, 121, dtype=torch.float64)
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    lr.plotting.plot_density(ax, dist, ys, label="N(2, 0.5)", mark_sd=True)
    (curve,) = [line for line in ax.get_lines() if line.get_label() == "N(2, 0.5)"]
    expected = [math.exp(-((v - 2.0) ** 2) / (2 * 0.5)) / math.sqrt(2 * math.pi * 0.5) for v in ys]
    torch.testing.assert_close(
        torch.tensor(curve.get_ydata()), torch.tensor(expected, dtype=torch.float64)
    )
    (mean_line,) = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert list(mean_line.get_xdata()) == [2.0, 2.0]
    (band,) = ax.collections
    assert band.get_label() == "mean ± 1 sd (0.707)"
    shaded_x = band.get_paths()[0].vertices[:, 0]
    assert shaded_x.min() >= 2.0 - math.sqrt(0.5) - 1e-12
    assert shaded_x.max() <= 2.0 + math.sqrt(0.5) + 1e-12
    matplotlib.pyplot.close(fig)


def test_plot_density_without_marks_draws_one_curve():
    dist = torch.distributions.Normal(torch.tensor(0.0), torch.tensor(1.0))
    fig, axes = lr.plotting.figure()
    lr.plotting.plot_density(axes[0, 0], dist, torch.linspace(-3, 3, 7))
    assert len(axes[0, 0].get_lines()) == 1
    assert len(axes[0, 0].collections) == 0
    matplotlib.pyplot.close(fig)


def test_plot_density_rejects_a_batch_of_distributions():
    dist = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    fig, axes = lr.plotting.figure()
    with pytest.raises(ValueError, match=r"distribution: expected one scalar distribution"):
        lr.plotting.plot_density(axes[0, 0], dist, torch.linspace(-3, 3, 7))
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("link", ["softplus", "square", "exp"])
def test_plot_stddev_draws_the_square_root_of_the_linked_variance(link):
    recipe = lr.HeteroscedasticGaussian(link=link)
    grid = torch.linspace(0.0, 2.0, 21, dtype=torch.float64).unsqueeze(1)

    def model(x):
        return torch.cat([torch.sin(x), 0.3 + 0.5 * x], dim=1)

    raw = 0.3 + 0.5 * grid[:, 0]
    variance = {
        "softplus": torch.log1p(torch.exp(raw)),
        "square": raw**2,
        "exp": torch.exp(raw),
    }[link]
    truth = 0.05 + 0.2 * grid[:, 0]
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    lr.plotting.plot_stddev(ax, recipe, model, grid, truth=truth, color="black")
    curves = {line.get_label(): line for line in ax.get_lines()}
    predicted = curves[r"predicted $\sigma[x]$"]
    torch.testing.assert_close(torch.tensor(predicted.get_ydata()), variance.sqrt())
    assert predicted.get_color() == "black"
    torch.testing.assert_close(torch.tensor(curves["true"].get_ydata()), truth)
    matplotlib.pyplot.close(fig)


def test_plot_stddev_of_a_fixed_sigma_is_flat():
    recipe = lr.Gaussian(sigma=0.3)
    grid = torch.linspace(0.0, 2.0, 5).unsqueeze(1)
    fig, axes = lr.plotting.figure()
    lr.plotting.plot_stddev(axes[0, 0], recipe, lambda x: x, grid, label="constant")
    (line,) = axes[0, 0].get_lines()
    torch.testing.assert_close(torch.tensor(line.get_ydata()), torch.full((5,), 0.3))
    matplotlib.pyplot.close(fig)


def test_plot_stddev_rejects_a_truth_of_the_wrong_length():
    recipe = lr.Gaussian(sigma=0.3)
    grid = torch.linspace(0.0, 2.0, 5).unsqueeze(1)
    fig, axes = lr.plotting.figure()
    with pytest.raises(ValueError, match=r"truth: expected one value per grid point \(5,\)"):
        lr.plotting.plot_stddev(axes[0, 0], recipe, lambda x: x, grid, truth=torch.ones(4))
    matplotlib.pyplot.close(fig)
