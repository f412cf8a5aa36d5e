"""Recipes: a distribution over the output domain, its links, its loss, its prediction.

The recipe for building a loss function has four steps:

1. choose a distribution ``Pr(y | theta)`` over the domain of the output ``y``;
2. let the network ``f[x, phi]`` predict ``theta``, passing each raw output
   through a link that respects the parameter's constraint;
3. train by minimising the negative log-likelihood
   ``L[phi] = -sum_i log Pr(y_i | theta_i)``, ``theta_i`` computed from ``f[x_i, phi]``;
4. infer by returning the whole distribution, or the ``y`` where it peaks.

A :class:`Recipe` declares step 1 as :meth:`Recipe.distribution`, step 2 as its
tuple of :class:`Parameter` (each with a link and a number of raw columns),
step 3 as :meth:`Recipe.nll` and step 4 as :meth:`Recipe.predict`.  ``nll``
writes the closed form the book derives, in a numerically stable form; the
tests check it against PyTorch's own losses and ``torch.distributions``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import Distribution

from .links import POSITIVE_LINKS, Identity, Link, PositiveLink, Sigmoid, Softmax
from .validation import (
    check_binary_targets,
    check_class_targets,
    check_outputs,
    check_positive,
    check_real_targets,
    check_reduction,
)

__all__ = [
    "Parameter",
    "Recipe",
    "Gaussian",
    "HeteroscedasticGaussian",
    "Bernoulli",
    "Categorical",
]

LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class Parameter:
    """One distribution parameter predicted by the network.

    A scalar parameter (``size=None``) takes one raw output column and has shape
    ``(N,)``; a vector parameter takes ``size`` columns, passed through ``link``
    together, and has shape ``(N, size)``.
    """

    name: str
    link: Link
    size: int | None = None

    @property
    def width(self) -> int:
        """How many raw output columns the parameter consumes."""
        return 1 if self.size is None else self.size


class Recipe(ABC):
    """A loss built from a distribution: declare the parameters, write the NLL and the mode."""

    parameters: tuple[Parameter, ...] = ()

    @property
    def num_outputs(self) -> int:
        """How many raw outputs the network must produce per example."""
        return sum(p.width for p in self.parameters)

    def raw(self, outputs: Tensor) -> dict[str, Tensor]:
        """Split validated ``(N, num_outputs)`` outputs into each parameter's raw columns."""
        outputs = check_outputs(outputs, self.num_outputs)
        columns: dict[str, Tensor] = {}
        start = 0
        for p in self.parameters:
            block = outputs[:, start : start + p.width]
            columns[p.name] = block[:, 0] if p.size is None else block
            start += p.width
        return columns

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        """The distribution's parameters ``theta``: each raw block through its link."""
        raw = self.raw(outputs)
        return {p.name: p.link(raw[p.name]) for p in self.parameters}

    @abstractmethod
    def distribution(self, outputs: Tensor) -> Distribution:
        """The predicted distribution ``Pr(y | theta)``, one per example (batch shape ``(N,)``)."""

    def nll(self, outputs: Tensor, y: Tensor, reduction: str = "sum") -> Tensor:
        """The negative log-likelihood ``-sum_i log Pr(y_i | theta_i)``.

        ``reduction="sum"`` returns the sum over examples, ``"mean"`` the mean and
        ``"none"`` the ``(N,)`` vector of per-example terms.
        """
        check_reduction(reduction)
        raw = self.raw(outputs)
        y = self.check_targets(y, outputs)
        terms = self.nll_terms(raw, y)
        if reduction == "sum":
            return terms.sum()
        if reduction == "mean":
            return terms.mean()
        return terms

    @abstractmethod
    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        """Validate ``y`` against the support and the batch; return it ready for ``nll_terms``."""

    @abstractmethod
    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        """Per-example ``-log Pr(y_i | theta_i)`` from the raw outputs, in a stable form."""

    @abstractmethod
    def predict(self, outputs: Tensor) -> Tensor:
        """The most probable output ``argmax_y Pr(y | theta)`` for each example, shape ``(N,)``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Gaussian(Recipe):
    """Regression with a fixed standard deviation ``sigma``: one output, the mean.

    ``Pr(y | mu) = exp(-(y - mu)^2 / (2 sigma^2)) / sqrt(2 pi sigma^2)`` and
    ``-log Pr(y | mu) = (y - mu)^2 / (2 sigma^2) + log(2 pi sigma^2) / 2``:
    least squares, scaled and shifted by constants that do not depend on ``mu``.
    """

    def __init__(self, sigma: float = 1.0) -> None:
        self.sigma = check_positive("sigma", sigma)
        self.parameters = (Parameter("mean", Identity()),)

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        mean = super().params(outputs)["mean"]
        return {"mean": mean, "variance": torch.full_like(mean, self.sigma**2)}

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        mean = self.params(outputs)["mean"]
        return torch.distributions.Normal(mean, torch.full_like(mean, self.sigma))

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_real_targets(y, outputs)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        variance = self.sigma**2
        return (y - raw["mean"]) ** 2 / (2.0 * variance) + 0.5 * (LOG_2PI + math.log(variance))

    def predict(self, outputs: Tensor) -> Tensor:
        return self.params(outputs)["mean"]

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma!r})"


class HeteroscedasticGaussian(Recipe):
    """Regression whose noise depends on ``x``: two outputs, the mean and the variance.

    ``mu = f_1[x, phi]`` (identity link) and ``sigma^2 = h[f_2[x, phi]]`` for a
    positive link ``h`` (``"softplus"``, ``"square"`` or ``"exp"``), and
    ``-log Pr(y | mu, sigma^2) = (y - mu)^2 / (2 sigma^2) + log(sigma^2) / 2 + log(2 pi) / 2``,
    with ``log sigma^2`` taken from the link's stable ``log``.
    """

    def __init__(self, link: str = "softplus") -> None:
        if link not in POSITIVE_LINKS:
            raise ValueError(f"link: expected one of {sorted(POSITIVE_LINKS)}, got {link!r}")
        self.link_name = link
        self.variance_link: PositiveLink = POSITIVE_LINKS[link]()
        self.parameters = (
            Parameter("mean", Identity()),
            Parameter("variance", self.variance_link),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        theta = self.params(outputs)
        return torch.distributions.Normal(theta["mean"], torch.sqrt(theta["variance"]))

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_real_targets(y, outputs)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        variance = self.variance_link(raw["variance"])
        log_variance = self.variance_link.log(raw["variance"])
        return 0.5 * ((y - raw["mean"]) ** 2 / variance + log_variance + LOG_2PI)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.params(outputs)["mean"]

    def __repr__(self) -> str:
        return f"HeteroscedasticGaussian(link={self.link_name!r})"


class Bernoulli(Recipe):
    """Binary classification: one output, the logit ``z``; ``lambda = sig[z]``.

    ``Pr(y | lambda) = lambda^y (1 - lambda)^(1 - y)`` for ``y`` in ``{0, 1}``, so
    ``-log Pr(y | lambda) = -y log sig[z] - (1 - y) log sig[-z]``, the binary
    cross-entropy, evaluated with log-sigmoid (``1 - sig[z] = sig[-z]``).
    """

    def __init__(self) -> None:
        self.parameters = (Parameter("probability", Sigmoid()),)

    def distribution(self, outputs: Tensor) -> torch.distributions.Bernoulli:
        return torch.distributions.Bernoulli(logits=self.raw(outputs)["probability"])

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_binary_targets(y, outputs)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        z = raw["probability"]
        return -(y * F.logsigmoid(z) + (1.0 - y) * F.logsigmoid(-z))

    def predict(self, outputs: Tensor) -> Tensor:
        z = self.raw(outputs)["probability"]
        return (z > 0).to(z.dtype)


class Categorical(Recipe):
    """Multiclass classification: ``K`` outputs, the logits ``z``; ``lambda = softmax[z]``.

    ``Pr(y = k | lambda) = lambda_k`` and
    ``-log Pr(y | lambda) = -(z_y - log sum_k exp z_k)``, with the log-sum-exp
    computed after subtracting ``max_k z_k`` (``torch.logsumexp``).
    """

    def __init__(self, num_classes: int) -> None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes: expected an integer >= 1, got {num_classes!r}")
        self.num_classes = num_classes
        self.parameters = (Parameter("probabilities", Softmax(), size=num_classes),)

    def distribution(self, outputs: Tensor) -> torch.distributions.Categorical:
        return torch.distributions.Categorical(logits=self.raw(outputs)["probabilities"])

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_class_targets(y, outputs, self.num_classes)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        z = raw["probabilities"]
        z_y = z.gather(1, y.unsqueeze(1)).squeeze(1)
        return torch.logsumexp(z, dim=1) - z_y

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["probabilities"].argmax(dim=1)

    def __repr__(self) -> str:
        return f"Categorical(num_classes={self.num_classes})"
