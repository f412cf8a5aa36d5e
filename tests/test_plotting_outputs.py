"""The count and angle figures of chapter 10: what they draw, checked against the recipes."""

import math

import matplotlib.pyplot
import numpy as np
import pytest
import torch

import lossrecipe as lr


def _constant_model(values):
    """A model whose raw outputs are ``values`` (one row per grid point)."""
    return lambda inputs: values.reshape(len(inputs), -1)


def test_break_at_seam_inserts_a_gap_only_where_the_angle_wraps():
    xs = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    angles = np.array([2.5, 3.0, -3.0, -2.5, -2.0])  # crosses pi between x = 1 and x = 2
    new_xs, new_angles = lr.plotting.break_at_seam(xs, angles)
    assert new_xs.shape == (6,) and new_angles.shape == (6,)
    assert np.isnan(new_xs[2]) and np.isnan(new_angles[2])
    np.testing.assert_array_equal(np.delete(new_angles, 2), angles)
    np.testing.assert_array_equal(np.delete(new_xs, 2), xs)


def test_break_at_seam_leaves_a_steep_but_unwrapped_line_alone():
    xs = np.linspace(0.0, 1.0, 4)
    angles = np.array([-3.0, -1.0, 1.0, 3.0])  # steps of 2 < pi: no wrap
    new_xs, new_angles = lr.plotting.break_at_seam(xs, angles)
    np.testing.assert_array_equal(new_xs, xs)
    np.testing.assert_array_equal(new_angles, angles)


def test_break_at_seam_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"angles: expected one angle per x \(3\), got 2"):
        lr.plotting.break_at_seam([0.0, 1.0, 2.0], [0.0, 1.0])


def test_count_predictive_shades_the_poisson_probabilities():
    grid = torch.linspace(0.0, 2.0, 7, dtype=torch.float64).unsqueeze(1)
    log_rate = 0.5 + 0.4 * grid[:, 0]
    recipe, model = lr.Poisson(), _constant_model(log_rate)
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    truth = torch.exp(log_rate)
    lr.plotting.plot_count_predictive(ax, recipe, model, grid, max_count=9, truth=truth)
    mesh = ax.collections[0]
    shaded = torch.tensor(np.asarray(mesh.get_array()), dtype=torch.float64).reshape(10, 7)
    counts = torch.arange(10, dtype=torch.float64).unsqueeze(1)
    expected = torch.exp(counts * log_rate - torch.exp(log_rate) - torch.lgamma(counts + 1.0))
    torch.testing.assert_close(shaded, expected)
    (mean_line,) = [line for line in ax.get_lines() if line.get_label() == "predicted mean"]
    torch.testing.assert_close(torch.tensor(mean_line.get_ydata()), torch.exp(log_rate))
    assert ax.get_ylim() == (-0.5, 9.5)
    matplotlib.pyplot.close(fig)


def test_count_predictive_reaches_the_largest_count_by_default():
    grid = torch.linspace(0.0, 2.0, 5).unsqueeze(1)
    x, y = grid, torch.tensor([0.0, 1.0, 30.0, 2.0, 1.0])
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    lr.plotting.plot_count_predictive(ax, lr.Poisson(), _constant_model(torch.zeros(5)), grid, x, y)
    assert ax.get_ylim()[1] >= 30.0
    matplotlib.pyplot.close(fig)


def test_count_predictive_rejects_a_negative_max_count():
    grid = torch.linspace(0.0, 2.0, 5).unsqueeze(1)
    fig, axes = lr.plotting.figure()
    with pytest.raises(ValueError, match="max_count: expected an integer >= 0, got -1"):
        lr.plotting.plot_count_predictive(
            axes[0, 0], lr.Poisson(), _constant_model(torch.zeros(5)), grid, max_count=-1
        )
    matplotlib.pyplot.close(fig)


def test_angle_predictive_draws_the_wrapped_direction_without_crossing_the_panel():
    grid = torch.linspace(0.0, 2.0, 41, dtype=torch.float64).unsqueeze(1)
    raw = 2.0 + 1.5 * grid[:, 0]  # unwrapped: passes pi at x = (pi - 2) / 1.5
    recipe, model = lr.VonMises(concentration=4.0), _constant_model(raw)
    truth = lr.data.mean_direction(grid[:, 0])
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    lr.plotting.plot_angle_predictive(ax, recipe, model, grid, truth=truth)
    (line,) = [line for line in ax.get_lines() if line.get_label() == "predicted direction"]
    drawn = np.asarray(line.get_ydata(), dtype=float)
    assert int(np.isnan(drawn).sum()) == 1  # one gap, at the seam
    kept = torch.tensor(drawn[~np.isnan(drawn)])
    torch.testing.assert_close(kept, recipe.predict(raw.unsqueeze(1)))
    assert bool((kept > -math.pi).all()) and bool((kept <= math.pi).all())
    for piece in np.split(drawn, np.flatnonzero(np.isnan(drawn))):
        piece = piece[~np.isnan(piece)]
        assert np.all(np.abs(np.diff(piece)) < 0.5)  # no stroke across the panel
    # the density shaded at each x is the von Mises density over (-pi, pi]
    shaded = np.asarray(ax.collections[0].get_array()).reshape(300, 41)
    y_values = torch.linspace(-math.pi, math.pi, 300, dtype=torch.float64)
    expected = recipe.distribution(raw.unsqueeze(1)).log_prob(y_values.unsqueeze(1)).exp()
    torch.testing.assert_close(torch.tensor(shaded), expected)
    assert ax.get_ylim() == (-math.pi, math.pi)
    matplotlib.pyplot.close(fig)
