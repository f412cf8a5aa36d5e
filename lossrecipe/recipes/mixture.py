"""Recipes for multimodal real outputs: a mixture of Gaussians."""

from __future__ import annotations

import torch
from torch import Tensor

from ..links import Identity, PositiveLink, PositiveLinkName, Softmax, get_link
from ..validation import check_positive_integer
from ._numerics import normal_nll
from .base import Parameter, Recipe

__all__ = ["GaussianMixture"]


class GaussianMixture(Recipe):
    """Multimodal regression: a mixture of ``K`` Gaussians.

    Distribution
        ``Pr(y | theta) = sum_k w_k Norm_y[mu_k, sigma_k^2]``, ``y`` real.
    Parameters and links
        ``3K`` outputs: ``K`` ``logits`` ``z`` -> ``weights`` ``w = softmax[z]``; ``K``
        ``means`` ``mu_k`` (identity); ``K`` ``raw_variances`` -> ``variances``
        ``sigma_k^2`` through the positive link named by ``link`` (``"softplus"``,
        ``"square"`` or ``"exp"``).
    NLL
        ``-logsumexp_k [log w_k + log Norm_y[mu_k, sigma_k^2]]``, with
        ``log w_k = z_k - logsumexp_j z_j`` and ``log sigma_k^2`` from the link's stable
        ``log``.  No exponential is taken before the log-sum-exp, so components far
        from ``y`` cannot underflow it, and a component whose variance has underflowed
        adds nothing (and no NaN gradient) unless ``y`` sits on its mean.
    Mode
        No closed form: found numerically from every component mean (:meth:`predict`).
    Derived in
        chapter 10, eq-10-mixture (the mode: eq-10-mode).
    """

    FIXED_POINT_STEPS = 30
    NEWTON_STEPS = 8

    def __init__(
        self,
        num_components: int,
        link: PositiveLinkName = "softplus",
        *,
        validate: bool = True,
    ) -> None:
        super().__init__(validate=validate)
        self.num_components = check_positive_integer("num_components", num_components)
        self.link = link
        self.variance_link = get_link(link, kind=PositiveLink)
        k = self.num_components
        self.parameters = (
            Parameter("weights", Softmax(), size=k, raw="logits"),
            Parameter("means", Identity(), size=k),
            Parameter("variances", self.variance_link, size=k),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.MixtureSameFamily:
        raw = self.raw(outputs)
        scales = torch.sqrt(self.variance_link(raw["raw_variances"]))
        return torch.distributions.MixtureSameFamily(
            torch.distributions.Categorical(logits=raw["logits"], validate_args=False),
            torch.distributions.Normal(raw["means"], scales, validate_args=False),
            validate_args=False,
        )

    def _log_joint(self, y: Tensor, logits: Tensor, means: Tensor, raw_variances: Tensor) -> Tensor:
        """``log w_k + log Norm_y[mu_k, sigma_k^2]`` for each component ``k`` (last dimension).

        ``y`` must broadcast against the ``(..., K)`` raw blocks.
        """
        log_weights = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
        log_variances = self.variance_link.log(raw_variances)
        return log_weights - normal_nll(y, means, log_variances, bounded=True)

    def nll_terms(
        self, y: Tensor, *, logits: Tensor, means: Tensor, raw_variances: Tensor
    ) -> Tensor:
        return -torch.logsumexp(self._log_joint(y.unsqueeze(-1), logits, means, raw_variances), -1)

    def predict(self, outputs: Tensor) -> Tensor:
        """The highest mode of the mixture density, found numerically (no gradient flows).

        There is no closed form: a stationary point solves
        ``sum_k w_k N(y | mu_k, sigma_k^2) (mu_k - y) / sigma_k^2 = 0``, a sum of
        Gaussians times polynomials, which is transcendental in ``y``.  The mode need
        not lie at any component mean (two overlapping components have one mode
        between their means), nor at the mean of the heaviest component (a light,
        narrow component can be the tallest).

        The search starts from every component mean.  ``FIXED_POINT_STEPS`` steps of
        the fixed-point iteration ``y <- sum_k r_k mu_k / sigma_k^2 / sum_k r_k / sigma_k^2``
        (``r_k`` the responsibility of component ``k`` at ``y``; the stationarity
        condition solved for ``y``, i.e. Gaussian mean shift, Carreira-Perpinan 2000)
        climb towards a mode; ``NEWTON_STEPS`` Newton steps on ``log Pr(y)``, each
        kept only where it raises the density, then polish it where the iteration is
        slow (nearly merged components).  Of the ``K`` candidates, the one with the
        largest density wins.  This finds every mode that has a component mean in
        its basin, which is what the tests check against a dense grid; it is not a
        proof that no higher mode exists elsewhere.  Vectorised over examples.
        """
        raw = self.raw(outputs)
        with torch.no_grad():
            # Candidates along the second-to-last dimension, components along the last:
            # (..., K, 1) against (..., 1, K).
            blocks = {name: value.detach().unsqueeze(-2) for name, value in raw.items()}
            means = blocks["means"]
            variances = self.variance_link(blocks["raw_variances"])
            log_variances = self.variance_link.log(blocks["raw_variances"])
            y = means.transpose(-1, -2)
            for _ in range(self.FIXED_POINT_STEPS):
                pull = torch.softmax(self._log_joint(y, **blocks) - log_variances, dim=-1)
                y = (pull * means).sum(dim=-1, keepdim=True)
            log_density = torch.logsumexp(self._log_joint(y, **blocks), dim=-1, keepdim=True)
            for _ in range(self.NEWTON_STEPS):
                responsibility = torch.softmax(self._log_joint(y, **blocks), dim=-1)
                slope_k = (means - y) / variances
                slope = (responsibility * slope_k).sum(dim=-1, keepdim=True)
                curvature = (responsibility * (slope_k**2 - 1.0 / variances)).sum(
                    dim=-1, keepdim=True
                ) - slope**2
                step = torch.where(curvature < 0, -slope / curvature, torch.zeros_like(slope))
                trial = y + step
                trial_log_density = torch.logsumexp(
                    self._log_joint(trial, **blocks), dim=-1, keepdim=True
                )
                better = trial_log_density > log_density
                y = torch.where(better, trial, y)
                log_density = torch.where(better, trial_log_density, log_density)
            best = log_density.argmax(dim=-2, keepdim=True)
            return y.gather(-2, best).squeeze(-1).squeeze(-1)
