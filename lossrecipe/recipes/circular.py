"""Recipes for directions (angles in radians): von Mises."""

from __future__ import annotations

import torch
from torch import Tensor

from ..links import Identity
from ..validation import check_positive
from ._numerics import LOG_2PI, wrap_angle
from .base import Parameter, Recipe

__all__ = ["VonMises"]


class VonMises(Recipe):
    """Directions with a fixed concentration ``kappa``.

    Distribution
        ``Pr(y | mu) = exp[kappa cos(y - mu)] / (2 pi I_0[kappa])``, ``y`` any real
        angle (``y + 2 pi k`` has the same likelihood); ``I_0`` is the modified Bessel
        function of order 0 and ``kappa > 0`` a setting.
    Parameters and links
        1 output: ``mean_direction`` ``mu = f[x, phi]`` (identity; meaningful modulo
        ``2 pi``).  Fixed: ``concentration = kappa``.
    NLL
        ``-kappa cos(y - mu) + log[2 pi] + log I_0[kappa]``, evaluated as
        ``2 kappa sin^2[(y - mu) / 2] + log[2 pi] + log i0e[kappa]``
        (``1 - cos t = 2 sin^2[t / 2]``, ``i0e[kappa] = exp[-kappa] I_0[kappa]``), which
        neither overflows nor cancels for large ``kappa``.
    Mode
        ``mu`` wrapped into ``(-pi, pi]``.
    Derived in
        chapter 10, eq-10-von-mises.
    """

    parameters = (Parameter("mean_direction", Identity()),)

    def __init__(self, concentration: float = 1.0, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.concentration = check_positive("concentration", concentration)
        self.fixed = {"concentration": self.concentration}
        kappa = torch.tensor(self.concentration, dtype=torch.float64)
        # log(2 pi) + log i0e(kappa): the terms of the NLL that do not depend on mu
        self._constant = LOG_2PI + float(torch.log(torch.special.i0e(kappa)))

    def distribution(self, outputs: Tensor) -> torch.distributions.VonMises:
        theta = self.params(outputs)
        return torch.distributions.VonMises(
            theta["mean_direction"], theta["concentration"], validate_args=False
        )

    def nll_terms(self, y: Tensor, *, mean_direction: Tensor) -> Tensor:
        half_gap = torch.sin(0.5 * (y - mean_direction))
        return 2.0 * self.concentration * half_gap**2 + self._constant

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode, the mean direction wrapped into ``(-pi, pi]``."""
        return wrap_angle(self.raw(outputs)["mean_direction"])
