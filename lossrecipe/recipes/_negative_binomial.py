"""The negative binomial NLL in a form exact from the Poisson limit to large dispersion.

With ``r = 1 / alpha``, ``z = log mu``, ``s = log[alpha mu]`` and ``x = alpha mu = e^s``::

    NLL = log y! - y z + (r + y) softplus[s] - E,   E = lgamma[r + y] - lgamma[r] - y log r

(``E = sum_{j < y} log1p[j alpha]`` for a count ``y``: ``y log r`` and ``y log alpha``
cancel exactly, so neither is formed).  Two things go wrong as ``alpha -> 0``, where the
negative binomial becomes the Poisson, if the NLL is evaluated and differentiated as it
stands (as ``torch.distributions.NegativeBinomial`` does):

- ``lgamma[r + y] - lgamma[r]`` subtracts two numbers near ``r log r``: at ``r = 1e12``
  float64 keeps three decimals of it.  From ``r = 10`` on, ``E`` is written with
  Stirling's series so that nothing large is subtracted.
- the derivative in ``log alpha``,
  ``r (psi[r + y] - psi[r]) - y + y x / (1 + x) - r g[x]`` with
  ``g[x] = log1p[x] - x / (1 + x)``, is a sum of terms near ``y`` and ``mu`` whose result
  is ``O(alpha)``; autograd through the value loses ``r^2 eps`` of it.  The backward
  pass writes each difference as a series in ``u = y alpha`` or ``x``.

The forward pass also keeps large numbers apart: ``y (softplus[s] - z)`` is
``y (log alpha + softplus[-s])`` where ``s > 0``, and ``r softplus[s]`` is formed from
``mu`` where ``x <= 1`` and with ``e^{-log alpha}`` above, so it stays finite and exact
where ``alpha`` underflows to 0 (``r = inf``) or overflows (``r = 0``).

Forward and backward are one ``autograd.Function``, a few elementwise kernels each.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

__all__ = ["negative_binomial_nll"]

# From r = 1 / alpha = 10 on, the asymptotic series below are exact to float64.
_SERIES_FROM = 10.0
# B_2k / (2k (2k - 1)), k = 1..8: lgamma[x] = (x - 1/2) log x - x + log(2 pi) / 2
# + sum_k c_k x^(1 - 2k); the next term is below 2e-18 at x = 10.
_LGAMMA = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400)
# B_2k / (2k), k = 1..8: psi[x] = log x - 1/(2x) - sum_k d_k x^(-2k); the next term is
# below 5e-17 at x = 10.
# 1 / (2k + 3), k = 0..16: atanh[t] = t + t^3 sum_k t^(2k) / (2k + 3); with t^2 <= 1/9 the
# next term is below 1e-18.
_ATANH = tuple(1.0 / (2 * k + 3) for k in range(17))
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12, -3617 / 8160)


def _log1p_over_minus_one(u: Tensor) -> Tensor:
    """``log1p[u] / u - 1`` for ``u >= 0`` (0 at 0, about ``-u/2`` near it), to a few ``eps``
    of its own size.

    For ``u <= 1`` with ``t = u / (2 + u)``: ``log1p[u] = 2 atanh[t]`` and ``2 t - u =
    -u^2 / (2 + u)``, so ``log1p[u] - u = -u^2 / (2 + u) + 2 t^3 A[t^2]`` with
    ``A[v] = sum_k v^k / (2k + 3)``, and the result is ``(2 t^2 A[t^2] - u) / (2 + u)``:
    its first term is below ``u / 9`` of the second, so nothing cancels (``log1p[u] / u - 1``
    as it stands keeps only ``eps`` absolute, ``eps / u`` of the result).
    """
    small = torch.clamp(u, max=1.0)
    t = small / (2.0 + small)
    t2 = t * t
    near = (2.0 * t2 * _polynomial(t2, _ATANH) - small) / (2.0 + small)
    safe = torch.clamp(u, min=1.0)
    return torch.where(u <= 1.0, near, torch.log1p(safe) / safe - 1.0)


def _polynomial(t: Tensor, coefficients: tuple[float, ...]) -> Tensor:
    """``sum_k c_k t^(k - 1)`` by Horner's rule."""
    total = torch.full_like(t, coefficients[-1])
    for c in reversed(coefficients[:-1]):
        total = total * t + c
    return total


