"""Figures the book draws again and again.

Every function draws on a given matplotlib ``Axes`` and returns it, so a chapter
composes panels freely.  ``model`` is anything that maps ``x`` of shape ``(M, 1)``
to raw outputs ``(M, recipe.num_outputs)``: a network, or a lambda.  Colours are
mid-tones on the figure's white background, readable in light and dark themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from .recipes import Recipe

__all__ = [
    "DATA_COLOR",
    "MODEL_COLOR",
    "TRUTH_COLOR",
    "predictive_grid",
    "plot_data",
    "plot_predictive",
    "plot_point_likelihoods",
    "plot_loss_curves",
    "figure",
]

DATA_COLOR = "#d95f02"
MODEL_COLOR = "#1b6ca8"
TRUTH_COLOR = "#555555"
DENSITY_CMAP = "Blues"

Model = Callable[[Tensor], Tensor]


def predictive_grid(x: Tensor, num: int = 200, pad: float = 0.0) -> Tensor:
    """An evenly spaced ``(num, 1)`` grid over the range of ``x`` (widened by ``pad``)."""
    low, high = float(x.min()) - pad, float(x.max()) + pad
    return torch.linspace(low, high, num, dtype=x.dtype).unsqueeze(1)


def _distribution(recipe: Recipe, model: Model, x_grid: Tensor) -> torch.distributions.Distribution:
    with torch.no_grad():
        return recipe.distribution(model(x_grid))


def plot_data(ax: Axes, x: Tensor, y: Tensor, label: str | None = "data", **kwargs: object) -> Axes:
    """Scatter the training pairs ``(x_i, y_i)``."""
    style = {"s": 14, "color": DATA_COLOR, "edgecolor": "white", "linewidth": 0.5, "zorder": 3}
    style.update(kwargs)
    ax.scatter(x.reshape(-1).numpy(), y.reshape(-1).numpy(), label=label, **style)
    return ax


def plot_predictive(
    ax: Axes,
    recipe: Recipe,
    model: Model,
    x_grid: Tensor,
    x: Tensor | None = None,
    y: Tensor | None = None,
    style: str = "density",
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
    xs = x_grid[:, 0].numpy()
    mean = dist.mean
    if y_range is None:
        spread = 3.0 * dist.stddev
        y_range = (float((mean - spread).min()), float((mean + spread).max()))
    if style == "density":
        y_values = torch.linspace(y_range[0], y_range[1], 300, dtype=x_grid.dtype)
        density = dist.log_prob(y_values.unsqueeze(1).expand(-1, len(xs))).exp()
        ax.pcolormesh(
            xs,
            y_values.numpy(),
            density.numpy(),
            cmap=DENSITY_CMAP,
            shading="auto",
            rasterized=True,
        )
    else:
        std = dist.stddev
        for k, alpha in ((2.0, 0.18), (1.0, 0.32)):
            ax.fill_between(
                xs,
                (mean - k * std).numpy(),
                (mean + k * std).numpy(),
                color=MODEL_COLOR,
                alpha=alpha,
                linewidth=0,
                label=f"mean ± {k:g} sd",
            )
    ax.plot(xs, mean.numpy(), color=MODEL_COLOR, linewidth=2, label=label)
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
    y_values = torch.linspace(y_range[0], y_range[1], 200, dtype=x.dtype)
    density = dist.log_prob(y_values.unsqueeze(1).expand(-1, len(x))).exp()
    scale = width / float(density.max())
    at_y = dist.log_prob(y.reshape(-1).to(x.dtype)).exp()
    # Leave out the flat tails, so that no curve draws a vertical line at its x_i.
    visible = torch.where(density > 1e-3 * density.max(dim=0).values, density, torch.nan)
    for i, x_i in enumerate(x[:, 0].tolist()):
        ax.plot(
            x_i + scale * visible[:, i].numpy(), y_values.numpy(), color=MODEL_COLOR, linewidth=1
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
