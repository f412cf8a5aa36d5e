"""Formulas more than one module needs, each in its stable form (private).

Also the home of the speed tricks the recipes keep, each one because ``make bench``
showed it earning at least 10% on its row (:func:`split_columns`; the in-place steps of
:func:`normal_nll`, :func:`poisson_nll` and :func:`laplace_nll`; the hand-written
backward of :func:`flipped_softplus`): here, below the recipes, never in ``Recipe`` or
in a class the book prints.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "LOG_2PI",
    "flipped_softplus",
    "laplace_nll",
    "log_abs",
    "log_gamma",
    "log_gamma_ratio_half",
    "normal_nll",
    "poisson_nll",
    "split_columns",
    "standardise",
    "wrap_angle",
]

LOG_2PI = math.log(2.0 * math.pi)


def normal_nll(
    y: Tensor, mean: Tensor, log_variance: Tensor | float, *, bounded: bool = False
) -> Tensor:
    """``-log Norm_y[mu, sigma^2] = ((y - mu)^2 / sigma^2 + log sigma^2 + log 2 pi) / 2``.

    The variance enters only through ``log sigma^2``, supplied by the caller from a
    stable source (a link's ``log``, or the logarithm of a fixed ``sigma^2``), so the
    loss stays exact where ``sigma^2`` itself under- or overflows (:func:`standardise`).
    ``bounded=True`` holds ``(y - mu) / sigma`` within the floats before squaring: the
    term is still ``inf`` where it overflows, but its slope is finite, so a zero
    gradient arriving from above (a mixture component far from ``y``, whose weight in
    the log-sum-exp is 0) stays zero instead of becoming ``0 * inf = NaN``.
    """
    z = standardise(y - mean, log_variance)
    if bounded:
        largest = torch.finfo(z.dtype).max
        z = z.clamp(-largest, largest)
    # Added and halved in place (none of these steps keeps its result for the
    # gradient): fewer temporaries.
    return torch.square(z).add_(log_variance).add_(LOG_2PI).mul_(0.5)


def standardise(residual: Tensor, log_variance: Tensor | float) -> Tensor:
    """``r / sigma`` from ``log sigma^2``, never NaN: ``r e^{-max(log sigma^2, l_min) / 2}``.

    ``l_min = 2 ceil(log tiny)`` (``tiny`` the smallest normal float; -174 in float32,
    -1416 in float64) keeps the factor a finite float.  For every ``sigma`` above
    ``e^{l_min / 2}`` this is ``r / sigma`` to rounding, however small ``sigma^2``
    itself has become as a float; below, ``r = 0`` still gives 0, and every ``|r|``
    above ``sqrt(M) e^{l_min / 2}`` (``M`` the largest float: 3e-19 in float32,
    4e-154 in float64) a ``|r / sigma|`` beyond ``sqrt(M)``, whose square overflows
    as the exact one does.  Where ``sigma^2`` overflows it is 0.
    """
    if not isinstance(log_variance, Tensor):
        return residual / math.exp(0.5 * log_variance)
    floor = 2 * math.ceil(math.log(torch.finfo(residual.dtype).tiny))
    return residual * torch.exp(torch.clamp(log_variance, min=floor).mul(-0.5))


def log_abs(x: Tensor) -> Tensor:
    """``log |x|``, ``-inf`` at ``x = 0`` with a zero (not NaN) gradient there."""
    nonzero = x != 0
    safe = torch.where(nonzero, x, torch.ones_like(x))
    return torch.where(nonzero, torch.log(torch.abs(safe)), -math.inf)


def log_gamma(x: Tensor, log_x: Tensor) -> Tensor:
    """``log Gamma[x]`` for ``x > 0``, with ``log x`` from a stable source.

    ``lgamma[x]`` wherever ``x`` is a normal float, and ``-log x`` below (there
    ``log Gamma[x] = -log x - gamma x + O(x^2)`` and ``gamma x`` is below rounding), so
    it stays finite where ``x`` has underflowed to 0.  The unused side is fed a safe
    value, so neither side's gradient becomes NaN.
    """
    tiny = torch.finfo(x.dtype).tiny
    return torch.where(x < tiny, -log_x, torch.lgamma(torch.clamp(x, min=tiny)))


def wrap_angle(angle: Tensor) -> Tensor:
    """``angle`` modulo ``2 pi``, in ``(-pi, pi]``: both ``pi`` and ``-pi`` map to ``pi``.

    Angles already in ``(-pi, pi]`` are returned unchanged, without rounding.
    """
    wrapped = math.pi - torch.remainder(math.pi - angle, 2.0 * math.pi)
    # remainder can round up to exactly 2 pi, which would give -pi.
    wrapped = torch.where(wrapped <= -math.pi, wrapped + 2.0 * math.pi, wrapped)
    return torch.where((angle > -math.pi) & (angle <= math.pi), angle, wrapped)


def split_columns(outputs: Tensor, widths: list[int]) -> tuple[Tensor, ...]:
    """``outputs`` split along the last axis into blocks of these widths (views).

    A single block is ``outputs`` itself: ``torch.split``'s backward would copy the whole
    gradient once more (a pass over memory that costs more than many a loss).
    """
    if len(widths) == 1:
        return (outputs,)
    return torch.split(outputs, widths, dim=-1)


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


def poisson_nll(log_rate: Tensor, y: Tensor) -> Tensor:
    """``lambda - y log lambda + log y!`` from ``log lambda``, ``lambda = exp[log lambda]``.

    The last term is added in place (the sum keeps no input for the gradient): the same
    values, one temporary fewer.
    """
    return (torch.exp(log_rate) - y * log_rate).add_(torch.lgamma(y + 1.0))


def laplace_nll(y: Tensor, location: Tensor, scale: float) -> Tensor:
    """``|y - mu| / b + log 2b`` for a fixed scale ``b``.

    Divided and shifted in place after ``abs`` (whose backward keeps only its input):
    the same values, two temporaries fewer.
    """
    return torch.abs(y - location).div_(scale).add_(math.log(2.0 * scale))


# Above x = 30, lgamma(x + 1/2) - lgamma(x) loses digits to cancellation, while the
# asymptotic series below is already exact to float64 (relative error 5e-17 at 30).
_LOG_GAMMA_RATIO_SERIES_FROM = math.log(30.0)


def log_gamma_ratio_half(log_x: Tensor) -> Tensor:
    """``log[Gamma[x + 1/2] / Gamma[x]]`` for ``x = e^{log_x} > 0``, from ``log x`` alone.

    Below 30: ``lgamma[x + 1/2] - log Gamma[x]`` (:func:`log_gamma`, finite where ``x``
    underflows).  From 30 on, the asymptotic series ``log[x] / 2 - 1/(8x) + 1/(192x^3)
    - 1/(640x^5) + 17/(14336x^7)`` (its relative truncation error is below 1e-16 there),
    which stays exact where the two lgammas are ~1e14 and their difference ~15, and
    where ``x`` itself overflows (``1/x = e^{-log x}``).  ``x`` is never formed beyond
    30, so no gradient passes through an infinite ``x``.
    """
    switch = _LOG_GAMMA_RATIO_SERIES_FROM
    log_small = torch.clamp(log_x, max=switch)
    small = torch.exp(log_small)
    direct = torch.lgamma(small + 0.5) - log_gamma(small, log_small)
    log_large = torch.clamp(log_x, min=switch)
    inv = torch.exp(-log_large)
    inv2 = inv * inv
    tail = inv * (-1.0 / 8.0 + inv2 * (1.0 / 192.0 + inv2 * (-1.0 / 640.0 + inv2 * 17.0 / 14336.0)))
    return torch.where(log_x < switch, direct, 0.5 * log_large + tail)