def _tail_difference(
    alpha: Tensor, u: Tensor, coefficients: tuple[float, ...], shift: int
) -> Tensor:
    """``sum_k c_k alpha^(2k - 1) (1 - (1 + u)^-(2k - 1 + shift))``.

    With ``1 / r = alpha`` and ``w = 1 / (r + y) = alpha / (1 + u)`` this is, for
    ``shift = 0``, ``tail[r] - tail[r + y] = alpha P[alpha^2] - w P[w^2]`` of the lgamma
    series, and for ``shift = 1``, ``r`` times that of the digamma series,
    ``alpha P[alpha^2] - (w^2 / alpha) P[w^2]``.  Both terms are below ``alpha / 12 <=
    1/120``, so their difference costs at most ``eps alpha`` absolute.
    """
    w = alpha / (1.0 + u)
    w2 = w * w
    scale = w if shift == 0 else w / (1.0 + u)  # w^2 / alpha, without 0 / 0 at alpha = 0
    return alpha * _polynomial(alpha * alpha, coefficients) - scale * _polynomial(w2, coefficients)


def _log_rising_ratio(alpha: Tensor, log_alpha: Tensor, y: Tensor) -> Tensor:
    """``E = lgamma[r + y] - lgamma[r] - y log r``: Stirling's series from ``r = 10`` on,
    ``y ((1 + u) (log1p[u]/u - 1) + u) - log1p[u] / 2 - tails``; below it the log-gammas,
    as ``lgamma[r + y] - lgamma[r + 1] + (y - 1) log alpha`` for ``y >= 1`` (``lgamma[r] =
    lgamma[r + 1] + log alpha``), which stays finite where ``alpha`` overflows and ``r = 0``,
    and ``0`` for ``y = 0``."""
    cut = 1.0 / _SERIES_FROM
    near, far = torch.clamp(alpha, max=cut), torch.clamp(alpha, min=cut)
    r = 1.0 / far
    log_far = torch.clamp(log_alpha, min=math.log(cut))
    direct = torch.lgamma(r + y) - torch.lgamma(r + 1.0) + (y - 1.0) * log_far
    direct = torch.where(y > 0, direct, torch.zeros_like(direct))
    u = y * near
    log_grow = torch.log1p(u)
    # (r + y) log1p[u] - y: as it stands where u >= 1, else y ((1 + u) (log1p[u]/u - 1) + u),
    # whose terms are below y instead of near r u
    small_u = torch.clamp(u, max=1.0)
    grown = torch.where(
        u < 1.0,
        y * ((1.0 + small_u) * _log1p_over_minus_one(small_u) + small_u),
        (1.0 / near + y) * log_grow - y,
    )
    series = grown - 0.5 * log_grow - _tail_difference(near, u, _LGAMMA, 0)
    return torch.where(alpha > cut, direct, series)


def _digamma_difference(alpha: Tensor, y: Tensor) -> Tensor:
    """``r (psi[r + y] - psi[r]) - y``: the series from ``r = 10`` on,
    ``y (log1p[u]/u - 1) + u / (2 (1 + u)) + r (S[r] - S[r + y])``; below it the digammas,
    as ``r (psi[r + y] - psi[r + 1]) + 1 - y`` for ``y >= 1`` (``psi[r] = psi[r + 1] - 1/r``),
    which stays finite where ``r = 0``, and ``0`` for ``y = 0``."""
    cut = 1.0 / _SERIES_FROM
    near, far = torch.clamp(alpha, max=cut), torch.clamp(alpha, min=cut)
    r = 1.0 / far
    direct = r * (torch.digamma(r + y) - torch.digamma(r + 1.0)) + 1.0 - y
    direct = torch.where(y > 0, direct, torch.zeros_like(direct))
    u = y * near
    series = y * _log1p_over_minus_one(u) + 0.5 * u / (1.0 + u)
    series = series + _tail_difference(near, u, _DIGAMMA, 1)
    return torch.where(alpha > cut, direct, series)


