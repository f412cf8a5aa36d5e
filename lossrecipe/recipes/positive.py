"""Recipes for positive real outputs ``y > 0`` (waiting times, sizes, amounts): Gamma."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import constraints

from .. import distributions
from ..links import PositiveLink, PositiveLinkName, get_link
from ._numerics import log_gamma
from .base import Parameter, Recipe

__all__ = ["Gamma"]


class Gamma(Recipe):
    """Positive outputs with a predicted shape and rate.

    Distribution
        ``Pr(y | alpha, beta) = beta^alpha y^(alpha - 1) exp[-beta y] / Gamma[alpha]``,
        ``y > 0``; mean ``alpha / beta``, variance ``alpha / beta^2``.
    Parameters and links
        2 outputs: ``raw_concentration`` ``f_1[x, phi]`` -> ``concentration``
        ``alpha = h[f_1]``, then ``raw_rate`` ``f_2`` -> ``rate`` ``beta = h[f_2]``,
        both through the positive link ``h`` named by ``link`` (``"softplus"``,
        ``"exp"`` or ``"square"``).
    NLL
        ``log Gamma[alpha] - alpha log[beta] - (alpha - 1) log[y] + beta y``, with
        ``log beta`` from the link's stable ``log``, and ``log Gamma[alpha]`` finite
        where ``alpha`` underflows (``-log alpha`` there, from the stable ``log``).
        The concentration itself enters too: where it overflows (the ``exp`` link
        beyond the largest float) the NLL is not finite.
    Mode
        ``(alpha - 1) / beta`` when ``alpha >= 1``; ``0`` when ``alpha < 1`` (the
        density then decreases on ``(0, inf)`` and is unbounded at 0).
    Derived in
        chapter 11, eq-11-gamma-nll.
    """

    support = constraints.positive

    def __init__(self, link: PositiveLinkName = "softplus", *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.link = link
        self.positive_link = get_link(link, kind=PositiveLink)
        self.parameters = (
            Parameter("concentration", self.positive_link),
            Parameter("rate", self.positive_link),
        )

    def distribution(self, outputs: Tensor) -> distributions.Gamma:
        """torch's Gamma on ``y > 0``; its ``log_prob`` refuses ``y <= 0`` as ``nll`` does
        when this recipe validates."""
        theta = self.params(outputs)
        dist = distributions.Gamma(theta["concentration"], theta["rate"], validate_args=False)
        return distributions.checking_values(dist, self.validate)

    def nll_terms(self, y: Tensor, *, raw_concentration: Tensor, raw_rate: Tensor) -> Tensor:
        alpha, log_alpha = self.positive_link.value_and_log(raw_concentration)
        beta, log_beta = self.positive_link.value_and_log(raw_rate)
        log_normaliser = log_gamma(alpha, log_alpha) - alpha * log_beta
        return log_normaliser - (alpha - 1.0) * torch.log(y) + beta * y

    def predict(self, outputs: Tensor) -> Tensor:
        theta = self.params(outputs)
        alpha, beta = theta["concentration"], theta["rate"]
        return torch.clamp(alpha - 1.0, min=0.0) / beta
