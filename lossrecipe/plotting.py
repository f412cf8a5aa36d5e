"""Figures the book draws again and again.

Every function draws on a given matplotlib ``Axes`` and returns it, so a chapter
composes panels freely.  ``model`` is anything that maps ``x`` of shape ``(M, 1)`` to
raw outputs ``(M, recipe.num_outputs)``: a network, or a lambda.  Tensors may live on
any device: the model is evaluated where its inputs are, and what is drawn is copied
to the CPU.  Colours are
mid-tones on the figure's white background, readable in light and dark themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from .recipes import Recipe
from .recipes._numerics import wrap_angle
from .validation import check_positive_integer, check_scalar_distribution

__all__ = [
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "DATA_COLOR",
    "DENSITY_CMAP",
    "MODEL_COLOR",
    "TRUTH_COLOR",
    "break_at_seam",
    "decision_intervals",
    "figure",
    "plot_angle_predictive",
    "plot_class_probabilities",
    "plot_count_predictive",
    "plot_data",
    "plot_density",
    "plot_loss_curves",
    "plot_point_likelihoods",
    "plot_pit_histogram",
    "plot_predictive",
    "plot_reliability_diagram",
    "plot_rootogram",
    "plot_stddev",
    "predictive_grid",
]

DATA_COLOR = "#d95f02"
MODEL_COLOR = "#1b6ca8"
TRUTH_COLOR = "#555555"
DENSITY_CMAP = "Blues"

Model = Callable[[Tensor], Tensor]


def predictive_grid(x: Tensor, num: int = 200, pad: float = 0.0) -> Tensor:
    """An evenly spaced ``(num, 1)`` grid over the range of ``x`` (widened by ``pad``)."""
    low, high = float(x.min()) - pad, float(x.max()) + pad
    return torch.linspace(low, high, num, dtype=x.dtype, device=x.device).unsqueeze(1)


def _density_table(dist: torch.distributions.Distribution, values: Tensor) -> Tensor:
    """``Pr(values[r] | theta_j)``: one row per value, one column per example ``j`` of ``dist``."""
    return dist.log_prob(values.unsqueeze(1).expand(-1, dist.batch_shape[0])).exp()


Shading = Literal["flat", "nearest", "gouraud", "auto"]
Style = Literal["density", "bands"]


def _shade(
    ax: Axes, xs: np.ndarray, values: Tensor, table: Tensor, shading: Shading = "auto"
) -> None:
    """Shade ``table`` (one row per value, one column per x) as a density image."""
    ax.pcolormesh(
        xs,
        values.cpu().numpy(),
        table.cpu().numpy(),
        cmap=DENSITY_CMAP,
        shading=shading,
        rasterized=True,
    )


def _distribution(recipe: Recipe, model: Model, x_grid: Tensor) -> torch.distributions.Distribution:
    with torch.no_grad():
        return recipe.distribution(model(x_grid))


def plot_data(ax: Axes, x: Tensor, y: Tensor, label: str | None = "data", **kwargs: Any) -> Axes:
    """Scatter the training pairs ``(x_i, y_i)``."""
    style: dict[str, Any] = {
        "s": 14,
        "color": DATA_COLOR,
        "edgecolor": "white",
        "linewidth": 0.5,
        "zorder": 3,
    }
    style.update(kwargs)
    ax.scatter(x.reshape(-1).cpu().numpy(), y.reshape(-1).cpu().numpy(), label=label, **style)
    return ax


def plot_predictive(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x_grid: Tensor,
    x: Tensor | None = None,
    y: Tensor | None = None,
    style: Style = "density",
    y_range: tuple[float, float] | None = None,
    label: str = "predicted mean",
) -> Axes:
    """Draw the predicted distribution ``Pr(y | f[x, phi])`` at every ``x`` of ``x_grid``.

    ``style="density"`` shades the density over an ``(x, y)`` grid (works for any
    real-valued recipe, multimodal ones included); ``style="bands"`` draws the mean
    and bands of one and two standard deviations.  The data, if given, goes on top.
    """
    if style not in ("density", "bands"):
        raise ValueError(f"style: expected 'density' or 'bands', got {style!r}")
    dist = _distribution(recipe, model, x_grid)
    xs = x_grid[:, 0].cpu().numpy()
    mean = dist.mean
    if y_range is None:
        spread = 3.0 * dist.stddev
        y_range = (float((mean - spread).min()), float((mean + spread).max()))
    if style == "density":
        y_values = torch.linspace(*y_range, 300, dtype=x_grid.dtype, device=x_grid.device)
        _shade(ax, xs, y_values, _density_table(dist, y_values))
    else:
        std = dist.stddev
        for k, alpha in ((2.0, 0.18), (1.0, 0.32)):
            ax.fill_between(
                xs,
                (mean - k * std).cpu().numpy(),
                (mean + k * std).cpu().numpy(),
                color=MODEL_COLOR,
                alpha=alpha,
                linewidth=0,
                label=f"mean ± {k:g} sd",
            )
    ax.plot(xs, mean.cpu().numpy(), color=MODEL_COLOR, linewidth=2, label=label)
    if x is not None and y is not None:
        plot_data(ax, x, y)
    ax.set_ylim(*y_range)
    ax.set_xlabel("input $x$")
    ax.set_ylabel("output $y$")
    return ax


def plot_point_likelihoods(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x: Tensor,
    y: Tensor,
    width: float = 0.25,
    y_range: tuple[float, float] | None = None,
) -> Axes:
    """At each training ``x_i`` draw its own predicted density sideways, and mark ``Pr(y_i | x_i)``.

    The density at ``x_i`` is drawn as a curve extending to the right of ``x_i``
    (its peak is ``width`` wide); a horizontal segment from ``x_i`` at height
    ``y_i`` reaches the curve, so its length is the likelihood of that point.
    """
    dist = _distribution(recipe, model, x)
    mean, std = dist.mean, dist.stddev
    if y_range is None:
        y_range = (float((mean - 3 * std).min()), float((mean + 3 * std).max()))
    y_values = torch.linspace(*y_range, 200, dtype=x.dtype, device=x.device)
    density = _density_table(dist, y_values)
    scale = width / float(density.max())
    at_y = dist.log_prob(y.reshape(-1).to(x.dtype)).exp()
    # Leave out the flat tails, so that no curve draws a vertical line at its x_i.
    visible = torch.where(density > 1e-3 * density.max(dim=0).values, density, torch.nan)
    for i, x_i in enumerate(x[:, 0].tolist()):
        ax.plot(
            x_i + scale * visible[:, i].cpu().numpy(),
            y_values.cpu().numpy(),
            color=MODEL_COLOR,
            linewidth=1,
        )
        ax.plot(
            [x_i, x_i + scale * float(at_y[i])], [float(y[i])] * 2, color=DATA_COLOR, linewidth=2
        )
    plot_data(ax, x, y)
    ax.set_ylim(*y_range)
    ax.set_xlabel("input $x$")
    ax.set_ylabel("output $y$")
    return ax


def plot_loss_curves(
    ax: Axes, histories: Sequence[Sequence[float]], labels: Sequence[str] | None = None
) -> Axes:
    """Plot one or more training-loss histories against the step number."""
    names: Sequence[str | None] = labels if labels is not None else [None] * len(histories)
    if len(names) != len(histories):
        raise ValueError(f"labels: expected {len(histories)} labels, got {len(names)}")
    for history, label in zip(histories, names, strict=True):
        ax.plot(range(len(history)), list(history), label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("mean negative log-likelihood")
    if any(names):
        ax.legend()
    return ax


def figure(
    ncols: int = 1, nrows: int = 1, width: float = 4.0, height: float = 3.2
) -> tuple[Figure, np.ndarray]:
    """A white-background figure of ``nrows x ncols`` panels, ``width x height`` inches each.

    Returns the figure and a 2-D array of axes (``axes[row, col]``).
    """
    return plt.subplots(
        nrows,
        ncols,
        figsize=(width * ncols, height * nrows),
        squeeze=False,
        layout="constrained",
        facecolor="white",
    )


CLASS_COLORS = ("#1b6ca8", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e")
"""One colour per class (the first two are ``MODEL_COLOR`` and ``DATA_COLOR``)."""

CLASS_MARKERS = ("o", "s", "^", "D", "v", "P")
"""One marker per class, beside its colour, so that no curve is told apart by colour alone."""


def _marks_every(num_points: int, k: int, num_marks: int = 8) -> tuple[int, int]:
    """``markevery`` for curve ``k`` of a family: about ``num_marks`` markers, staggered.

    Curve ``k`` starts a fraction ``k / 5`` of a step later than curve 0, so the markers
    of curves that cross do not sit on top of one another.
    """
    step = max(1, num_points // num_marks)
    return ((k * step // 5) % step, step)


def decision_intervals(x_grid: Tensor, predicted: Tensor) -> list[tuple[float, float, int]]:
    """Split a sorted 1-D grid into runs of equal predicted class: ``(start, end, class)``.

    A run's ends lie halfway between the last grid point of one class and the first
    of the next (and at the grid's ends), so the intervals tile the grid's range.
    """
    xs = x_grid.reshape(-1).tolist()
    labels = [int(v) for v in predicted.reshape(-1).tolist()]
    if len(xs) != len(labels) or not xs:
        raise ValueError(
            f"predicted: expected one class per grid point ({len(xs)}), got {len(labels)}"
        )
    intervals: list[tuple[float, float, int]] = []
    start = xs[0]
    for i in range(1, len(xs)):
        if labels[i] != labels[i - 1]:
            edge = 0.5 * (xs[i - 1] + xs[i])
            intervals.append((start, edge, labels[i - 1]))
            start = edge
    intervals.append((start, xs[-1], labels[-1]))
    return intervals


def plot_class_probabilities(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x_grid: Tensor,
    x: Tensor | None = None,
    y: Tensor | None = None,
    truth: Tensor | None = None,
    decision: bool = True,
) -> Axes:
    """Draw the predicted class probabilities ``Pr(y = k | f[x, phi])`` over ``x_grid``.

    For a binary recipe (its distribution's ``probs`` has shape ``(M,)``) one curve,
    ``lambda = Pr(y = 1 | x)``, with the data drawn at heights 0 and 1.  For ``K``
    classes (``probs`` of shape ``(M, K)``) one curve per class in ``CLASS_COLORS``,
    marked with ``CLASS_MARKERS``, with the data as ticks in a strip below zero, one
    row per class.  ``truth``, if given, holds the true probabilities on ``x_grid``
    (the same shape as ``probs``) and is drawn dashed.  With ``decision=True`` the
    background is shaded where ``recipe.predict`` picks each class (for a binary
    recipe, only where it picks 1).
    """
    with torch.no_grad():
        outputs = model(x_grid)
        dist = recipe.distribution(outputs)
        if not isinstance(dist, torch.distributions.Bernoulli | torch.distributions.Categorical):
            raise ValueError(
                f"recipe: expected a Bernoulli or Categorical recipe, got {type(recipe).__name__}"
            )
        probs = dist.probs
        predicted = recipe.predict(outputs)
    if truth is not None and tuple(truth.shape) != tuple(probs.shape):
        raise ValueError(
            f"truth: expected shape {tuple(probs.shape)} like the predicted probabilities, "
            f"got {tuple(truth.shape)}"
        )
    xs = x_grid[:, 0].cpu().numpy()
    binary = probs.dim() == 1
    if decision:
        for start, end, k in decision_intervals(x_grid, predicted):
            if binary and k == 0:
                continue
            color = MODEL_COLOR if binary else CLASS_COLORS[k % len(CLASS_COLORS)]
            ax.axvspan(start, end, color=color, alpha=0.1, linewidth=0, zorder=0)
    if binary:
        ax.plot(
            xs, probs.cpu().numpy(), color=MODEL_COLOR, linewidth=2, label=r"predicted $\lambda$"
        )
        if truth is not None:
            ax.plot(
                xs, truth.cpu().numpy(), color=TRUTH_COLOR, linestyle="--", label="true $\\lambda$"
            )
        ax.axhline(0.5, color=TRUTH_COLOR, linewidth=0.8, linestyle=":")
        if x is not None and y is not None:
            plot_data(ax, x, y, alpha=0.7)
        ax.set_ylim(-0.06, 1.06)
        ax.set_ylabel(r"$\lambda = Pr(y = 1 \mid x)$")
    else:
        num_classes = probs.shape[1]
        for k in range(num_classes):
            color = CLASS_COLORS[k % len(CLASS_COLORS)]
            ax.plot(
                xs,
                probs[:, k].cpu().numpy(),
                color=color,
                linewidth=2,
                marker=CLASS_MARKERS[k % len(CLASS_MARKERS)],
                markevery=_marks_every(len(xs), k),
                label=f"$k = {k}$",
            )
            if truth is not None:
                ax.plot(xs, truth[:, k].cpu().numpy(), color=color, linestyle="--", linewidth=1)
        row = 0.06
        if x is not None and y is not None:
            labels = y.reshape(-1)
            for k in range(num_classes):
                chosen = x.reshape(-1)[labels == k].cpu().numpy()
                ax.scatter(
                    chosen,
                    np.full(len(chosen), -row * (k + 1)),
                    marker="|",
                    s=40,
                    color=CLASS_COLORS[k % len(CLASS_COLORS)],
                    linewidth=1,
                )
        ax.set_ylim(-row * (num_classes + 1), 1.04)
        ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0])
        ax.set_ylabel(r"$Pr(y = k \mid x)$")
    ax.set_xlim(float(xs[0]), float(xs[-1]))
    ax.set_xlabel("input $x$")
    return ax


def plot_density(
    ax: Axes,
    distribution: torch.distributions.Distribution,
    y_values: Tensor,
    label: str | None = "density",
    color: str = MODEL_COLOR,
    mark_sd: bool = False,
) -> Axes:
    """Draw the density of one scalar distribution (batch shape ``()``) over ``y_values``.

    With ``mark_sd=True`` the mean is marked by a vertical line and the interval of
    one standard deviation either side of it is shaded, using the distribution's
    own ``mean`` and ``stddev``.
    """
    if tuple(distribution.batch_shape) != () or tuple(distribution.event_shape) != ():
        raise ValueError(
            "distribution: expected one scalar distribution (batch and event shape ()), "
            f"got batch shape {tuple(distribution.batch_shape)} and "
            f"event shape {tuple(distribution.event_shape)}"
        )
    ys = y_values.reshape(-1)
    with torch.no_grad():
        density = distribution.log_prob(ys).exp()
    ax.plot(ys.cpu().numpy(), density.cpu().numpy(), color=color, linewidth=2, label=label)
    if mark_sd:
        mean, sd = float(distribution.mean), float(distribution.stddev)
        ax.axvline(mean, color=color, linewidth=1, linestyle="--")
        inside = (ys >= mean - sd) & (ys <= mean + sd)
        ax.fill_between(
            ys.cpu().numpy(),
            np.zeros(len(ys)),
            density.cpu().numpy(),
            where=inside.cpu().numpy(),
            color=color,
            alpha=0.2,
            linewidth=0,
            label=f"mean ± 1 sd ({sd:.3f})",
        )
    ax.set_xlabel("output $y$")
    ax.set_ylabel(r"density $Pr(y)$")
    return ax


def plot_stddev(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x_grid: Tensor,
    truth: Tensor | None = None,
    label: str = r"predicted $\sigma[x]$",
    **kwargs: Any,
) -> Axes:
    """Plot the predicted standard deviation ``sigma[x]`` of ``Pr(y | f[x, phi])`` over ``x_grid``.

    ``truth``, if given, holds the true standard deviation at each grid point
    (shape ``(M,)``) and is drawn dashed in ``TRUTH_COLOR``.  Extra keyword
    arguments (``color``, ``linestyle``, ...) style the predicted curve.
    """
    sd = _distribution(recipe, model, x_grid).stddev
    xs = x_grid[:, 0].cpu().numpy()
    if truth is not None:
        if tuple(truth.reshape(-1).shape) != (len(xs),):
            raise ValueError(
                f"truth: expected one value per grid point ({len(xs)},), got {tuple(truth.shape)}"
            )
        ax.plot(
            xs, truth.reshape(-1).cpu().numpy(), color=TRUTH_COLOR, linestyle="--", label="true"
        )
    style: dict[str, Any] = {"color": MODEL_COLOR, "linewidth": 2}
    style.update(kwargs)
    ax.plot(xs, sd.cpu().numpy(), label=label, **style)
    ax.set_xlabel("input $x$")
    ax.set_ylabel(r"standard deviation $\sigma$")
    return ax


# --- Counts and angles (chapter 10) --------------------------------------------------------

ANGLE_TICKS = (-np.pi, -np.pi / 2, 0.0, np.pi / 2, np.pi)
ANGLE_TICK_LABELS = (r"$-\pi$", r"$-\pi/2$", "$0$", r"$\pi/2$", r"$\pi$")


def break_at_seam(xs: object, angles: object) -> tuple[np.ndarray, np.ndarray]:
    """Prepare angles in ``(-pi, pi]`` for a line plot: leave a gap where the line wraps.

    A direction that turns past ``pi`` reappears near ``-pi``; drawn as it is, the
    line would cross the whole panel there.  Where two neighbouring angles differ
    by more than ``pi``, a ``NaN`` is inserted into both arrays, so matplotlib
    breaks the line.  Returns the new ``(xs, angles)`` as float arrays.
    """
    xs_arr = np.asarray(xs, dtype=float).reshape(-1)
    angles_arr = np.asarray(angles, dtype=float).reshape(-1)
    if xs_arr.shape != angles_arr.shape:
        raise ValueError(f"angles: expected one angle per x ({xs_arr.size}), got {angles_arr.size}")
    jumps = np.flatnonzero(np.abs(np.diff(angles_arr)) > np.pi) + 1
    return np.insert(xs_arr, jumps, np.nan), np.insert(angles_arr, jumps, np.nan)


def plot_count_predictive(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x_grid: Tensor,
    x: Tensor | None = None,
    y: Tensor | None = None,
    max_count: int | None = None,
    truth: Tensor | None = None,
    label: str = "predicted mean",
) -> Axes:
    """Draw a count recipe's predicted ``Pr(y = k | f[x, phi])`` for ``k = 0..max_count``.

    At every ``x`` of ``x_grid``, each count ``k`` is a band from ``k - 1/2`` to
    ``k + 1/2`` shaded by its probability (darker is more probable); the predicted
    mean (for a Poisson, the rate) is a line, and ``truth`` (the true mean on
    ``x_grid``), if given, is dashed; the data go on top.  ``max_count`` defaults
    to the larger of the largest count in ``y`` and three predicted standard
    deviations above the mean.
    """
    dist = _distribution(recipe, model, x_grid)
    xs = x_grid[:, 0].cpu().numpy()
    mean = dist.mean
    if max_count is None:
        top = float((mean + 3.0 * dist.stddev).max())
        if y is not None:
            top = max(top, float(y.max()))
        max_count = int(np.ceil(top))
    check_positive_integer("max_count", max_count, minimum=0)
    counts = torch.arange(max_count + 1, dtype=x_grid.dtype, device=x_grid.device)
    _shade(ax, xs, counts, _density_table(dist, counts), shading="nearest")
    ax.plot(xs, mean.cpu().numpy(), color=MODEL_COLOR, linewidth=2, label=label)
    if truth is not None:
        ax.plot(
            xs, truth.reshape(-1).cpu().numpy(), color=TRUTH_COLOR, linestyle="--", label="truth"
        )
    if x is not None and y is not None:
        plot_data(ax, x, y)
    ax.set_ylim(-0.5, max_count + 0.5)
    ax.set_xlabel("input $x$")
    ax.set_ylabel("count $y$")
    return ax


def plot_angle_predictive(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x_grid: Tensor,
    x: Tensor | None = None,
    y: Tensor | None = None,
    truth: Tensor | None = None,
    label: str = "predicted direction",
) -> Axes:
    """Draw the predicted density of an angle ``y`` in ``(-pi, pi]`` at every ``x`` of ``x_grid``.

    The density ``Pr(y | f[x, phi])`` is shaded over ``(-pi, pi]``; the predicted
    direction ``recipe.predict`` (wrapped into ``(-pi, pi]``) is a line, and
    ``truth`` (true directions on ``x_grid``), if given, is dashed; both lines are
    broken where they cross the seam at ``±pi`` (:func:`break_at_seam`).  The data
    go on top, and the ``y`` axis is marked in multiples of ``pi / 2``.
    """
    from matplotlib import patheffects

    with torch.no_grad():
        outputs = model(x_grid)
        dist = recipe.distribution(outputs)
        direction = recipe.predict(outputs)
    direction = wrap_angle(direction)
    xs = x_grid[:, 0].cpu().numpy()
    y_values = torch.linspace(-np.pi, np.pi, 300, dtype=x_grid.dtype, device=x_grid.device)
    _shade(ax, xs, y_values, _density_table(dist, y_values))
    # A thin white edge keeps the lines visible where the density is dark.
    edge = [patheffects.Stroke(linewidth=3.5, foreground="white"), patheffects.Normal()]
    ax.plot(
        *break_at_seam(xs, direction.cpu().numpy()),
        color=MODEL_COLOR,
        linewidth=2,
        label=label,
        path_effects=edge,
    )
    if truth is not None:
        line = break_at_seam(xs, truth.reshape(-1).cpu().numpy())
        ax.plot(*line, color=TRUTH_COLOR, linestyle="--", label="truth", path_effects=edge)
    if x is not None and y is not None:
        plot_data(ax, x, y)
    ax.set_ylim(-np.pi, np.pi)
    ax.set_yticks(ANGLE_TICKS, ANGLE_TICK_LABELS)
    ax.set_xlabel("input $x$")
    ax.set_ylabel("angle $y$ (radians)")
    return ax


# --- Calibration (chapter 15) -----------------------------------------------------------------


def _as_1d(name: str, values: object) -> np.ndarray:
    if isinstance(values, Tensor):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {array.shape}")
    return array


def plot_pit_histogram(
    ax: Axes,
    pit_values: object,
    num_bins: int = 10,
    label: str | None = None,
    color: str = MODEL_COLOR,
) -> Axes:
    """Histogram of PIT values ``u_i = F_i[y_i]`` as a density over ``[0, 1]``.

    A calibrated model's PIT values are uniform, so its bars lie on the dashed
    line at height 1.  Bars high at both ends (a U) mean the predicted
    distributions are too narrow (over-confident), a hump in the middle that they
    are too wide.  ``pit_values`` is a 1-D tensor or array with values in ``[0, 1]``
    (:func:`lossrecipe.metrics.pit`).
    """
    values = _as_1d("pit_values", pit_values)
    if values.size == 0 or not np.all((values >= 0.0) & (values <= 1.0)):
        raise ValueError(
            "pit_values: expected at least one value, all in [0, 1], got "
            f"{values.size} values"
            + (f" from {values.min():.4g} to {values.max():.4g}" if values.size else "")
        )
    if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1:
        raise ValueError(f"num_bins: expected an integer >= 1, got {num_bins!r}")
    edges = np.linspace(0.0, 1.0, num_bins + 1).tolist()
    ax.hist(
        values, bins=edges, density=True, color=color, alpha=0.75, edgecolor="white", label=label
    )
    ax.axhline(1.0, color=TRUTH_COLOR, linestyle="--", linewidth=1, label="uniform")
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(r"PIT value $F[y_i]$")
    ax.set_ylabel("density")
    return ax


def plot_reliability_diagram(
    ax: Axes,
    confidence: object,
    accuracy: object,
    count: object,
    label: str | None = "accuracy",
    color: str = MODEL_COLOR,
) -> Axes:
    """Reliability diagram from :func:`lossrecipe.metrics.calibration_curve`.

    One bar per bin of equal width over ``[0, 1]``: its height is the bin's
    accuracy, and a dot marks the bin's mean confidence on the diagonal, so the
    vertical gap between the dot and the bar's top is the miscalibration of that
    bin (a bar below the diagonal: over-confident).  Empty bins (``count`` 0,
    NaN values) draw nothing.  ``confidence``, ``accuracy`` and ``count`` are 1-D
    and of equal length, the number of bins.
    """
    conf = _as_1d("confidence", confidence)
    acc = _as_1d("accuracy", accuracy)
    counts = _as_1d("count", count)
    for name, values in (("accuracy", acc), ("count", counts)):
        if values.shape != conf.shape:
            raise ValueError(f"{name}: expected one value per bin ({conf.size}), got {values.size}")
    num_bins = conf.size
    occupied = counts > 0
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    ax.bar(
        edges[:-1][occupied],
        acc[occupied],
        width=1.0 / num_bins,
        align="edge",
        color=color,
        alpha=0.75,
        edgecolor="white",
        label=label,
    )
    ax.plot(
        [0.0, 1.0], [0.0, 1.0], color=TRUTH_COLOR, linestyle="--", linewidth=1, label="calibrated"
    )
    ax.plot(
        conf[occupied], conf[occupied], "o", color=DATA_COLOR, markersize=4, label="mean confidence"
    )
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("confidence (top-label probability)")
    ax.set_ylabel("accuracy")
    return ax


def plot_rootogram(
    ax: Axes,
    distribution: torch.distributions.Distribution,
    y: Tensor,
    max_count: int | None = None,
    label: str | None = None,
    color: str = MODEL_COLOR,
) -> Axes:
    """Hanging rootogram of a count forecast (Kleiber and Zeileis 2016).

    For each count ``k = 0..max_count`` the expected frequency is
    ``E_k = sum_i Pr(y = k | theta_i)`` over the ``N`` examples of ``distribution``
    (batch shape ``(N,)``) and the observed frequency ``O_k`` is the number of ``y_i``
    equal to ``k``.  A line with dots marks ``sqrt[E_k]``, and from it hangs a bar of
    height ``sqrt[O_k]``, so the bar's bottom sits at ``sqrt[E_k] - sqrt[O_k]``.  A model
    that fits has every bar's bottom on the zero line; a bar that ends below it marks
    a count the model predicts too rarely, one that ends above it a count it predicts
    too often.  The square roots keep the rare large counts visible beside the common
    small ones.  ``max_count`` defaults to the largest ``y``.
    """
    distribution = check_scalar_distribution(distribution)
    n = distribution.batch_shape[0]
    counts = _as_1d("y", y)
    if counts.size != n or not np.all((counts >= 0) & (counts == np.round(counts))):
        raise ValueError(
            f"y: expected {n} non-negative whole-number counts, one per example of "
            f"distribution, got {counts.size} values"
        )
    if max_count is None:
        max_count = int(counts.max()) if counts.size else 0
    check_positive_integer("max_count", max_count, minimum=0)
    with torch.no_grad():
        mean = distribution.mean
        grid = torch.arange(max_count + 1, dtype=mean.dtype, device=mean.device)
        expected = _density_table(distribution, grid).sum(dim=1).cpu().numpy()
    observed = np.bincount(counts.astype(np.int64), minlength=max_count + 1)[: max_count + 1]
    ks = np.arange(max_count + 1)
    top = np.sqrt(expected)
    ax.bar(
        ks,
        np.sqrt(observed),
        bottom=top - np.sqrt(observed),
        width=0.8,
        color=color,
        alpha=0.6,
        edgecolor="white",
        label=label,
    )
    ax.plot(ks, top, "o-", color=DATA_COLOR, markersize=3, linewidth=1.5, label="expected")
    ax.axhline(0.0, color=TRUTH_COLOR, linewidth=1)
    ax.set_xlabel("count $k$")
    ax.set_ylabel(r"$\sqrt{\mathrm{frequency}}$")
    return ax
