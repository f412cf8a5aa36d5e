"""The distributions the recipes return where ``torch.distributions`` has none that fits.

- :class:`AsymmetricLaplace` (the quantile recipe's distribution) and
  :class:`PlackettLuceDistribution` (rankings): two distributions of our own;
- :class:`Bernoulli`, :class:`Poisson`, :class:`Beta` and :class:`Gamma`:
  ``torch.distributions``' own, changed only where their ``log_prob`` would disagree
  with the recipe's ``nll``: it computes in the parameters' dtype whatever the dtype of
  the targets (integers and ``bool`` labels, 16-bit floats), as ``nll`` does; the
  Beta's and the Gamma's support is open, ``(0, 1)`` and ``y > 0``, as the recipes'
  (torch's includes the ends, where the log-density is infinite);
- :class:`Independent` and :class:`MultivariateNormal`: torch's, whose ``log_prob``
  also takes an empty batch, as ``nll`` does;
- :func:`checking_values`: a distribution that checks the values given to ``log_prob``,
  ``cdf`` and ``icdf`` when its recipe validates, without reading its parameters back.

A recipe builds its distribution with ``validate_args=False``: the links keep every
parameter in its constraint, and checking them would read them back from the device.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import torch
from torch import Tensor
from torch.distributions import Distribution, constraints
from torch.distributions.constraints import Constraint
from torch.distributions.utils import broadcast_all

from .validation import Rankings, open_unit_interval

__all__ = [
    "AsymmetricLaplace",
    "Bernoulli",
    "Beta",
    "Gamma",
    "Independent",
    "MultivariateNormal",
    "PlackettLuceDistribution",
    "Poisson",
    "checking_values",
    "default_validate_args",
    "pinball",
    "plackett_luce_nll",
]

D = TypeVar("D", bound=Distribution)


def checking_values(dist: D, validate: bool) -> D:
    """``dist``, built with ``validate_args=False``, now checking the values given to its
    ``log_prob`` (``cdf``, ``icdf``) against its support when ``validate`` is true.

    The same check as ``validate_args=True``, without its check of the parameters, which
    reads each one back from the device (the recipe's links keep them in their
    constraints).  A value outside the support then raises ``ValueError``, as the
    recipe's ``nll`` does.
    """
    dist._validate_args = validate
    return dist


@contextmanager
def default_validate_args(value: bool) -> Iterator[None]:
    """``torch.distributions``' default ``validate_args`` set to ``value`` inside.

    Some distributions build others inside with the default (``StudentT`` its
    ``Chi2``), whose check of its parameters reads them back from the device.
    """
    previous = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(value)
    try:
        yield
    finally:
        torch.distributions.Distribution.set_default_validate_args(previous)


class Bernoulli(torch.distributions.Bernoulli):
    """``torch.distributions.Bernoulli`` whose ``log_prob`` takes labels of any real dtype.

    ``log_prob(y)`` reads integer and ``bool`` labels as the numbers 0 and 1, in the
    dtype of the logits, as the recipe's ``nll`` does (torch's own refuses them).
    """

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(value.to(self.logits.dtype))


class Poisson(torch.distributions.Poisson):
    """``torch.distributions.Poisson`` whose ``log_prob`` computes in the rate's dtype.

    Torch's computes ``lgamma(y + 1)`` in the dtype of ``y``: 16-bit counts would lose
    digits that the recipe's ``nll`` keeps.
    """

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(value.to(self.rate.dtype))


class Beta(torch.distributions.Beta):
    """``torch.distributions.Beta`` on the open interval ``(0, 1)``, the recipe's support,
    whose ``log_prob`` computes in the concentrations' dtype (as ``nll`` does)."""

    support = open_unit_interval  # type: ignore[assignment]

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(value.to(self.concentration1.dtype))


class Gamma(torch.distributions.Gamma):
    """``torch.distributions.Gamma`` on ``y > 0``, the recipe's support (torch's has 0),
    whose ``log_prob`` computes in the parameters' dtype (as ``nll`` does)."""

    support = constraints.positive  # type: ignore[assignment]

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(value.to(self.rate.dtype))


