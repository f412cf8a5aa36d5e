"""Recipes written the way a reader writes one, outside the package."""

from __future__ import annotations

import torch
from torch.distributions import constraints

import lossrecipe as lr


class Exponential(lr.Recipe):
    """Chapter 09's recipe: waits ``y > 0``, one output, the log-rate; ``lambda = exp[z]``."""

    support = constraints.positive
    parameters = (lr.Parameter("rate", lr.links.Exp(), raw="log_rate"),)

    def distribution(self, outputs):
        return torch.distributions.Exponential(self.params(outputs)["rate"])

    def nll_terms(self, y, *, log_rate):
        return torch.exp(log_rate) * y - log_rate

    def predict(self, outputs):
        return torch.zeros_like(self.params(outputs)["rate"])
