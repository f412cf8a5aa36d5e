"""Recipes for proportions, outputs in the open interval ``0 < y < 1``: Beta."""

from __future__ import annotations

import torch
from torch import Tensor

from .. import distributions
from ..links import PositiveLink, PositiveLinkName, get_link
from ..validation import open_unit_interval
from ._numerics import log_gamma
from .base import Parameter, Recipe

__all__ = ["Beta"]


class Beta(Recipe):
    """Proportions with two predicted concentrations.

    Distribution
        ``Pr(y | alpha, beta) = y^(alpha - 1) (1 - y)^(beta - 1) / B[alpha, beta]``,
        ``0 < y < 1``, ``B[alpha, beta] = Gamma[alpha] Gamma[beta] / Gamma[alpha + beta]``;
        mean ``alpha / (alpha + beta)``.
    Parameters and links
        2 outputs: ``raw_concentration1`` ``f_1[x, phi]`` -> ``concentration1``
        ``alpha = h[f_1]``, then ``raw_concentration0`` ``f_2`` -> ``concentration0``
        ``beta = h[f_2]``, both through the positive link ``h`` named by ``link``
        (``"softplus"``, ``"exp"`` or ``"square"``).
    NLL
        ``log Gamma[alpha] + log Gamma[beta] - log Gamma[alpha + beta]
        - (alpha - 1) log[y] - (beta - 1) log[1 - y]``, with ``log[1 - y]`` as
        ``log1p[-y]``, and each ``log Gamma`` finite where its argument underflows
        (``-log alpha`` there, from the link's stable ``log``;
        ``log[alpha + beta] = logaddexp[log alpha, log beta]``).  The concentrations
        themselves enter too: where one overflows (the ``exp`` link beyond the largest
        float) the NLL is not finite.
    Mode
        ``(alpha - 1) / (alpha + beta - 2)`` when ``alpha > 1`` and ``beta > 1``.
        Otherwise the log-density's slope ``(alpha - 1) / y - (beta - 1) / (1 - y)``
        keeps one sign on (0, 1) unless both are ``< 1`` or both ``= 1``: the edge
        ``0`` when ``alpha <= 1 <= beta`` and ``alpha < beta`` (the density falls),
        the edge ``1`` when ``beta <= 1 <= alpha`` and ``beta < alpha`` (it rises).
        When both are ``< 1`` the density is U-shaped, infinite at both ends, with no
        single peak; when both are ``= 1`` it is flat and every point is a mode.  In
        those two cases ``predict`` returns the mean ``alpha / (alpha + beta)``.
    Derived in
        chapter 11, eq-11-beta-mode.
    """

    support = open_unit_interval

    def __init__(self, link: PositiveLinkName = "softplus", *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.link = link
        self.positive_link = get_link(link, kind=PositiveLink)
        self.parameters = (
            Parameter("concentration1", self.positive_link),
            Parameter("concentration0", self.positive_link),
        )

    def distribution(self, outputs: Tensor) -> distributions.Beta:
        """torch's Beta on the open ``(0, 1)``; its ``log_prob`` refuses 0 and 1 as ``nll``
        does when this recipe validates."""
        theta = self.params(outputs)
        alpha, beta = theta["concentration1"], theta["concentration0"]
        dist = distributions.Beta(alpha, beta, validate_args=False)
        return distributions.checking_values(dist, self.validate)

    def nll_terms(
        self, y: Tensor, *, raw_concentration1: Tensor, raw_concentration0: Tensor
    ) -> Tensor:
        alpha, log_alpha = self.positive_link.value_and_log(raw_concentration1)
        beta, log_beta = self.positive_link.value_and_log(raw_concentration0)
        log_sum = torch.logaddexp(log_alpha, log_beta)  # log[alpha + beta]
        log_normaliser = log_gamma(alpha, log_alpha) + log_gamma(beta, log_beta)
        log_normaliser = log_normaliser - log_gamma(alpha + beta, log_sum)
        return log_normaliser - (alpha - 1.0) * torch.log(y) - (beta - 1.0) * torch.log1p(-y)

    def predict(self, outputs: Tensor) -> Tensor:
        theta = self.params(outputs)
        alpha, beta = theta["concentration1"], theta["concentration0"]
        interior = (alpha - 1.0) / torch.clamp(
            alpha + beta - 2.0, min=torch.finfo(alpha.dtype).tiny
        )
        edge = (alpha > beta).to(alpha.dtype)  # a monotone density peaks at its higher end
        mode = torch.where((alpha > 1.0) & (beta > 1.0), interior, edge)
        no_single_peak = ((alpha < 1.0) & (beta < 1.0)) | ((alpha == 1.0) & (beta == 1.0))
        return torch.where(no_single_peak, alpha / (alpha + beta), mode)