class Independent(torch.distributions.Independent[Distribution]):
    """``torch.distributions.Independent`` whose ``log_prob`` also takes an empty batch
    (torch's reshapes to ``(0, -1)``, which has no size)."""

    def log_prob(self, value: Tensor) -> Tensor:
        log_p = self.base_dist.log_prob(value)
        return log_p.sum(dim=tuple(range(-self.reinterpreted_batch_ndims, 0)))


class MultivariateNormal(torch.distributions.MultivariateNormal):
    """``torch.distributions.MultivariateNormal`` whose ``log_prob`` also takes an empty
    batch (torch's divides by the batch size)."""

    def log_prob(self, value: Tensor) -> Tensor:
        shape = torch.broadcast_shapes(value.shape[:-1], self.batch_shape)
        if shape.numel() == 0:
            return self.loc.new_zeros(shape)
        return super().log_prob(value)


def pinball(u: Tensor, quantile: float | Tensor) -> Tensor:
    """The pinball (check) loss ``rho_q[u] = u (q - [u < 0])``.

    ``q u`` for ``u >= 0`` and ``(q - 1) u`` below 0: both non-negative.
    """
    return u * (quantile - (u < 0).to(u.dtype))


def plackett_luce_nll(scores: Tensor, y: Tensor) -> Tensor:
    """``-log Pr(y | s) = sum_j [logsumexp_{i not in y_1..y_{j-1}} s_i - s_{y_j}]``.

    ``scores`` ``(..., K)``; ``y`` ``(..., k)`` long, distinct items, best first; the
    result has the leading shape.  Step ``j`` is a softmax over the items not yet
    placed; an item placed at position ``p`` is available at steps ``j <= p``, and
    unranked items at every step.
    """
    num_ranked = y.shape[-1]
    position = torch.full_like(scores, num_ranked, dtype=torch.long)
    steps = torch.arange(num_ranked, device=y.device).expand_as(y)
    position = position.scatter(-1, y, steps)
    available = position.unsqueeze(-2) >= steps.unsqueeze(-1)  # (..., k, K)
    masked = torch.where(available, scores.unsqueeze(-2), -math.inf)
    return (torch.logsumexp(masked, dim=-1) - scores.gather(-1, y)).sum(dim=-1)


