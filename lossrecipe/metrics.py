"""Is the predicted distribution any good?  Proper scoring rules and calibration.

A *scoring rule* ``S[P, y]`` charges a predicted distribution ``P`` when ``y`` is
observed (lower is better here, as for a loss).  It is *proper* when the expected
score under the true distribution ``Q`` is smallest for ``P = Q``.  The NLL
``-log Pr(y)`` is one; this module adds two that stay finite where the NLL
explodes (the CRPS for real outputs, the Brier score for classes) and the
calibration checks: the probability integral transform (PIT) for real outputs,
reliability curves and the expected calibration error (ECE) for classes.  For counts and
ordered classes: the randomised PIT and the ranked probability score (RPS), the CRPS of
a discrete distribution.

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
    check_scalar_distribution,
    check_targets,
    float_dtype,
    read_once,
    require_tensor,
)

__all__ = [
    "crps_gaussian",
    "crps_samples",
    "pit",
    "randomized_pit",
    "uniformity_gap",
    "brier_score",
    "ranked_probability_score",
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
    distribution = check_scalar_distribution(distribution)
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
            "mixture, ...), or lr.metrics.randomized_pit for counts and classes"
        ) from None


def _discrete_support(distribution: Distribution) -> tuple[constraints.Constraint, int]:
    """The support of a count or class distribution, and its lowest value."""
    try:
        support = distribution.support
    except NotImplementedError:
        support = None
    if support is None or not getattr(support, "is_discrete", False):
        raise ValueError(
            "distribution: expected a distribution over counts or classes (a discrete "
            f"support), got {type(distribution).__name__} with support {support}; for a "
            "real-valued output use lr.metrics.pit"
        )
    return support, int(getattr(support, "lower_bound", 0))


def _cdf_by_summing(distribution: Distribution, y: Tensor, low: int) -> tuple[Tensor, Tensor]:
    """``(F[y - 1], F[y])`` from the pmf, summed from ``low`` up to the largest ``y``.

    Costs ``N (max y - low + 1)`` evaluations of ``log_prob``.
    """
    n = y.shape[0]
    top = int(y.max()) if n else low
    grid = torch.arange(low, top + 1, dtype=y.dtype, device=y.device)
    pmf = distribution.log_prob(grid.unsqueeze(1).expand(-1, n)).exp()  # (K, N)
    cumulative = torch.cat([torch.zeros_like(pmf[:1]), pmf.cumsum(dim=0)], dim=0)
    row = (y - low).long().unsqueeze(0)
    return cumulative.gather(0, row).squeeze(0), cumulative.gather(0, row + 1).squeeze(0)


def randomized_pit(
    distribution: Distribution, y: Tensor, generator: torch.Generator | None = None
) -> Tensor:
    """The randomised PIT of a count or class forecast, ``u_i ~ U(F_i[y_i - 1], F_i[y_i])``.

    For a discrete outcome the PIT ``F[y]`` is not uniform even for a correct
    forecast: it can only take the values of the staircase ``F``.  Drawing ``u_i``
    uniformly between ``F_i[y_i - 1] = Pr(Y < y_i)`` and ``F_i[y_i] = Pr(Y <= y_i)``
    spreads each step over its height, and when ``y_i`` comes from ``F_i`` the ``u_i``
    are exactly uniform on ``[0, 1]`` (Czado, Gneiting and Held 2009): their histogram
    reads like the PIT histogram of a real-valued forecast (:func:`pit`).

    ``distribution`` is a scalar distribution with batch shape ``(N,)`` and a discrete
    support (what the count and class recipes' ``distribution`` returns: Poisson,
    negative binomial, zero-inflated Poisson, Bernoulli, Categorical); its ``cdf`` is
    used where it has one, otherwise the pmf is summed (``torch.distributions`` has no
    ``cdf`` for its discrete distributions).  For classes the order of the labels is
    taken as meaningful, as for ordered classes.  ``y`` ``(N,)`` holds values of the
    support (integer or whole floating-point numbers).  ``generator`` draws the uniform
    numbers (the global generator if ``None``; a CPU generator draws the same numbers
    for inputs on any device).  Returns ``(N,)`` values in ``[0, 1]``.
    """
    distribution = check_scalar_distribution(distribution)
    n = distribution.batch_shape[0]
    support, low = _discrete_support(distribution)
    mean = distribution.mean
    dtype = mean.dtype if mean.is_floating_point() else torch.get_default_dtype()
    y = check_targets(y, support, (n,), dtype, against=f"the batch shape ({n},) of distribution")
    y = y.to(dtype)  # class indices come back as integers
    try:
        above = distribution.cdf(y)
        below = torch.where(
            y > low, distribution.cdf(torch.clamp(y - 1.0, min=low)), torch.zeros_like(above)
        )
    except NotImplementedError:
        below, above = _cdf_by_summing(distribution, y, low)
    # drawn where the generator lives, so a CPU generator gives the same u on any device
    where = above.device if generator is None else generator.device
    draws = torch.rand(n, generator=generator, dtype=above.dtype, device=where).to(above.device)
    return torch.clamp(below + draws * (above - below), 0.0, 1.0)


def uniformity_gap(pit_values: Tensor) -> Tensor:
    """How far PIT values are from uniform: ``D = max_u |G[u] - u|``, a scalar.

    ``G`` is the empirical distribution function of the ``N`` values ``u_i`` (from
    :func:`pit` or :func:`randomized_pit`), and ``D`` is the Kolmogorov-Smirnov distance
    between it and the uniform distribution on ``[0, 1]``: from the sorted values
    ``u_(1) <= ... <= u_(N)``, ``D = max_i max(i / N - u_(i), u_(i) - (i - 1) / N)``.
    Near 0 for a calibrated forecast; for ``N`` uniform values it exceeds
    ``1.36 / sqrt(N)`` only one time in twenty.
    """
    u = check_real("pit_values", pit_values, 1, "(N,)")
    n = u.shape[0]
    if n == 0 or not bool(((u >= 0) & (u <= 1)).all()):
        raise ValueError(
            f"pit_values: expected at least one value, all in [0, 1], got {n} values"
            + (f" from {float(u.min()):.4g} to {float(u.max()):.4g}" if n else "")
        )
    ordered = torch.sort(u).values
    rank = torch.arange(n + 1, dtype=ordered.dtype, device=ordered.device) / n
    return torch.maximum(rank[1:] - ordered, ordered - rank[:-1]).max()


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


def ranked_probability_score(probs: Tensor | Categorical | Bernoulli, y: Tensor) -> Tensor:
    """The ranked probability score of a forecast over ordered classes, shape ``(N,)``.

    ``RPS_i = sum_{k=0}^{K-2} (Pr(Y <= k) - 1[y_i <= k])^2``: the squared distance
    between the predicted cumulative probabilities and the outcome's step (Epstein 1969).
    It is the Brier score summed over the ``K - 1`` binary events "at most ``k``", so it
    is proper, and it charges a forecast for putting probability far from the outcome
    more than next to it, which the Brier score does not.  For counts ``0..K-1`` it is
    the CRPS of the discrete forecast.  ``probs`` is ``(N, K)`` probabilities of the
    classes in their order (or a ``Categorical`` or ``Bernoulli``), ``y`` class indices
    ``0..K-1``.  0 for all the probability on the outcome; at most ``K - 1``.
    """
    probs, y = check_class_probabilities(probs, y)
    num_classes = probs.shape[1]
    cumulative = probs.cumsum(dim=1)[:, :-1]  # Pr(Y <= k), k = 0..K-2
    thresholds = torch.arange(num_classes - 1, device=probs.device)
    step = (y.unsqueeze(1) <= thresholds).to(probs.dtype)
    return ((cumulative - step) ** 2).sum(dim=1)


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
