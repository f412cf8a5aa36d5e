"""Tests for the class-probability figure (chapters 06 and 07)."""

import matplotlib.pyplot
import pytest
import torch

import lossrecipe as lr


def _curves(ax):
    return [line for line in ax.get_lines() if line.get_linestyle() == "-"]


def test_binary_curve_is_the_sigmoid_of_the_logit():
    recipe = lr.Bernoulli()
    grid = torch.linspace(-2.0, 2.0, 41, dtype=torch.float64).unsqueeze(1)

    def model(x):
        return 3.0 * x - 1.0

    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    x = torch.tensor([[-1.0], [0.5]], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0], dtype=torch.float64)
    lr.plotting.plot_class_probabilities(
        ax, recipe, model, grid, x, y, truth=torch.sigmoid(grid[:, 0])
    )
    (curve,) = _curves(ax)
    torch.testing.assert_close(
        torch.tensor(curve.get_ydata()), torch.sigmoid(3.0 * grid[:, 0] - 1.0)
    )
    # One shaded interval: where the logit is positive, x > 1/3 (to within half a grid step).
    (span,) = ax.patches
    left = span.get_x()
    assert abs(left - 1.0 / 3.0) <= 0.05
    assert span.get_x() + span.get_width() == pytest.approx(2.0)
    matplotlib.pyplot.close(fig)


def test_multiclass_curves_sum_to_one_and_data_rows_match_the_classes():
    recipe = lr.Categorical(num_classes=3)
    grid = torch.linspace(0.0, 2.0, 50).unsqueeze(1)

    def model(x):
        return torch.cat([-x, torch.zeros_like(x), x - 1.0], dim=1)

    x = torch.tensor([[0.1], [0.2], [1.0], [1.9]])
    y = torch.tensor([0, 0, 1, 2])
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    lr.plotting.plot_class_probabilities(ax, recipe, model, grid, x, y)
    curves = _curves(ax)
    assert [c.get_label() for c in curves] == ["$k = 0$", "$k = 1$", "$k = 2$"]
    # Told apart by marker as well as colour (for a reader who cannot see the colours).
    assert len({c.get_marker() for c in curves}) == 3
    assert all(c.get_marker() not in ("None", "", None) for c in curves)
    heights = torch.stack([torch.tensor(c.get_ydata()) for c in curves], dim=1)
    torch.testing.assert_close(heights, torch.softmax(model(grid), dim=1))
    torch.testing.assert_close(heights.sum(dim=1), torch.ones(50))
    rows = [len(collection.get_offsets()) for collection in ax.collections]
    assert rows == [2, 1, 1]
    matplotlib.pyplot.close(fig)


def test_decision_intervals_tile_the_grid():
    grid = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
    predicted = torch.tensor([2, 2, 0, 0, 1])
    intervals = lr.plotting.decision_intervals(grid, predicted)
    assert intervals == [(0.0, 1.5, 2), (1.5, 3.5, 0), (3.5, 4.0, 1)]


def test_truth_of_the_wrong_shape_is_rejected():
    recipe = lr.Categorical(num_classes=3)
    grid = torch.linspace(0.0, 2.0, 10).unsqueeze(1)
    fig, axes = lr.plotting.figure()
    with pytest.raises(ValueError, match=r"truth: expected shape \(10, 3\)"):
        lr.plotting.plot_class_probabilities(
            axes[0, 0], recipe, lambda x: x.repeat(1, 3), grid, truth=torch.zeros(10)
        )
    matplotlib.pyplot.close(fig)


def test_decision_intervals_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="predicted: expected one class per grid point"):
        lr.plotting.decision_intervals(torch.zeros(3), torch.zeros(2))
