"""The distributions the recipes return where ``torch.distributions`` has none that fits.

- :class:`AsymmetricLaplace` (the quantile recipe's distribution),
  :class:`PlackettLuceDistribution` (rankings) and :class:`ZeroInflatedPoisson` (counts
  with extra zeros): three distributions of our own;
- :class:`Bernoulli`, :class:`Poisson`, :class:`NegativeBinomial`, :class:`Beta` and
  :class:`Gamma`:
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
from collections.abc import Sequence
from typing import TypeVar

import torch
import torch.nn.functional as F
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
    "NegativeBinomial",
    "PlackettLuceDistribution",
    "Poisson",
    "StudentT",
    "ZeroInflatedPoisson",
    "checking_values",
    "pinball",
    "plackett_luce_nll",
    "zero_inflated_poisson_log_prob",
    "zero_inflated_poisson_mode",
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


class NegativeBinomial(torch.distributions.NegativeBinomial):
    """``torch.distributions.NegativeBinomial`` whose ``log_prob`` computes in the
    parameters' dtype (as ``nll`` does), whatever the dtype of the counts."""

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(value.to(self.logits.dtype))


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


class StudentT(torch.distributions.StudentT):
    """``torch.distributions.StudentT`` made without making the host wait for the device.

    Torch's builds, for sampling, a ``Chi2(df)``: a ``Gamma(df / 2, 1/2)`` whose rate
    ``1/2`` is copied from the host to ``df``'s device (on a GPU, a copy that waits for
    every queued kernel), and which checks ``df`` with the default ``validate_args``
    (reading it back).  Here the rate is made on the device (``full_like``) and the
    ``Chi2`` is not validated; everything else is torch's.
    """

    def __init__(
        self, df: Tensor, loc: Tensor, scale: Tensor, validate_args: bool | None = None
    ) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        chi2 = torch.distributions.Chi2.__new__(torch.distributions.Chi2)
        torch.distributions.Gamma.__init__(
            chi2, 0.5 * self.df, torch.full_like(self.df, 0.5), validate_args=False
        )
        self._chi2 = chi2
        Distribution.__init__(self, self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: StudentT | None = None) -> StudentT:
        new = self._get_checked_instance(StudentT, _instance)
        return super().expand(torch.Size(batch_shape), _instance=new)


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


def zero_inflated_poisson_log_prob(y: Tensor, logit: Tensor, log_rate: Tensor) -> Tensor:
    """``log Pr(y)`` of the zero-inflated Poisson, from the logit of ``pi`` and ``log lambda``.

    ``log Pr(0) = logaddexp[logsig[w], logsig[-w] - lambda]`` (log-sum-exp of the two ways
    to get a zero); ``log Pr(k) = logsig[-w] + k log lambda - lambda - log k!`` for ``k >= 1``.
    Each branch sees only the rates it can use: the zero's ``lambda`` stops at the largest
    float (``e^{-lambda}`` is 0 either way), and a zero's row gives the other branch
    ``lambda = 1``, so no gradient meets ``0 * inf`` where ``lambda`` overflows.
    """
    log_extra, log_poisson = F.logsigmoid(logit), F.logsigmoid(-logit)
    cap = math.log(torch.finfo(log_rate.dtype).max)
    zero = torch.logaddexp(log_extra, log_poisson - torch.exp(torch.clamp(log_rate, max=cap)))
    counted = torch.where(y > 0, log_rate, torch.zeros_like(log_rate))
    positive = log_poisson + y * counted - torch.exp(counted) - torch.lgamma(y + 1.0)
    return torch.where(y == 0, zero, positive)


def zero_inflated_poisson_mode(logit: Tensor, log_rate: Tensor) -> Tensor:
    """The mode of the zero-inflated Poisson: ``0`` or the Poisson's mode ``floor[lambda]``,
    whichever is more probable (the larger on a tie)."""
    peak = torch.floor(torch.exp(log_rate))
    at_peak = zero_inflated_poisson_log_prob(peak, logit, log_rate)
    at_zero = zero_inflated_poisson_log_prob(torch.zeros_like(peak), logit, log_rate)
    return torch.where(at_peak >= at_zero, peak, torch.zeros_like(peak))