class AsymmetricLaplace(Distribution):
    """The asymmetric Laplace distribution in its quantile form.

    ``Pr(y | mu, b, q) = q (1 - q) / b * exp[-rho_q[y - mu] / b]``, with the pinball loss
    ``rho_q[u] = u (q - [u < 0])``.  The location ``mu`` is the ``q``-quantile
    (``cdf(mu) = q``) and the mode.  Below ``mu`` it is an exponential tail of rate
    ``(1 - q) / b`` holding mass ``q``; above, one of rate ``q / b`` holding ``1 - q``.

    - ``cdf[y] = q exp[(1 - q) (y - mu) / b]`` for ``y < mu``,
      ``1 - (1 - q) exp[-q (y - mu) / b]`` for ``y >= mu``;
    - ``icdf[p]``, its inverse, for ``p`` in ``[0, 1]`` (``-inf`` at 0, ``inf`` at 1);
      outside ``[0, 1]`` it raises ``ValueError`` when validating, and is NaN otherwise;
    - ``mean = mu + b (1 - 2q) / (q (1 - q))``;
    - ``variance = b^2 (1 - 2q + 2q^2) / (q^2 (1 - q)^2)``.

    ``sample`` draws by inverting the CDF (``rsample``: differentiable in ``loc``, ``scale``).
    """

    arg_constraints = {
        "loc": constraints.real,
        "scale": constraints.positive,
        "quantile": open_unit_interval,
    }
    support = constraints.real
    has_rsample = True

    def __init__(
        self,
        loc: Tensor | float,
        scale: Tensor | float,
        quantile: Tensor | float,
        validate_args: bool | None = None,
    ) -> None:
        self.loc, self.scale, self.quantile = broadcast_all(loc, scale, quantile)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(
        self,
        batch_shape: torch.Size | list[int] | tuple[int, ...],
        _instance: AsymmetricLaplace | None = None,
    ) -> AsymmetricLaplace:
        new = self._get_checked_instance(AsymmetricLaplace, _instance)
        batch_shape = torch.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new.quantile = self.quantile.expand(batch_shape)
        super(AsymmetricLaplace, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        q = self.quantile
        return self.loc + self.scale * (1 - 2 * q) / (q * (1 - q))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        q = self.quantile
        return self.scale**2 * (1 - 2 * q + 2 * q**2) / (q**2 * (1 - q) ** 2)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        q, b = self.quantile, self.scale
        return torch.log(q * (1 - q) / b) - pinball(value - self.loc, q) / b

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        q, b = self.quantile, self.scale
        u = value - self.loc
        # each branch sees only its own side of mu, so neither overflows
        below = q * torch.exp((1 - q) * u.clamp(max=0.0) / b)
        above = 1 - (1 - q) * torch.exp(-q * u.clamp(min=0.0) / b)
        return torch.where(u < 0, below, above)

    def icdf(self, value: Tensor | float) -> Tensor:
        q, b = self.quantile, self.scale
        p = torch.as_tensor(value, dtype=self.loc.dtype, device=self.loc.device)
        if self._validate_args and not bool(((p >= 0) & (p <= 1)).all()):
            bad = p[~((p >= 0) & (p <= 1))][0].item()
            raise ValueError(f"value: expected probabilities in [0, 1], got {bad!r}")
        lower = p < q
        # log[p / q] <= 0 below the quantile, log[(1 - p) / (1 - q)] <= 0 above it
        below = b / (1 - q) * (torch.log(torch.where(lower, p, q)) - torch.log(q))
        above = -b / q * (torch.log1p(-torch.where(lower, q, p)) - torch.log1p(-q))
        return self.loc + torch.where(lower, below, above)

    def rsample(self, sample_shape: torch.Size | list[int] | tuple[int, ...] = ()) -> Tensor:
        shape = self._extended_shape(torch.Size(sample_shape))
        tiny = torch.finfo(self.loc.dtype).tiny
        p = torch.rand(shape, dtype=self.loc.dtype, device=self.loc.device).clamp(min=tiny)
        return self.icdf(p)


class PlackettLuceDistribution(Distribution):
    """Rankings of ``K`` items drawn by picking, best first, each next item with
    probability ``softmax`` of the scores of the items left.

    ``log_prob`` takes full rankings ``(..., K)`` or top-k lists ``(..., k)``, ``k <= K``
    (the probability that these are the first ``k``, in this order: the sum over
    every completion), as integers or whole floating-point numbers; ``sample`` draws
    full rankings ``(..., K)`` by the Gumbel trick (sorting ``s_i + G_i``, ``G_i``
    standard Gumbel, gives a Plackett-Luce ranking); ``mode`` is the items sorted by
    score.
    """

    arg_constraints = {"scores": constraints.real_vector}
    has_rsample = False

    def __init__(self, scores: Tensor, validate_args: bool | None = None) -> None:
        if scores.dim() < 1 or scores.shape[-1] < 1:
            raise ValueError(f"scores: expected shape (..., K), K >= 1, got {tuple(scores.shape)}")
        self.scores = scores
        super().__init__(scores.shape[:-1], scores.shape[-1:], validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Constraint:
        return Rankings(self.scores.shape[-1])

    @property
    def mode(self) -> Tensor:
        return self.scores.argsort(dim=-1, descending=True, stable=True)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args and not bool(self.support.check(value).all()):
            raise ValueError("value: expected rows of distinct item indices 0..K-1")
        value = value.long()
        shape = torch.broadcast_shapes(value.shape[:-1], self.batch_shape)
        scores = self.scores.expand(*shape, self.scores.shape[-1])
        return -plackett_luce_nll(scores, value.expand(*shape, value.shape[-1]))

    def sample(self, sample_shape: torch.Size | list[int] | tuple[int, ...] = ()) -> Tensor:
        shape = self._extended_shape(torch.Size(sample_shape))
        with torch.no_grad():
            u = torch.rand(shape, dtype=self.scores.dtype, device=self.scores.device)
            tiny = torch.finfo(u.dtype).tiny
            gumbel = -torch.log(-torch.log(u.clamp(min=tiny)))
            return (self.scores.expand(shape) + gumbel).argsort(dim=-1, descending=True)
