"""Formulas more than one module needs, each in its stable form (private)."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["LOG_2PI", "flipped_softplus", "normal_nll", "wrap_angle"]

LOG_2PI = math.log(2.0 * math.pi)


def normal_nll(
    y: Tensor, mean: Tensor, variance: Tensor | float, log_variance: Tensor | float
) -> Tensor:
    """``-log Norm_y[mu, sigma^2] = ((y - mu)^2 / sigma^2 + log sigma^2 + log 2 pi) / 2``.

    ``log_variance`` is passed in, so each caller supplies it from a stable source
    (a link's ``log``, or ``log sigma^2`` of a fixed ``sigma``).
    """
    # Added and halved in place (none of these steps keeps its result for the
    # gradient): the same operations in the same order, fewer temporaries.
    return ((y - mean) ** 2 / variance).add_(log_variance).add_(LOG_2PI).mul_(0.5)


def wrap_angle(angle: Tensor) -> Tensor:
    """``angle`` modulo ``2 pi``, in ``(-pi, pi]``: both ``pi`` and ``-pi`` map to ``pi``.

    Angles already in ``(-pi, pi]`` are returned unchanged, without rounding.
    """
    wrapped = math.pi - torch.remainder(math.pi - angle, 2.0 * math.pi)
    # remainder can round up to exactly 2 pi, which would give -pi.
    wrapped = torch.where(wrapped <= -math.pi, wrapped + 2.0 * math.pi, wrapped)
    return torch.where((angle > -math.pi) & (angle <= math.pi), angle, wrapped)


# softplus returns its input above the threshold; at 40 that drops exp(-40) < 5e-18.
SOFTPLUS_THRESHOLD = 40.0


class _FlippedSoftplus(torch.autograd.Function):
    """``softplus[(1 - 2y) z]`` for labels ``y`` in ``{0, 1}``, with a hand-written backward.

    Autograd would differentiate the two steps separately, keeping four temporaries
    of size ``N`` alive; here the backward is the chain rule written out,
    ``d/dz = (1 - 2y) softplus'[(1 - 2y) z]``, computed in place.  Values and
    gradients are bit for bit those of ``F.softplus(torch.addcmul(z, y, z, value=-2))``.
    """

    @staticmethod
    def forward(ctx: Any, logit: Tensor, y: Tensor) -> Tensor:
        flipped = torch.addcmul(logit, y, logit, value=-2.0)  # (1 - 2y) z, in one pass
        ctx.save_for_backward(logit, y, flipped)
        return F.softplus(flipped, threshold=SOFTPLUS_THRESHOLD)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        logit, y, flipped = ctx.saved_tensors
        if torch.is_grad_enabled():
            # create_graph=True: rebuild (1 - 2y) z from the input, so the graph reaches it
            flipped = torch.addcmul(logit, y, logit, value=-2.0)
            slope = torch.ops.aten.softplus_backward(grad, flipped, 1.0, SOFTPLUS_THRESHOLD)
            return torch.addcmul(slope, slope, y, value=-2.0), None
        slope = torch.ops.aten.softplus_backward(grad, flipped, 1.0, SOFTPLUS_THRESHOLD)
        # slope - 2 y slope is slope for y = 0 and exactly -slope for y = 1.
        return slope.addcmul_(slope, y, value=-2.0), None


def flipped_softplus(logit: Tensor, y: Tensor) -> Tensor:
    """``softplus[(1 - 2y) z] = log[1 + exp[(1 - 2y) z]]``: the Bernoulli NLL of label ``y``.

    For ``y = 1`` it is ``log[1 + exp[-z]] = -log sig[z]``, for ``y = 0``
    ``log[1 + exp[z]] = -log sig[-z]``; exact at any logit.
    """
    result: Tensor = _FlippedSoftplus.apply(logit, y)
    return result


# Above this x, lgamma(x + 1/2) - lgamma(x) loses digits to cancellation, while the
# asymptotic series below is already exact to float64 (relative error 5e-17 at 30).
_LOG_GAMMA_RATIO_SERIES_FROM = 30.0


def log_gamma_ratio_half(x: Tensor) -> Tensor:
    """``log[Gamma[x + 1/2] / Gamma[x]]`` for ``x > 0``, without cancellation at large ``x``.

    Below 30: ``lgamma[x + 1/2] - lgamma[x]``.  From 30 on, the asymptotic series
    ``log[x] / 2 - 1/(8x) + 1/(192x^3) - 1/(640x^5) + 17/(14336x^7)`` (its relative
    truncation error is below 1e-16 there), which stays exact where the two lgammas are ~1e14
    and their difference ~15.
    """
    small = torch.clamp(x, max=_LOG_GAMMA_RATIO_SERIES_FROM)
    large = torch.clamp(x, min=_LOG_GAMMA_RATIO_SERIES_FROM)
    direct = torch.lgamma(small + 0.5) - torch.lgamma(small)
    inv = 1.0 / large
    inv2 = inv * inv
    tail = inv * (-1.0 / 8.0 + inv2 * (1.0 / 192.0 + inv2 * (-1.0 / 640.0 + inv2 * 17.0 / 14336.0)))
    series = 0.5 * torch.log(large) + tail
    return torch.where(x < _LOG_GAMMA_RATIO_SERIES_FROM, direct, series)


def log1p_square(t: Tensor) -> Tensor:
    """``log[1 + t^2]`` for ``t >= 0``, finite even where ``t^2`` overflows.

    ``log1p[t^2]`` for ``t <= 1``; ``2 log[t] + log1p[1 / t^2]`` above, each branch fed
    only values where it is safe, so neither the value nor the gradient sees an inf.
    """
    below = torch.clamp(t, max=1.0)
    above = torch.clamp(t, min=1.0)
    return torch.where(
        t <= 1.0,
        torch.log1p(below * below),
        2.0 * torch.log(above) + torch.log1p(1.0 / (above * above)),
    )
