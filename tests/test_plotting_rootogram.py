"""The hanging rootogram (lossrecipe.plotting.plot_rootogram) against a direct computation."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402

import lossrecipe as lr  # noqa: E402


def test_bars_hang_from_the_square_root_of_the_expected_frequencies():
    rates = torch.tensor([0.5, 1.0, 2.0, 4.0], dtype=torch.float64)
    y = torch.tensor([0.0, 0.0, 3.0, 3.0])
    fig, axes = lr.plotting.figure()
    ax = axes[0, 0]
    assert lr.plotting.plot_rootogram(ax, torch.distributions.Poisson(rates), y) is ax
    ks = np.arange(4)  # max_count defaults to the largest y
    expected = stats.poisson.pmf(ks[:, None], rates.numpy()[None, :]).sum(axis=1)
    observed = np.array([2, 0, 0, 2])
    bars = ax.patches
    assert len(bars) == 4
    np.testing.assert_allclose([b.get_height() for b in bars], np.sqrt(observed))
    np.testing.assert_allclose([b.get_y() for b in bars], np.sqrt(expected) - np.sqrt(observed))
    np.testing.assert_allclose([b.get_x() + b.get_width() / 2 for b in bars], ks)
    (line,) = [line for line in ax.get_lines() if line.get_label() == "expected"]
    np.testing.assert_allclose(line.get_ydata(), np.sqrt(expected))
    matplotlib.pyplot.close(fig)


def test_a_perfect_fit_hangs_every_bar_to_zero():
    # a point mass at each observed count: expected == observed frequencies
    probs = torch.eye(3, dtype=torch.float64)[[0, 2, 2, 1]]
    y = torch.tensor([0, 2, 2, 1])
    fig, axes = lr.plotting.figure()
    ax = lr.plotting.plot_rootogram(axes[0, 0], torch.distributions.Categorical(probs), y)
    np.testing.assert_allclose([b.get_y() for b in ax.patches], 0.0, atol=1e-12)
    matplotlib.pyplot.close(fig)


def test_max_count_cuts_the_range():
    fig, axes = lr.plotting.figure()
    dist = lr.NegativeBinomial().distribution(torch.zeros(5, 2, dtype=torch.float64))
    ax = lr.plotting.plot_rootogram(axes[0, 0], dist, torch.tensor([0, 1, 9, 2, 0]), max_count=5)
    assert len(ax.patches) == 6
    matplotlib.pyplot.close(fig)


def test_rejects_fractional_counts_and_a_mismatched_length():
    fig, axes = lr.plotting.figure()
    dist = torch.distributions.Poisson(torch.ones(3))
    with pytest.raises(ValueError, match="y: expected 3 non-negative whole-number counts"):
        lr.plotting.plot_rootogram(axes[0, 0], dist, torch.tensor([0.0, 1.5, 2.0]))
    with pytest.raises(ValueError, match="y: expected 3 non-negative whole-number counts"):
        lr.plotting.plot_rootogram(axes[0, 0], dist, torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="distribution: expected a torch.distributions"):
        lr.plotting.plot_rootogram(axes[0, 0], torch.ones(3), torch.zeros(3))
    matplotlib.pyplot.close(fig)
