"""Is the predicted distribution any good?  Proper scoring rules and calibration.

A *scoring rule* ``S[P, y]`` charges a predicted distribution ``P`` when ``y`` is
observed (lower is better here, as for a loss).  It is *proper* when the expected
score under the true distribution ``Q`` is smallest for ``P = Q``.  The NLL
``-log Pr(y)`` is one; this module adds two that stay finite where the NLL
explodes (the CRPS for real outputs, the Brier score for classes) and the
calibration checks: the probability integral transform (PIT) for real outputs,
reliability curves and the expected calibration error (ECE) for classes.

Every function validates its inputs and raises ``ValueError`` naming the argument;
every one works in ``float32`` and ``float64``, on the device of its inputs (results
stay there), and is differentiable where its formula is.  Shapes: ``N`` examples,
``K`` classes, ``S`` samples per example.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.distributions import Bernoulli, Categorical, Distribution, constraints

from .validation import (
    check_class_probabilities,
    check_positive_integer,
    check_real,
    check_targets,
    float_dtype,
    read_once,
    require_tensor,
)

__all__ = [
    "crps_gaussian",
    "crps_samples",
    "pit",
    "brier_score",
    "calibration_curve",
    "expected_calibration_error",
]

_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)


# --- real outputs: CRPS and PIT --------------------------------------------------------------


def crps_gaussian(mean: Tensor, std: Tensor, y: Tensor) -> Tensor:
    """The continuous ranked probability score of ``Norm[mean, std^2]`` at ``y``, shape ``(N,)``.

    ``CRPS[F, y] = integral (F[z] - 1[z >= y])^2 dz``; for a Gaussian, with
    ``z = (y - mu) / sigma`` (Gneiting and Raftery 2007, eq. 21)::

        CRPS = sigma * ( z (2 Phi[z] - 1) + 2 phi[z] - 1 / sqrt(pi) )

    where ``phi`` and ``Phi`` are the standard normal density and distribution
    function.  It has the units of ``y``, is 0 only for a point mass at ``y`` and
    grows linearly, not quadratically, in a surprising ``|y - mu|``.  ``mean``,
    ``std`` and ``y`` have shape ``(N,)``; ``std > 0``.
    """
    with read_once():
        mean = check_real("mean", mean, 1, "(N,)")
        (n,) = mean.shape
        dtype = float_dtype(mean, require_tensor("std", std), require_tensor("y", y))
        std = check_targets(std, constraints.positive, (n,), dtype, name="std", against="mean")
        y = check_targets(y, constraints.real, (n,), dtype, against="mean")
    mean = mean.to(dtype)
    z = (y - mean) / std
    cdf = 0.5 * torch.erfc(-z / math.sqrt(2.0))
    density = torch.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return std * (z * (2.0 * cdf - 1.0) + 2.0 * density - _INV_SQRT_PI)


def crps_samples(samples: Tensor, y: Tensor) -> Tensor:
    """The CRPS of the empirical distribution of ``samples`` (shape ``(S, N)``) at ``y`` ``(N,)``.

    ``CRPS = (1/S) sum_i |x_i - y| - (1 / (2 S^2)) sum_i sum_j |x_i - x_j|``
    (Gneiting and Raftery 2007, eq. 20, with ``X`` the ``S`` samples of column
    ``n``).  The double sum is computed from the sorted samples
    ``x_(1) <= ... <= x_(S)`` as ``sum_i sum_j |x_i - x_j| = 2 sum_i (2i - S - 1) x_(i)``,
    so the cost is ``O(S log S)`` per example instead of ``O(S^2)``.
    """
    with read_once():
        samples = check_real("samples", samples, 2, "(S, N)")
        num_samples, n = samples.shape
        if num_samples < 1:
            raise ValueError(
                f"samples: expected at least one sample (S >= 1), got {tuple(samples.shape)}"
            )
        y = require_tensor("y", y)
        if y.dim() == 1 and y.shape[0] != n and y.shape[0] == num_samples:
            raise ValueError(
                f"y: expected shape ({n},), one target per column of samples "
                f"{tuple(samples.shape)}, got {tuple(y.shape)}; samples go in rows: pass "
                "samples.T if they are (N, S)"
            )
        dtype = float_dtype(samples, y)
        y = check_targets(y, constraints.real, (n,), dtype, against="the columns of samples")
    samples = samples.to(dtype)
    spread_to_y = (samples - y).abs().mean(dim=0)
    ordered = torch.sort(samples, dim=0).values
    rank = torch.arange(1, num_samples + 1, dtype=dtype, device=samples.device)
    weights = (2.0 * rank - num_samples - 1.0).unsqueeze(1)
    half_pair_spread = (weights * ordered).sum(dim=0) / num_samples**2
    return spread_to_y - half_pair_spread


def pit(distribution: Distribution, y: Tensor) -> Tensor:
    """The probability integral transform ``u_i = F_i[y_i] = Pr(Y <= y_i)``, shape ``(N,)``.

    ``distribution`` is a scalar ``torch.distributions`` object with batch shape
    ``(N,)`` and a ``cdf`` (what a real-valued recipe's ``distribution`` returns).
    When ``y_i`` is drawn from ``F_i`` the ``u_i`` are uniform on ``[0, 1]``
    (Dawid 1984): a histogram of them is flat for a calibrated model, U-shaped for
    an over-confident one and hump-shaped for an under-confident one.
    """
    if not isinstance(distribution, Distribution):
        raise ValueError(
            "distribution: expected a torch.distributions.Distribution (for example "
            f"recipe.distribution(outputs)), got {type(distribution).__name__}"
        )
    if tuple(distribution.event_shape) != () or len(distribution.batch_shape) != 1:
        raise ValueError(
            "distribution: expected one scalar distribution per example (batch shape (N,), "
            f"event shape ()), got batch shape {tuple(distribution.batch_shape)} and event "
            f"shape {tuple(distribution.event_shape)}"
        )
    n = distribution.batch_shape[0]
    try:
        support = distribution.support or constraints.real
    except NotImplementedError:
        support = constraints.real
    y = require_tensor("y", y)
    dtype = float_dtype(y)
    y = check_targets(y, support, (n,), dtype, against=f"the batch shape ({n},) of distribution")
    if not y.is_floating_point():  # class indices come back as integers
        y = y.to(dtype)
    try:
        return distribution.cdf(y)
    except NotImplementedError:
        raise ValueError(
            f"distribution: {type(distribution).__name__} has no cdf, so its PIT is not "
            "defined here; use a distribution with a cdf (Normal, Laplace, a Gaussian "
            "mixture, ...)"
        ) from None


# --- classes: Brier score and calibration ----------------------------------------------------


def brier_score(probs: Tensor | Categorical | Bernoulli, y: Tensor) -> Tensor:
    """The Brier score ``B_i = sum_k (p_ik - 1[y_i = k])^2`` of each example, shape ``(N,)``.

    ``probs`` is ``(N, K)`` class probabilities, or the ``Categorical`` or
    ``Bernoulli`` distribution a recipe returns (a Bernoulli counts as two classes,
    so ``B_i = 2 (p_i - y_i)^2``); ``y`` holds class indices ``0..K-1``.  The score
    lies in ``[0, 2]`` and is proper (Brier 1950).
    """
    probs, y = check_class_probabilities(probs, y)
    one_hot = torch.nn.functional.one_hot(y, probs.shape[1]).to(probs.dtype)
    return ((probs - one_hot) ** 2).sum(dim=1)


def calibration_curve(
    probs: Tensor | Categorical | Bernoulli, y: Tensor, num_bins: int = 10
) -> tuple[Tensor, Tensor, Tensor]:
    """Reliability curve of the top-label confidence: ``(confidence, accuracy, count)``.

    Each example's confidence is ``c_i = max_k p_ik`` and it is correct when
    ``argmax_k p_ik = y_i``.  The interval ``[0, 1]`` is cut into exactly
    ``num_bins`` equal-width bins ``[b/B, (b+1)/B)`` (the last one closed); for each
    bin, ``confidence`` is the mean ``c_i`` and ``accuracy`` the fraction correct
    among its examples, and ``count`` the number of examples (``int64``).  Empty
    bins have count 0 and NaN confidence and accuracy.  All three have shape
    ``(num_bins,)``.  A calibrated model has ``accuracy == confidence`` in every bin.
    """
    num_bins = check_positive_integer("num_bins", num_bins)
    probs, y = check_class_probabilities(probs, y)
    with torch.no_grad():
        top, predicted = probs.detach().max(dim=1)
        correct = (predicted == y).to(probs.dtype)
        index = torch.clamp((top * num_bins).long(), max=num_bins - 1)
        count = torch.bincount(index, minlength=num_bins)
        total_confidence = top.new_zeros(num_bins).index_add_(0, index, top)
        total_correct = top.new_zeros(num_bins).index_add_(0, index, correct)
        occupied = count > 0
        nan = top.new_full((num_bins,), math.nan)
        safe = count.clamp(min=1).to(probs.dtype)
        confidence = torch.where(occupied, total_confidence / safe, nan)
        accuracy = torch.where(occupied, total_correct / safe, nan)
    return confidence, accuracy, count


def expected_calibration_error(
    probs: Tensor | Categorical | Bernoulli, y: Tensor, num_bins: int = 10
) -> Tensor:
    """``ECE = sum_b (n_b / N) |accuracy_b - confidence_b|`` over the non-empty bins (a scalar).

    The bins are those of :func:`calibration_curve` (Guo et al. 2017).  It is 0 for
    a calibrated model, and at most 1.
    """
    confidence, accuracy, count = calibration_curve(probs, y, num_bins)
    total = int(count.sum())
    if total == 0:
        raise ValueError("probs: expected at least one example, got N = 0")
    occupied = count > 0
    gaps = (accuracy[occupied] - confidence[occupied]).abs()
    return (count[occupied].to(gaps.dtype) * gaps).sum() / total