def _count_terms(log_mean: Tensor, log_alpha: Tensor, y: Tensor) -> Tensor:
    """``y (softplus[s] - z) + r softplus[s]`` (``s = log[alpha mu]``), without cancelling
    large numbers: ``softplus[s] - z = log alpha + softplus[-s]`` where ``s > 0`` (both
    sides near ``z`` there), and ``r softplus[s] = mu (1 + (log1p[x]/x - 1))`` where ``x =
    e^s <= 1`` (``r`` may be ``inf`` there, with ``alpha`` below the smallest float), else
    ``softplus[s] e^{-log alpha}`` (0, not ``0 * inf``, where ``alpha`` overflows)."""
    s = log_alpha + log_mean
    softplus_s = F.softplus(s)
    log_ratio = torch.where(s > 0.0, log_alpha + F.softplus(-s), softplus_s - log_mean)
    below = torch.exp(torch.minimum(log_mean, -log_alpha))  # mu, kept where x <= 1
    x_below = torch.exp(torch.clamp(s, max=0.0))
    gamma_part = torch.where(
        s <= 0.0,
        below * (1.0 + _log1p_over_minus_one(x_below)),
        softplus_s * torch.exp(-log_alpha),
    )
    return y * log_ratio + gamma_part


class _NegativeBinomialNLL(torch.autograd.Function):
    """The NLL of the module docstring, with its derivatives in ``z`` and ``log alpha``.

    ``alpha`` is passed beside ``log_alpha`` to save an ``exp``; the gradient flows
    through ``log_alpha`` only (``d alpha / d log alpha = alpha`` is folded in), which
    a positive link computes stably from its raw output.
    """

    @staticmethod
    def forward(ctx: Any, log_mean: Tensor, alpha: Tensor, log_alpha: Tensor, y: Tensor) -> Tensor:
        ctx.save_for_backward(log_mean, alpha, log_alpha, y)
        return (
            torch.lgamma(y + 1.0)
            + _count_terms(log_mean, log_alpha, y)
            - _log_rising_ratio(alpha, log_alpha, y)
        )

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, Tensor, None]:
        log_mean, alpha, log_alpha, y = ctx.saved_tensors
        s = log_alpha + log_mean
        softplus_s, sigmoid_s = F.softplus(s), torch.sigmoid(s)
        # d/dz: (mu - y) / (1 + x), with mu / (1 + x) = exp[z - softplus[s]]
        d_log_mean = torch.exp(log_mean - softplus_s) - y * torch.sigmoid(-s)
        # r g[x]: mu (log1p[x]/x - 1 + x/(1 + x)) where x < 1, (softplus - sigmoid) r above
        below = torch.exp(torch.minimum(log_mean, -log_alpha))  # mu, kept where x <= 1
        x_below = torch.exp(torch.clamp(s, max=0.0))
        r_g = torch.where(
            s < 0.0,
            below * (_log1p_over_minus_one(x_below) + torch.sigmoid(torch.clamp(s, max=0.0))),
            (softplus_s - sigmoid_s) * torch.exp(-log_alpha),
        )
        d_log_alpha = _digamma_difference(alpha, y) + y * sigmoid_s - r_g
        return grad * d_log_mean, None, grad * d_log_alpha, None


def negative_binomial_nll(log_mean: Tensor, alpha: Tensor, log_alpha: Tensor, y: Tensor) -> Tensor:
    """``-log Pr(y | mu, alpha)`` of the NB2 negative binomial, per example, from ``log mu``,
    ``alpha`` and ``log alpha`` (module docstring)."""
    result: Tensor = _NegativeBinomialNLL.apply(log_mean, alpha, log_alpha, y)
    return result
