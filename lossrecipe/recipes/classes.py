"""Recipes for class labels: Bernoulli (two classes) and Categorical (``K`` classes)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import constraints

from ..links import Sigmoid, Softmax
from ..validation import check_positive_integer
from ._numerics import flipped_softplus
from .base import Parameter, Recipe

__all__ = ["Bernoulli", "Categorical"]


class Bernoulli(Recipe):
    """Binary classification.

    Distribution
        ``Pr(y | lambda) = lambda^y (1 - lambda)^(1 - y)``, ``y`` in ``{0, 1}``.
    Parameters and links
        1 output: ``logit`` ``z = f[x, phi]`` -> ``probability`` ``lambda = sig[z]``.
    NLL
        ``-y log sig[z] - (1 - y) log sig[-z]``, the binary cross-entropy.  Only one
        term is non-zero, so it equals ``-log sig[s z] = log[1 + exp[-s z]]`` with the
        sign ``s = 2y - 1``: one softplus of ``(1 - 2y) z``, exact at any logit.
    Mode
        ``1`` where ``z > 0``, else ``0``.
    Derived in
        chapter 06, eq-06-bernoulli.
    """

    parameters = (Parameter("probability", Sigmoid(), raw="logit"),)
    support = constraints.boolean

    def distribution(self, outputs: Tensor) -> torch.distributions.Bernoulli:
        return torch.distributions.Bernoulli(logits=self.raw(outputs)["logit"])

    def nll_terms(self, y: Tensor, *, logit: Tensor) -> Tensor:
        return flipped_softplus(logit, y)  # softplus[(1 - 2y) z]

    def predict(self, outputs: Tensor) -> Tensor:
        z = self.raw(outputs)["logit"]
        return (z > 0).to(z.dtype)


class Categorical(Recipe):
    """Multiclass classification over ``K`` classes.

    Distribution
        ``Pr(y = k | lambda) = lambda_k``, ``y`` in ``{0, ..., K - 1}``.
    Parameters and links
        ``K`` outputs: ``logits`` ``z = f[x, phi]`` -> ``probabilities``
        ``lambda = softmax[z]``.
    NLL
        ``-(z_y - log sum_k exp z_k)``, the log-sum-exp computed after subtracting
        ``max_k z_k`` (``torch.logsumexp``).
    Mode
        ``argmax_k z_k``.
    Derived in
        chapter 07, thm-07-log-softmax.
    """

    def __init__(self, num_classes: int, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.num_classes = check_positive_integer("num_classes", num_classes)
        self.parameters = (Parameter("probabilities", Softmax(), size=num_classes, raw="logits"),)
        self.support = constraints.integer_interval(0, num_classes - 1)

    def distribution(self, outputs: Tensor) -> torch.distributions.Categorical:
        return torch.distributions.Categorical(logits=self.raw(outputs)["logits"])

    def nll_terms(self, y: Tensor, *, logits: Tensor) -> Tensor:
        z_y = logits.gather(1, y.unsqueeze(1)).squeeze(1)
        return torch.logsumexp(logits, dim=1) - z_y

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["logits"].argmax(dim=1)

    def _settings(self) -> list[str]:
        return [f"num_classes={self.num_classes}"]
