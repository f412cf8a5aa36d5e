"""Recipes for counts ``y = 0, 1, 2, ...``: Poisson."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import constraints

from .. import distributions
from ..links import Exp
from ._numerics import poisson_nll
from .base import Parameter, Recipe

__all__ = ["Poisson"]


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
