"""Formulas more than one module needs, each in its stable form (private)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["LOG_2PI", "normal_nll", "wrap_angle"]

LOG_2PI = math.log(2.0 * math.pi)


def normal_nll(
    y: Tensor, mean: Tensor, variance: Tensor | float, log_variance: Tensor | float
) -> Tensor:
    """``-log Norm_y[mu, sigma^2] = ((y - mu)^2 / sigma^2 + log sigma^2 + log 2 pi) / 2``.

    ``log_variance`` is passed in, so each caller supplies it from a stable source
    (a link's ``log``, or ``log sigma^2`` of a fixed ``sigma``).
    """
    return 0.5 * ((y - mean) ** 2 / variance + log_variance + LOG_2PI)


def wrap_angle(angle: Tensor) -> Tensor:
    """``angle`` modulo ``2 pi``, in ``(-pi, pi]``: both ``pi`` and ``-pi`` map to ``pi``.

    Angles already in ``(-pi, pi]`` are returned unchanged, without rounding.
    """
    wrapped = math.pi - torch.remainder(math.pi - angle, 2.0 * math.pi)
    # remainder can round up to exactly 2 pi, which would give -pi.
    wrapped = torch.where(wrapped <= -math.pi, wrapped + 2.0 * math.pi, wrapped)
    return torch.where((angle > -math.pi) & (angle <= math.pi), angle, wrapped)