class ZeroInflatedPoisson(Distribution):
    """A point mass at 0 mixed with a Poisson: ``Pr(0) = pi + (1 - pi) exp[-lambda]``,
    ``Pr(k) = (1 - pi) lambda^k exp[-lambda] / k!`` for ``k >= 1``.

    Built from ``rate`` ``lambda > 0`` and either ``zero_inflation`` ``pi`` in ``[0, 1]``
    or its ``logits`` ``w`` (``pi = sig[w]``).  ``log_prob`` works from ``w`` and
    ``log lambda`` with log-sigmoids and a log-sum-exp for the zero.

    - ``mean = (1 - pi) lambda``; ``variance = (1 - pi) lambda (1 + pi lambda)``;
    - ``cdf[y] = pi + (1 - pi) Q[floor[y] + 1, lambda]`` for ``y >= 0`` (``Q`` the
      regularised upper incomplete gamma function, the Poisson's distribution function;
      ``torch.special.gammaincc``, good to about 1e-9 for counts in the tens), 0 below;
    - ``mode``: 0 or ``floor[lambda]``, whichever is more probable;
    - ``sample``: a Bernoulli draw decides the extra zero, else a Poisson draw.
    """

    arg_constraints = {"rate": constraints.positive, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(
        self,
        rate: Tensor | float,
        zero_inflation: Tensor | float | None = None,
        logits: Tensor | float | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (zero_inflation is None) == (logits is None):
            raise ValueError(
                "zero_inflation, logits: expected exactly one of them, got "
                f"{'both' if logits is not None else 'neither'}"
            )
        if logits is None:
            assert zero_inflation is not None
            self.rate, probs = broadcast_all(rate, zero_inflation)
            validate = Distribution._validate_args if validate_args is None else validate_args
            if validate and not bool(((probs >= 0) & (probs <= 1)).all()):
                raise ValueError(
                    "zero_inflation: expected probabilities in [0, 1], got values from "
                    f"{float(probs.min()):.4g} to {float(probs.max()):.4g}"
                )
            self.logits = torch.logit(probs)
        else:
            self.rate, self.logits = broadcast_all(rate, logits)
        super().__init__(self.rate.shape, validate_args=validate_args)

    def expand(
        self,
        batch_shape: torch.Size | list[int] | tuple[int, ...],
        _instance: ZeroInflatedPoisson | None = None,
    ) -> ZeroInflatedPoisson:
        new = self._get_checked_instance(ZeroInflatedPoisson, _instance)
        batch_shape = torch.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        new.logits = self.logits.expand(batch_shape)
        super(ZeroInflatedPoisson, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def zero_inflation(self) -> Tensor:
        """``pi = sig[w]``, the probability of an extra zero."""
        return torch.sigmoid(self.logits)

    @property
    def mean(self) -> Tensor:
        return torch.sigmoid(-self.logits) * self.rate

    @property
    def variance(self) -> Tensor:
        return torch.sigmoid(-self.logits) * self.rate * (1.0 + self.zero_inflation * self.rate)

    @property
    def mode(self) -> Tensor:
        return zero_inflated_poisson_mode(self.logits, torch.log(self.rate))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = torch.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        return zero_inflated_poisson_log_prob(value, self.logits, torch.log(self.rate))

    def cdf(self, value: Tensor) -> Tensor:
        value = torch.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        k = torch.floor(torch.clamp(value, min=0.0))
        poisson = torch.special.gammaincc(k + 1.0, self.rate)
        inside = self.zero_inflation + torch.sigmoid(-self.logits) * poisson
        return torch.where(value < 0, torch.zeros_like(inside), inside)

    def sample(self, sample_shape: torch.Size | list[int] | tuple[int, ...] = ()) -> Tensor:
        shape = self._extended_shape(torch.Size(sample_shape))
        with torch.no_grad():
            extra = torch.bernoulli(self.zero_inflation.expand(shape))
            counts = torch.poisson(self.rate.expand(shape))
            return torch.where(extra > 0, torch.zeros_like(counts), counts)
