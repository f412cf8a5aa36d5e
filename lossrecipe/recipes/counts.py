"""Recipes for counts ``y = 0, 1, 2, ...``: Poisson, negative binomial (NB2) and
zero-inflated Poisson."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import Distribution, constraints
from torch.distributions.utils import broadcast_all

from ..links import Exp, PositiveLink, PositiveLinkName, Sigmoid, get_link
from ._negative_binomial import negative_binomial_nll
from .base import Parameter, Recipe

__all__ = [
    "NegativeBinomial",
    "Poisson",
    "ZeroInflatedPoisson",
    "ZeroInflatedPoissonDistribution",
]


class Poisson(Recipe):
    """Counts with a predicted rate.

    Distribution
        ``Pr(y | lambda) = lambda^y exp[-lambda] / y!``, ``y`` in ``{0, 1, 2, ...}``
        (integers, or whole floating-point numbers).
    Parameters and links
        1 output: ``log_rate`` ``z = f[x, phi]`` -> ``rate`` ``lambda = exp[z]``.
    NLL
        ``lambda - y z + log y!``, with ``log lambda = z`` taken from the raw output
        itself (never ``log[exp[z]]``) and ``log y! = lgamma[y + 1]``.
    Mode
        ``floor[lambda]`` (see :meth:`predict` for whole-number rates).
    Derived in
        chapter 10, eq-10-poisson.
    """

    parameters = (Parameter("rate", Exp(), raw="log_rate"),)
    support = constraints.nonnegative_integer

    def distribution(self, outputs: Tensor) -> torch.distributions.Poisson:
        return torch.distributions.Poisson(self.params(outputs)["rate"], validate_args=False)

    def nll_terms(self, y: Tensor, *, log_rate: Tensor) -> Tensor:
        # The last term is added in place: the same values, one allocation fewer.
        return (torch.exp(log_rate) - y * log_rate).add_(torch.lgamma(y + 1.0))

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode ``floor(lambda)``, as a float count.

        When ``lambda`` is a whole number both ``lambda - 1`` and ``lambda`` are
        modes (``Pr(lambda) / Pr(lambda - 1) = lambda / lambda = 1``); this returns
        the larger, ``lambda``.
        """
        return torch.floor(self.params(outputs)["rate"])


