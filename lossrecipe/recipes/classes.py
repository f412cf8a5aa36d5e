"""Recipes for class labels: Bernoulli (two classes), Categorical (``K`` classes) and
Ordinal (``K`` ordered classes)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import constraints
from torch.distributions.constraints import Constraint

from .. import distributions
from ..links import Identity, Link, Sigmoid, Softmax
from ..validation import check_positive_integer
from ._numerics import flipped_softplus
from .base import Parameter, Recipe

__all__ = ["Bernoulli", "Categorical", "Ordinal", "OrderedCutpoints"]


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

    def distribution(self, outputs: Tensor) -> distributions.Bernoulli:
        """torch's Bernoulli, whose ``log_prob`` also takes integer labels, as ``nll`` does."""
        logit = self.raw(outputs)["logit"]
        return distributions.Bernoulli(logits=logit, validate_args=False)

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
        self.parameters = (
            Parameter("probabilities", Softmax(), size=self.num_classes, raw="logits"),
        )
        self.support = constraints.integer_interval(0, self.num_classes - 1)

    def distribution(self, outputs: Tensor) -> torch.distributions.Categorical:
        logits = self.raw(outputs)["logits"]
        return torch.distributions.Categorical(logits=logits, validate_args=False)

    def nll_terms(self, y: Tensor, *, logits: Tensor) -> Tensor:
        z_y = logits.gather(-1, y.unsqueeze(-1)).squeeze(-1)
        return torch.logsumexp(logits, dim=-1) - z_y

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["logits"].argmax(dim=-1)


class _Increasing(Constraint):
    """Vectors whose entries increase strictly along the last dimension."""

    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return (value[..., 1:] > value[..., :-1]).all(dim=-1) & torch.isfinite(value).all(dim=-1)

    def __repr__(self) -> str:
        return "Increasing()"


class OrderedCutpoints(Link):
    """``K - 1`` raw outputs -> increasing cutpoints ``c_1 < ... < c_{K-1}``.

    ``c_1 = r_1`` and ``c_k = c_{k-1} + softplus[r_k]``: the first cutpoint is free,
    each next one lies a positive gap above it.  The inverse takes the gaps back
    through the inverse softplus.
    """

    name = "ordered"
    codomain: Constraint = _Increasing()

    def __call__(self, raw: Tensor) -> Tensor:
        gaps = torch.cat([raw[..., :1], F.softplus(raw[..., 1:])], dim=-1)
        return torch.cumsum(gaps, dim=-1)

    def inverse(self, value: Tensor) -> Tensor:
        gaps = value[..., 1:] - value[..., :-1]
        return torch.cat([value[..., :1], gaps + torch.log(-torch.expm1(-gaps))], dim=-1)


class Ordinal(Recipe):
    """Ordered classes ``0 < 1 < ... < K - 1`` (ratings, grades, severities): the cumulative logit.

    Distribution
        A latent score ``eta + logistic noise`` falls between two cutpoints:
        ``Pr(y <= k - 1 | eta, c) = sig[c_k - eta]`` for ``k = 1..K-1``, so
        ``Pr(y = k) = sig[c_{k+1} - eta] - sig[c_k - eta]`` with ``c_0 = -inf``,
        ``c_K = +inf``; ``y`` in ``{0, ..., K - 1}``.
    Parameters and links
        ``K`` outputs: ``location`` ``eta`` (identity) and ``raw_cutpoints``
        ``r_1..r_{K-1}`` -> ``cutpoints`` ``c_1 = r_1``,
        ``c_k = c_{k-1} + softplus[r_k]`` (:class:`OrderedCutpoints`), shape ``(N, K-1)``.
        With ``K = 2``: ``Pr(y = 1) = sig[eta - r_1]``, a Bernoulli.
    NLL
        ``-log Pr(y = k)`` with, for a middle class,
        ``sig[b] - sig[a] = sig[b] sig[-a] (1 - exp[a - b])`` and
        ``1 - exp[-softplus[r]] = sig[r]``:
        ``log Pr(y = k) = logsig[c_{k+1} - eta] + logsig[eta - c_k] + logsig[r_{k+1}]``;
        the end classes are ``logsig[c_1 - eta]`` and ``logsig[eta - c_{K-1}]``.  No
        difference of probabilities is formed, so it stays exact at ``eta = +-1e4``.
    Mode
        ``argmax_k Pr(y = k)``.
    Derived in
        chapter 13, eq-13-ordinal.
    """

    def __init__(self, num_classes: int, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.num_classes = check_positive_integer("num_classes", num_classes, minimum=2)
        self.parameters = (
            Parameter("location", Identity()),
            Parameter(
                "cutpoints", OrderedCutpoints(), size=self.num_classes - 1, raw="raw_cutpoints"
            ),
        )
        self.support = constraints.integer_interval(0, self.num_classes - 1)

    @staticmethod
    def _log_probs(location: Tensor, raw_cutpoints: Tensor) -> Tensor:
        """``log Pr(y = k)`` for every class, ``(N, K)``, from log-sigmoids only."""
        cut = OrderedCutpoints()(raw_cutpoints)
        eta = location.unsqueeze(-1)
        at_most = F.logsigmoid(cut - eta)  # log Pr(y <= k - 1), k = 1..K-1
        above = F.logsigmoid(eta - cut)  # log Pr(y >= k)
        middle = at_most[..., 1:] + above[..., :-1] + F.logsigmoid(raw_cutpoints[..., 1:])
        return torch.cat([at_most[..., :1], middle, above[..., -1:]], dim=-1)

    def log_probs(self, outputs: Tensor) -> Tensor:
        """``log Pr(y = k | eta, c)`` for ``k = 0..K-1``, shape ``(N, K)``."""
        return self._log_probs(**self.raw(outputs))

    def distribution(self, outputs: Tensor) -> torch.distributions.Categorical:
        return torch.distributions.Categorical(logits=self.log_probs(outputs), validate_args=False)

    def nll_terms(self, y: Tensor, *, location: Tensor, raw_cutpoints: Tensor) -> Tensor:
        log_p = self._log_probs(location, raw_cutpoints)
        return -log_p.gather(-1, y.unsqueeze(-1)).squeeze(-1)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.log_probs(outputs).argmax(dim=-1)
