"""The beta-NLL loss of Seitzer et al. (2022) for Gaussian regression.

Minimising the Gaussian negative log-likelihood moves the predicted mean ``mu_i``
with the gradient ``(mu_i - y_i) / sigma_i^2``: an example the model considers
noisy (large ``sigma_i^2``) pulls on the mean only weakly, so the mean can be
left under-fitted exactly where the noise is large.  Seitzer et al. (2022)
weight each example's NLL by its predicted variance raised to a power ``beta``,
held fixed during differentiation (a "stop-gradient"):

    L_beta = sum_i sg[sigma_i^(2 beta)] * (-log Pr(y_i | mu_i, sigma_i^2)),

so the mean's gradient becomes ``(mu_i - y_i) / sigma_i^(2 (1 - beta))``.
``beta = 0`` is the plain NLL; ``beta = 1`` gives the mean the gradient of
least squares, ``mu_i - y_i``, while the variance is still fitted by likelihood.

Reference: M. Seitzer, A. Tavakoli, D. Antic and G. Martius, "On the Pitfalls of
Heteroscedastic Uncertainty Estimation with Probabilistic Neural Networks",
ICLR 2022.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import Tensor

from .recipes import Gaussian, HeteroscedasticGaussian, Recipe
from .recipes.base import reduce_terms
from .validation import Reduction, check_reduction

__all__ = ["beta_nll"]


def _check_beta(beta: object) -> float:
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not 0 <= float(beta) <= 1:
        raise ValueError(f"beta: expected a number in [0, 1], got {beta!r}")
    return float(beta)


def _check_gaussian(recipe: object) -> Gaussian | HeteroscedasticGaussian:
    if not isinstance(recipe, Gaussian | HeteroscedasticGaussian):
        name = type(recipe).__name__ if isinstance(recipe, Recipe) else repr(recipe)
        raise ValueError(
            f"recipe: expected a Gaussian or HeteroscedasticGaussian recipe, got {name}"
        )
    return recipe


def _log_variance(recipe: Gaussian | HeteroscedasticGaussian, outputs: Tensor) -> Tensor:
    """``log sigma_i^2`` for each example, from the link's stable ``log`` (shape ``(N,)``)."""
    if isinstance(recipe, Gaussian):
        return torch.full_like(outputs[:, 0], 2.0 * math.log(recipe.sigma))
    return recipe.variance_link.log(recipe.raw(outputs)["raw_variance"])


def beta_nll(
    recipe: Recipe,
    outputs: Tensor,
    y: Tensor,
    beta: float = 0.5,
    reduction: Reduction = "sum",
) -> Tensor:
    """The beta-NLL loss: each example's Gaussian NLL times its detached ``sigma_i^(2 beta)``.

    ``L_beta = sum_i sg[(sigma_i^2)^beta] * (-log Pr(y_i | mu_i, sigma_i^2))``, where
    ``sg`` stops the gradient (the weight is a constant to the optimiser) and the
    NLL includes its constant ``log(2 pi) / 2``.  ``beta = 0`` gives
    ``recipe.nll(outputs, y, reduction)`` exactly.  The weight is computed as
    ``exp(beta * log sigma_i^2)`` from the link's stable logarithm.

    ``recipe`` must be a :class:`~lossrecipe.Gaussian` (fixed variance: the loss is the
    NLL scaled by the constant ``sigma^(2 beta)``) or a
    :class:`~lossrecipe.HeteroscedasticGaussian`.  ``beta`` is a number in ``[0, 1]``;
    ``reduction`` is ``"sum"`` (the default, as for ``nll``), ``"mean"`` or ``"none"``.
    To train with it, hand it to :func:`~lossrecipe.fit` as the loss, averaged as ``fit``
    averages the NLL::

        lr.fit(net, recipe, x, y, loss=lambda o, t: lr.beta_nll(recipe, o, t, 0.5, "mean"))

    Reference: Seitzer, Tavakoli, Antic and Martius, "On the Pitfalls of
    Heteroscedastic Uncertainty Estimation with Probabilistic Neural Networks",
    ICLR 2022.
    """
    beta = _check_beta(beta)
    gaussian = _check_gaussian(recipe)
    check_reduction(reduction)
    terms = gaussian.nll(outputs, y, reduction="none")
    weight = torch.exp(beta * _log_variance(gaussian, outputs)).detach()
    return reduce_terms(weight * terms, reduction)
