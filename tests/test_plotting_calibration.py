"""Tests for the calibration figures (chapter 15): PIT histogram and reliability diagram."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lossrecipe as lr  # noqa: E402


def test_pit_histogram_bars_are_a_density_over_zero_one():
    values = torch.tensor([0.05, 0.15, 0.15, 0.95])
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    assert lr.plotting.plot_pit_histogram(ax, values, num_bins=10) is ax
    heights = np.array([bar.get_height() for bar in ax.patches])
    # 10 bins of width 0.1: height = share of the values in the bin / 0.1
    np.testing.assert_allclose(heights, [2.5, 5.0, 0, 0, 0, 0, 0, 0, 0, 2.5])
    np.testing.assert_allclose((heights * 0.1).sum(), 1.0)
    (uniform,) = [line for line in ax.get_lines() if line.get_label() == "uniform"]
    assert list(uniform.get_ydata()) == [1.0, 1.0]
    matplotlib.pyplot.close(fig)


def test_pit_histogram_rejects_values_outside_zero_one():
    fig, axes = lr.plotting.figure()
    with pytest.raises(
        ValueError, match=r"pit_values: expected at least one value, all in \[0, 1\]"
    ):
        lr.plotting.plot_pit_histogram(axes[0, 0], torch.tensor([0.5, 1.2]))
    matplotlib.pyplot.close(fig)


def test_reliability_diagram_draws_one_bar_per_occupied_bin():
    probs = torch.tensor(
        [[0.95, 0.05], [0.15, 0.85], [0.55, 0.45], [0.52, 0.48]], dtype=torch.float64
    )
    y = torch.tensor([0, 0, 0, 1])
    confidence, accuracy, count = lr.metrics.calibration_curve(probs, y, num_bins=5)
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    assert lr.plotting.plot_reliability_diagram(ax, confidence, accuracy, count) is ax
    bars = ax.patches
    lefts = [round(bar.get_x(), 6) for bar in bars]
    assert lefts == [0.4, 0.8]  # bins [0.4, 0.6) and [0.8, 1.0]; the others are empty
    np.testing.assert_allclose([bar.get_height() for bar in bars], [0.5, 0.5])
    np.testing.assert_allclose([bar.get_width() for bar in bars], [0.2, 0.2])
    (dots,) = [line for line in ax.get_lines() if line.get_label() == "mean confidence"]
    np.testing.assert_allclose(dots.get_xdata(), [0.535, 0.9])
    assert not any(math.isnan(v) for v in dots.get_xdata())
    matplotlib.pyplot.close(fig)


def test_reliability_diagram_rejects_mismatched_lengths():
    fig, axes = lr.plotting.figure()
    with pytest.raises(ValueError, match=r"count: expected one value per bin \(3\), got 2"):
        lr.plotting.plot_reliability_diagram(
            axes[0, 0], torch.zeros(3), torch.zeros(3), torch.zeros(2)
        )
    matplotlib.pyplot.close(fig)
