"""Recipes for counts ``y = 0, 1, 2, ...``: Poisson, negative binomial (NB2) and
zero-inflated Poisson."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import constraints

from .. import distributions
from ..links import Exp, PositiveLink, PositiveLinkName, Sigmoid, get_link
from ._negative_binomial import negative_binomial_nll
from ._numerics import poisson_nll
from .base import Parameter, Recipe

__all__ = ["NegativeBinomial", "Poisson", "ZeroInflatedPoisson"]


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

    def distribution(self, outputs: Tensor) -> distributions.Poisson:
        """torch's Poisson, whose ``log_prob`` computes in the outputs' dtype as ``nll`` does."""
        return distributions.Poisson(self.params(outputs)["rate"], validate_args=False)

    def nll_terms(self, y: Tensor, *, log_rate: Tensor) -> Tensor:
        return poisson_nll(log_rate, y)  # lambda - y log lambda + log y!

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
        self.link = link
        self.positive_link = get_link(link, kind=PositiveLink)
        self.parameters = (
            Parameter("mean", Exp(), raw="log_mean"),
            Parameter("dispersion", self.positive_link),
        )

    def distribution(self, outputs: Tensor) -> distributions.NegativeBinomial:
        """torch's NB2 (``total_count = 1 / alpha``, ``logits = log[alpha mu]``), whose
        ``log_prob`` computes in the parameters' dtype as ``nll`` does."""
        raw = self.raw(outputs)
        alpha, log_alpha = self.positive_link.value_and_log(raw["raw_dispersion"])
        return distributions.NegativeBinomial(
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


class ZeroInflatedPoisson(Recipe):
    """Counts with more zeros than a Poisson allows: a point mass at 0 mixed with a Poisson.

    Distribution
        With probability ``pi`` an extra zero, otherwise a Poisson draw of rate ``lambda``:
        ``Pr(0) = pi + (1 - pi) exp[-lambda]``, ``Pr(k) = (1 - pi) lambda^k exp[-lambda] / k!``
        for ``k >= 1`` (:class:`~lossrecipe.distributions.ZeroInflatedPoisson`).  Mean
        ``(1 - pi) lambda``, variance ``(1 - pi) lambda (1 + pi lambda)``.
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

    def distribution(self, outputs: Tensor) -> distributions.ZeroInflatedPoisson:
        raw = self.raw(outputs)
        return distributions.ZeroInflatedPoisson(
            torch.exp(raw["log_rate"]), logits=raw["logit"], validate_args=False
        )

    def nll_terms(self, y: Tensor, *, logit: Tensor, log_rate: Tensor) -> Tensor:
        return -distributions.zero_inflated_poisson_log_prob(y, logit, log_rate)

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode: ``floor[lambda]`` where it is more probable than 0 (or as probable),
        else ``0``; a float count."""
        raw = self.raw(outputs)
        return distributions.zero_inflated_poisson_mode(raw["logit"], raw["log_rate"])
