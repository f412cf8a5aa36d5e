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


# log1p[x] / x below x = 1 by the series of atanh: with t = x / (2 + x) <= 1/3, 18 terms
# in t^2 <= 1/9 leave a relative error under 1e-17.
_ATANH_BELOW = 1.0
_ATANH_TERMS = 18


def log1p_over(x: Tensor) -> Tensor:
    """``log1p[x] / x`` for ``x >= 0`` (1 at 0), exact in value and gradient for small ``x``.

    Below 1, from ``log1p[x] = 2 atanh[t]`` with ``t = x / (2 + x)``::

        log1p[x] / x = 2 / (2 + x) * sum_k t^(2k) / (2k + 1)

    a sum of positive terms whose derivative autograd takes term by term.  The closed
    form's derivative ``1/(x (1 + x)) - log1p[x] / x^2`` would subtract two numbers near
    ``1/x^2``; from 1 on it loses nothing and is used.
    """
    small = torch.clamp(x, max=_ATANH_BELOW)
    large = torch.clamp(x, min=_ATANH_BELOW)
    t2 = (small / (2.0 + small)) ** 2
    series = torch.zeros_like(small)
    for k in range(_ATANH_TERMS - 1, -1, -1):  # Horner in t^2: 1 + t^2/3 + t^4/5 + ...
        series = series * t2 + 1.0 / (2 * k + 1)
    return torch.where(x < _ATANH_BELOW, 2.0 / (2.0 + small) * series, torch.log1p(large) / large)


def log1p_excess(u: Tensor) -> Tensor:
    """``(1 + u) log1p[u] / u - 1`` for ``u >= 0`` (0 at 0; about ``u / 2`` for small ``u``).

    From :func:`log1p_over`: its value is exact to ``eps`` absolute, and its derivative
    ``log1p[u]/u + (1 + u) d/du[log1p[u] / u]`` (1/2 at 0) has no cancellation.
    """
    return (1.0 + u) * log1p_over(u) - 1.0


# Stirling's series for lgamma: B_2k / (2k (2k - 1)) for k = 1..8.
_STIRLING = (
    1 / 12,
    -1 / 360,
    1 / 1260,
    -1 / 1680,
    1 / 1188,
    -691 / 360360,
    1 / 156,
    -3617 / 122400,
)
# From r = 10 on the series below is exact to float64 (its next term is 2e-18 there).
_STIRLING_FROM = 10.0


def _stirling_tail_in(w: Tensor) -> Tensor:
    """``lgamma[x] - ((x - 1/2) log x - x + log(2 pi) / 2)`` for ``x >= 10``, as a function of
    ``w = 1 / x``: Stirling's series ``w/12 - w^3/360 + w^5/1260 - ...``, eight terms."""
    w2 = w * w
    total = torch.zeros_like(w)
    for coefficient in reversed(_STIRLING):
        total = total * w2 + coefficient
    return w * total


def log_rising_factorial_ratio(alpha: Tensor, log_alpha: Tensor, y: Tensor) -> Tensor:
    """``lgamma[r + y] - lgamma[r] - y log[r]`` with ``r = 1 / alpha``, for ``alpha > 0``
    and ``y >= 0``, exact in value and gradient for small ``alpha``.

    For a count ``y`` it is ``sum_{j < y} log1p[j alpha]``, which goes to 0 with ``alpha``.
    For ``alpha > 1/10`` (``r < 10``): the lgammas as they stand, with ``log r = -log alpha``.
    Below, both lgammas are Stirling's series, whose difference is, with ``u = y alpha``
    and ``w = 1 / (r + y) = alpha / (1 + u)``::

        y ((1 + u) log1p[u] / u - 1) - log1p[u] / 2 + tail[w] - tail[alpha]

    (:func:`log1p_excess`), a function of ``alpha`` in which no two large numbers are
    subtracted: the lgammas themselves are ``~ r log r``, and their difference, taken as
    it stands, loses ``r log r`` times the machine epsilon (``3e-3`` in float64 at
    ``r = 1e12``), and its gradient with respect to ``alpha`` far more.
    """
    cut = 1.0 / _STIRLING_FROM
    near = torch.clamp(alpha, max=cut)  # r >= 10: the series
    far = torch.clamp(alpha, min=cut)  # r <= 10: the lgammas
    r = 1.0 / far
    log_far = torch.clamp(log_alpha, min=-math.log(_STIRLING_FROM))
    direct = torch.lgamma(r + y) - torch.lgamma(r) + y * log_far
    u = y * near
    series = y * log1p_excess(u) - 0.5 * torch.log1p(u)
    series = series + (_stirling_tail_in(near / (1.0 + u)) - _stirling_tail_in(near))
    return torch.where(alpha > cut, direct, series)
