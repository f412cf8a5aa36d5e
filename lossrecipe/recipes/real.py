"""Recipes for real-valued outputs: Gaussian (fixed or predicted variance), Laplace, Student-t,
Quantile."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .. import distributions
from ..distributions import AsymmetricLaplace, checking_values, pinball
from ..links import Identity, PositiveLink, PositiveLinkName, get_link, log_softplus
from ..validation import check_positive, check_unit_open
from ._numerics import laplace_nll, log_abs, log_gamma_ratio_half, normal_nll
from .base import Parameter, Recipe

__all__ = [
    "Gaussian",
    "HeteroscedasticGaussian",
    "Laplace",
    "Quantile",
    "StudentT",
]

LOG_PI = math.log(math.pi)


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
        scale = torch.full_like(mean, self.sigma)
        return torch.distributions.Normal(mean, scale, validate_args=False)

    def nll_terms(self, y: Tensor, *, mean: Tensor) -> Tensor:
        return normal_nll(y, mean, math.log(self.sigma**2))

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["mean"]


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
        ``sigma^2`` entering only through ``log sigma^2`` from the link's stable ``log``.
    Mode
        ``mu``.
    Derived in
        chapter 05, eq-05-nll.
    """

    def __init__(self, link: PositiveLinkName = "softplus", *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.link = link
        self.variance_link = get_link(link, kind=PositiveLink)
        self.parameters = (
            Parameter("mean", Identity()),
            Parameter("variance", self.variance_link),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        theta = self.params(outputs)
        return torch.distributions.Normal(
            theta["mean"], torch.sqrt(theta["variance"]), validate_args=False
        )

    def nll_terms(self, y: Tensor, *, mean: Tensor, raw_variance: Tensor) -> Tensor:
        return normal_nll(y, mean, self.variance_link.log(raw_variance))

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["mean"]


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
        return torch.distributions.Laplace(theta["location"], theta["scale"], validate_args=False)

    def nll_terms(self, y: Tensor, *, location: Tensor) -> Tensor:
        return laplace_nll(y, location, self.scale)  # |y - mu| / b + log 2b

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["location"]


class Quantile(Recipe):
    """Quantile regression: the pinball loss as the NLL of an asymmetric Laplace distribution.

    Distribution
        ``Pr(y | mu) = q (1 - q) / b * exp[-rho_q[y - mu] / b]``, ``y`` real, with the pinball
        loss ``rho_q[u] = u (q - [u < 0])``; ``0 < q < 1`` and ``b > 0`` are settings.
        ``cdf[mu] = q``: the location is the ``q``-quantile
        (:class:`~lossrecipe.distributions.AsymmetricLaplace`).
    Parameters and links
        1 output: ``location`` ``mu = f[x, phi]`` (identity).  Fixed: ``scale = b``,
        ``quantile = q``.
    NLL
        ``rho_q[y - mu] / b - log[q (1 - q) / b]``: the pinball loss, up to a factor and a
        constant that do not depend on ``mu``; its minimiser over ``mu`` is the
        ``q``-quantile of the targets.
    Mode
        ``mu`` (also the ``q``-quantile).
    Derived in
        chapter 14, eq-14-pinball.
    """

    parameters = (Parameter("location", Identity()),)

    def __init__(self, quantile: float = 0.5, scale: float = 1.0, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.quantile = check_unit_open("quantile", quantile)
        self.scale = check_positive("scale", scale)
        self.fixed = {"scale": self.scale, "quantile": self.quantile}

    def distribution(self, outputs: Tensor) -> AsymmetricLaplace:
        theta = self.params(outputs)
        dist = AsymmetricLaplace(
            theta["location"], theta["scale"], theta["quantile"], validate_args=False
        )
        return checking_values(dist, self.validate)

    def nll_terms(self, y: Tensor, *, location: Tensor) -> Tensor:
        q, b = self.quantile, self.scale
        return pinball(y - location, q) / b - math.log(q * (1 - q) / b)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["location"]


class StudentT(Recipe):
    """Robust regression: a Student-t distribution, with fixed or learned degrees of freedom.

    Distribution
        ``Pr(y | mu, s, nu) = Gamma[(nu + 1)/2] / (Gamma[nu/2] sqrt[nu pi] s)
        * (1 + ((y - mu) / s)^2 / nu)^(-(nu + 1)/2)``, ``y`` real.  Its tails fall
        like ``|y|^(-nu - 1)``: polynomially, so a few outliers cost little.
    Parameters and links
        ``df=nu`` (a positive number, default 4): 2 outputs, ``location``
        ``mu = f_1[x, phi]`` (identity), then ``raw_scale`` ``f_2`` -> ``scale``
        ``s = h[f_2]``; fixed: ``df = nu``.  ``df=None``: 3 outputs, the third
        ``raw_df`` ``f_3`` -> ``df`` ``nu = h[f_3]``, learned.  ``h`` is the positive
        link named by ``link`` (``"softplus"``, ``"exp"`` or ``"square"``).
    NLL
        ``log[s] + log[nu pi] / 2 - log[Gamma[(nu + 1)/2] / Gamma[nu/2]]
        + (nu + 1)/2 log[1 + t^2]``, ``t = |y - mu| / (s sqrt[nu])``.  Computed from
        ``log s``, ``log nu`` and ``log t`` alone (the links' stable logs), with
        ``log[1 + t^2] = softplus[2 log t]``, ``(nu + 1)/2 log[1 + t^2] = exp[log(1 + nu)
        + log softplus[2 log t]] / 2`` and the gamma ratio in a form exact for huge
        ``nu``: finite wherever the density is positive, even where ``s`` or ``nu``
        under- or overflows.
    Mode
        ``mu``, for every ``nu > 0`` (the density falls on both sides of it).
    Derived in
        chapter 11, eq-11-student-nll.
    """

    def __init__(
        self,
        df: float | None = 4.0,
        link: PositiveLinkName = "softplus",
        *,
        validate: bool = True,
    ) -> None:
        super().__init__(validate=validate)
        self.df = None if df is None else check_positive("df", df)
        self.link = link
        self.positive_link = get_link(link, kind=PositiveLink)
        parameters = [Parameter("location", Identity()), Parameter("scale", self.positive_link)]
        if self.df is None:
            parameters.append(Parameter("df", self.positive_link))
        else:
            self.fixed = {"df": self.df}
        self.parameters = tuple(parameters)

    def distribution(self, outputs: Tensor) -> torch.distributions.StudentT:
        theta = self.params(outputs)
        return distributions.StudentT(
            theta["df"], theta["location"], theta["scale"], validate_args=False
        )

    def nll_terms(
        self, y: Tensor, *, location: Tensor, raw_scale: Tensor, raw_df: Tensor | None = None
    ) -> Tensor:
        """``raw_df`` is the third raw block when ``df`` is learned (``df=None``)."""
        if raw_df is None:  # df is a setting: its terms are constants
            assert self.df is not None
            nu = self.df
            # log nu / 2 - log[Gamma[(nu + 1)/2] / Gamma[nu/2]]
            constant = 0.5 * math.log(nu) - math.lgamma(0.5 * (nu + 1.0)) + math.lgamma(0.5 * nu)
            return self._student_nll(y, location, raw_scale, math.log(nu), math.log1p(nu), constant)
        log_df = self.positive_link.log(raw_df)
        log_constant = 0.5 * log_df - log_gamma_ratio_half(log_df - math.log(2.0))
        log1p_df = F.softplus(log_df, threshold=40.0)  # log[1 + nu] from log nu
        return self._student_nll(y, location, raw_scale, log_df, log1p_df, log_constant)

    def _student_nll(
        self,
        y: Tensor,
        location: Tensor,
        raw_scale: Tensor,
        log_df: Tensor | float,
        log1p_df: Tensor | float,
        constant: Tensor | float,
    ) -> Tensor:
        """``log s + log[pi] / 2 + constant + exp[log(1 + nu) + log softplus[2 log t]] / 2``."""
        log_scale = self.positive_link.log(raw_scale)
        log_t = log_abs(y - location) - log_scale - 0.5 * log_df
        tail = 0.5 * torch.exp(log1p_df + log_softplus(2.0 * log_t))
        return log_scale + 0.5 * LOG_PI + constant + tail

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["location"]
