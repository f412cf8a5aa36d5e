"""Recipes for real-valued outputs: Gaussian (fixed or predicted variance) and Laplace."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..links import Identity, PositiveLink, PositiveLinkName, get_link
from ..validation import check_positive
from ._numerics import normal_nll
from .base import Parameter, Recipe

__all__ = ["Gaussian", "HeteroscedasticGaussian", "Laplace"]


class Gaussian(Recipe):
    """Regression with a fixed standard deviation ``sigma``.

    Distribution
        ``Pr(y | mu) = Norm_y[mu, sigma^2] = exp[-(y - mu)^2 / (2 sigma^2)] / sqrt[2 pi sigma^2]``,
        ``y`` real; ``sigma > 0`` is a setting.
    Parameters and links
        1 output: ``mean`` ``mu = f[x, phi]`` (identity).  Fixed: ``variance = sigma^2``.
    NLL
        ``(y - mu)^2 / (2 sigma^2) + log[2 pi sigma^2] / 2``: least squares, scaled and
        shifted by constants that do not depend on ``mu``.
    Mode
        ``mu``.
    Derived in
        chapter 04, eq-04-nll.
    """

    parameters = (Parameter("mean", Identity()),)

    def __init__(self, sigma: float = 1.0, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.sigma = check_positive("sigma", sigma)
        self.fixed = {"variance": self.sigma**2}

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        mean = self.raw(outputs)["mean"]
        return torch.distributions.Normal(mean, torch.full_like(mean, self.sigma))

    def nll_terms(self, y: Tensor, *, mean: Tensor) -> Tensor:
        variance = self.sigma**2
        return normal_nll(y, mean, variance, math.log(variance))

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["mean"]

    def _settings(self) -> list[str]:
        return [f"sigma={self.sigma!r}"]


class HeteroscedasticGaussian(Recipe):
    """Regression whose noise depends on ``x``: the mean and the variance are both predicted.

    Distribution
        ``Pr(y | mu, sigma^2) = Norm_y[mu, sigma^2]``, ``y`` real.
    Parameters and links
        2 outputs: ``mean`` ``mu = f_1[x, phi]`` (identity), then ``raw_variance``
        ``f_2[x, phi]`` -> ``variance`` ``sigma^2 = h[f_2]`` through the positive link
        ``h`` named by ``link`` (``"softplus"``, ``"square"`` or ``"exp"``).
    NLL
        ``(y - mu)^2 / (2 sigma^2) + log[sigma^2] / 2 + log[2 pi] / 2``, with
        ``log sigma^2`` from the link's stable ``log``.
    Mode
        ``mu``.
    Derived in
        chapter 05, eq-05-nll.
    """

    def __init__(self, link: PositiveLinkName = "softplus", *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.variance_link = get_link(link, kind=PositiveLink)
        self.link_name = link
        self.parameters = (
            Parameter("mean", Identity()),
            Parameter("variance", self.variance_link),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        theta = self.params(outputs)
        return torch.distributions.Normal(theta["mean"], torch.sqrt(theta["variance"]))

    def nll_terms(self, y: Tensor, *, mean: Tensor, raw_variance: Tensor) -> Tensor:
        variance, log_variance = self.variance_link.value_and_log(raw_variance)
        return normal_nll(y, mean, variance, log_variance)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["mean"]

    def _settings(self) -> list[str]:
        return [f"link={self.link_name!r}"]


class Laplace(Recipe):
    """Regression with the L1 loss: a Laplace distribution with a fixed scale ``b``.

    Distribution
        ``Pr(y | mu) = exp[-|y - mu| / b] / (2b)``, ``y`` real; ``b > 0`` is a setting.
    Parameters and links
        1 output: ``location`` ``mu = f[x, phi]`` (identity).  Fixed: ``scale = b``.
    NLL
        ``|y - mu| / b + log[2b]``: the absolute error, up to constants that do not
        depend on ``mu``.
    Mode
        ``mu`` (also the median).
    Derived in
        chapter 10, eq-10-laplace.
    """

    parameters = (Parameter("location", Identity()),)

    def __init__(self, scale: float = 1.0, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.scale = check_positive("scale", scale)
        self.fixed = {"scale": self.scale}

    def distribution(self, outputs: Tensor) -> torch.distributions.Laplace:
        theta = self.params(outputs)
        return torch.distributions.Laplace(theta["location"], theta["scale"])

    def nll_terms(self, y: Tensor, *, location: Tensor) -> Tensor:
        return torch.abs(y - location) / self.scale + math.log(2.0 * self.scale)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["location"]

    def _settings(self) -> list[str]:
        return [f"scale={self.scale!r}"]
