"""Seeded toy data sets for the chapters.  Nothing is ever downloaded.

Every generator takes ``num_points``, a ``seed`` (its own ``torch.Generator``,
so the global random state is untouched) and a ``dtype``, and returns ``(x, y)``
with ``x`` of shape ``(N, 1)``, ready for a network, and ``y`` of shape ``(N,)``.
The functions that generated the data (the true mean, noise level or class
probabilities) are exported too, so a chapter can compare a fit with the truth.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "X_RANGE",
    "regression_mean",
    "growing_sigma",
    "binary_probability",
    "class_probabilities",
    "regression_1d",
    "heteroscedastic_1d",
    "binary_1d",
    "multiclass_1d",
]

X_RANGE = (0.0, 2.0)


def _inputs(num_points: int, generator: torch.Generator, dtype: torch.dtype) -> Tensor:
    if isinstance(num_points, bool) or not isinstance(num_points, int) or num_points < 1:
        raise ValueError(f"num_points: expected an integer >= 1, got {num_points!r}")
    low, high = X_RANGE
    x = low + (high - low) * torch.rand(num_points, generator=generator, dtype=torch.float64)
    return torch.sort(x).values.to(dtype).unsqueeze(1)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def regression_mean(x: Tensor) -> Tensor:
    """The true regression function ``mu[x] = sin(2x) + 0.3x``."""
    return torch.sin(2.0 * x) + 0.3 * x


def growing_sigma(x: Tensor) -> Tensor:
    """The true noise level of :func:`heteroscedastic_1d`: ``sigma[x] = 0.05 + 0.2x``."""
    return 0.05 + 0.2 * x


def binary_probability(x: Tensor) -> Tensor:
    """The true ``Pr(y = 1 | x) = sig[4 sin(3x)]`` of :func:`binary_1d`."""
    return torch.sigmoid(4.0 * torch.sin(3.0 * x))


def class_probabilities(x: Tensor, num_classes: int = 3) -> Tensor:
    """The true ``Pr(y = k | x)``: softmax over ``k`` of ``-6 (x - c_k)^2``.

    The centres ``c_k`` are evenly spread over ``X_RANGE``.  Returns shape
    ``(N, num_classes)`` for ``x`` of shape ``(N,)`` or ``(N, 1)``.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes: expected an integer >= 2, got {num_classes!r}")
    low, high = X_RANGE
    margin = 0.15 * (high - low)
    centres = torch.linspace(low + margin, high - margin, num_classes, dtype=x.dtype)
    logits = -6.0 * (x.reshape(-1, 1) - centres) ** 2
    return torch.softmax(logits, dim=1)


def regression_1d(
    num_points: int = 40, sigma: float = 0.2, seed: int = 0, dtype: torch.dtype = torch.float32
) -> tuple[Tensor, Tensor]:
    """``y = mu[x] + sigma * eps`` with constant noise, ``x`` uniform on ``X_RANGE``."""
    if not sigma > 0:
        raise ValueError(f"sigma: expected a positive number, got {sigma!r}")
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    eps = torch.randn(num_points, generator=g, dtype=torch.float64).to(dtype)
    return x, regression_mean(x[:, 0]) + sigma * eps


def heteroscedastic_1d(
    num_points: int = 400, seed: int = 0, dtype: torch.dtype = torch.float32
) -> tuple[Tensor, Tensor]:
    """``y = mu[x] + sigma[x] * eps`` whose noise ``sigma[x] = 0.05 + 0.2x`` grows with ``x``."""
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    eps = torch.randn(num_points, generator=g, dtype=torch.float64).to(dtype)
    return x, regression_mean(x[:, 0]) + growing_sigma(x[:, 0]) * eps


def binary_1d(
    num_points: int = 200, seed: int = 0, dtype: torch.dtype = torch.float32
) -> tuple[Tensor, Tensor]:
    """Labels ``y`` in ``{0, 1}`` (as floats) drawn with ``Pr(y = 1 | x) = sig[4 sin(3x)]``."""
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    u = torch.rand(num_points, generator=g, dtype=torch.float64)
    return x, (u < binary_probability(x[:, 0].double())).to(dtype)


def multiclass_1d(
    num_points: int = 300, num_classes: int = 3, seed: int = 0, dtype: torch.dtype = torch.float32
) -> tuple[Tensor, Tensor]:
    """Class indices ``y`` in ``0..K-1`` (int64) drawn from :func:`class_probabilities`."""
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    probs = class_probabilities(x[:, 0].double(), num_classes)
    return x, torch.multinomial(probs, 1, generator=g).squeeze(1)