class NegativeBinomial(Recipe):
    """Over-dispersed counts: the negative binomial in its mean-dispersion (NB2) form.

    Distribution
        ``Pr(y | mu, alpha) = Gamma[y + r] / (Gamma[r] y!) * (r / (r + mu))^r
        * (mu / (r + mu))^y`` with ``r = 1 / alpha``, ``y`` in ``{0, 1, 2, ...}``.  Mean
        ``mu``, variance ``mu + alpha mu^2``: above the Poisson's ``mu`` by ``alpha mu^2``,
        and the Poisson again as ``alpha -> 0``.  It is a Poisson whose rate is drawn from
        a Gamma of mean ``mu`` and shape ``r`` (chapter 17).
    Parameters and links
        2 outputs: ``log_mean`` ``z = f_1[x, phi]`` -> ``mean`` ``mu = exp[z]`` (as the
        Poisson's ``log_rate``), then ``raw_dispersion`` ``f_2`` -> ``dispersion``
        ``alpha = h[f_2]`` through the positive link ``h`` named by ``link``
        (``"softplus"``, ``"exp"`` or ``"square"``).  The distribution is torch's
        ``NegativeBinomial(total_count=1/alpha, logits=log[alpha mu])``.
    NLL
        With ``s = log[alpha mu] = log[alpha] + z`` and ``r = 1 / alpha``::

            log y! - y z + y softplus[s] + r softplus[s] - (lgamma[y + r] - lgamma[r] - y log r)

        since ``log[r / (r + mu)] = -softplus[s]`` and ``log[mu / (r + mu)] = z + log alpha
        - softplus[s]``: no log of a difference, and ``y log alpha`` and ``y log r`` cancel
        exactly, so neither appears.  The last two terms are written so that neither value
        nor gradient cancels as ``alpha -> 0`` (near the Poisson, where they tend to ``mu``
        and 0): ``r softplus[s] = mu log1p[alpha mu] / (alpha mu)`` and the lgamma
        difference by Stirling's series once ``r >= 10``; ``y (softplus[s] - z)`` is
        ``y (log alpha + softplus[-s])`` where ``s > 0``, so a large ``z`` cancels nothing.
        Finite and exact where ``alpha`` underflows to 0 or overflows (raw outputs of 1e4).
    Mode
        ``floor[mu (1 - alpha)]`` when ``alpha < 1``, else ``0`` (see :meth:`predict`).
    Derived in
        chapter 17, eq-17-nb2.
    """

    support = constraints.nonnegative_integer

    def __init__(self, link: PositiveLinkName = "softplus", *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.positive_link = get_link(link, kind=PositiveLink)
        self.link_name = link
        self.parameters = (
            Parameter("mean", Exp(), raw="log_mean"),
            Parameter("dispersion", self.positive_link),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.NegativeBinomial:
        raw = self.raw(outputs)
        alpha, log_alpha = self.positive_link.value_and_log(raw["raw_dispersion"])
        return torch.distributions.NegativeBinomial(
            total_count=1.0 / alpha, logits=log_alpha + raw["log_mean"], validate_args=False
        )

    def nll_terms(self, y: Tensor, *, log_mean: Tensor, raw_dispersion: Tensor) -> Tensor:
        alpha, log_alpha = self.positive_link.value_and_log(raw_dispersion)
        return negative_binomial_nll(log_mean, alpha, log_alpha, y)

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode ``floor[mu (1 - alpha)]`` (``0`` when ``alpha >= 1``), as a float count.

        ``Pr(k) / Pr(k - 1) = (k - 1 + r) / k * alpha mu / (1 + alpha mu)`` is at least 1
        exactly when ``k <= (r - 1) alpha mu = mu (1 - alpha)``, so the probabilities rise
        up to ``floor[mu (1 - alpha)]`` and fall after it.  When ``mu (1 - alpha)`` is a
        whole number it and the count below are both modes; this returns the larger.
        """
        theta = self.params(outputs)
        mu, alpha = theta["mean"], theta["dispersion"]
        return torch.floor(torch.clamp(mu * (1.0 - alpha), min=0.0))

    def _settings(self) -> list[str]:
        return [f"link={self.link_name!r}"]


def _zip_log_prob(y: Tensor, logit: Tensor, log_rate: Tensor) -> Tensor:
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


def _zip_mode(logit: Tensor, log_rate: Tensor) -> Tensor:
    """The mode of the zero-inflated Poisson: ``0`` or the Poisson's mode ``floor[lambda]``,
    whichever is more probable (the larger on a tie)."""
    peak = torch.floor(torch.exp(log_rate))
    at_peak = _zip_log_prob(peak, logit, log_rate)
    at_zero = _zip_log_prob(torch.zeros_like(peak), logit, log_rate)
    return torch.where(at_peak >= at_zero, peak, torch.zeros_like(peak))


class ZeroInflatedPoissonDistribution(Distribution):
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
        _instance: ZeroInflatedPoissonDistribution | None = None,
    ) -> ZeroInflatedPoissonDistribution:
        new = self._get_checked_instance(ZeroInflatedPoissonDistribution, _instance)
        batch_shape = torch.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        new.logits = self.logits.expand(batch_shape)
        super(ZeroInflatedPoissonDistribution, new).__init__(batch_shape, validate_args=False)
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
        return _zip_mode(self.logits, torch.log(self.rate))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = torch.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        return _zip_log_prob(value, self.logits, torch.log(self.rate))

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


class ZeroInflatedPoisson(Recipe):
    """Counts with more zeros than a Poisson allows: a point mass at 0 mixed with a Poisson.

    Distribution
        With probability ``pi`` an extra zero, otherwise a Poisson draw of rate ``lambda``:
        ``Pr(0) = pi + (1 - pi) exp[-lambda]``, ``Pr(k) = (1 - pi) lambda^k exp[-lambda] / k!``
        for ``k >= 1`` (:class:`ZeroInflatedPoissonDistribution`).  Mean ``(1 - pi) lambda``,
        variance ``(1 - pi) lambda (1 + pi lambda)``.
    Parameters and links
        2 outputs: ``logit`` ``w = f_1[x, phi]`` -> ``zero_inflation`` ``pi = sig[w]``, then
        ``log_rate`` ``z = f_2`` -> ``rate`` ``lambda = exp[z]``.
    NLL
        For ``y = 0``: ``-logaddexp[logsig[w], logsig[-w] - lambda]``, the log-sum-exp of
        the two routes to a zero.  For ``y >= 1``: ``-logsig[-w] + lambda - y z + log y!``.
        Log-sigmoids only, no ``log[1 - pi]``.
    Mode
        ``0`` or ``floor[lambda]``, whichever is more probable (the larger on a tie).
    Derived in
        chapter 17, eq-17-zip-zero.
    """

    parameters = (
        Parameter("zero_inflation", Sigmoid(), raw="logit"),
        Parameter("rate", Exp(), raw="log_rate"),
    )
    support = constraints.nonnegative_integer

    def distribution(self, outputs: Tensor) -> ZeroInflatedPoissonDistribution:
        raw = self.raw(outputs)
        return ZeroInflatedPoissonDistribution(
            torch.exp(raw["log_rate"]), logits=raw["logit"], validate_args=False
        )

    def nll_terms(self, y: Tensor, *, logit: Tensor, log_rate: Tensor) -> Tensor:
        return -_zip_log_prob(y, logit, log_rate)

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode: ``floor[lambda]`` where it is more probable than 0 (or as probable),
        else ``0``; a float count."""
        raw = self.raw(outputs)
        return _zip_mode(raw["logit"], raw["log_rate"])
