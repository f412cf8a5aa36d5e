"""Recipes for vector outputs whose dimensions are correlated: the full-covariance Gaussian."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import constraints

from .. import distributions
from ..links import Identity, LowerCholesky, PositiveLink, PositiveLinkName, Square, get_link
from ..validation import check_positive_integer
from ._numerics import LOG_2PI
from .base import Parameter, Recipe

__all__ = ["MultivariateGaussian"]


class MultivariateGaussian(Recipe):
    """Regression of ``D`` correlated outputs: a Gaussian with a full covariance matrix.

    Distribution
        ``Pr(y | mu, Sigma) = exp[-(y - mu)^T Sigma^{-1} (y - mu) / 2]
        / sqrt[(2 pi)^D det Sigma]``, ``y`` a real vector of length ``D`` (targets of
        shape ``(N, D)``), with ``Sigma = L L^T``.
    Parameters and links
        ``D + D (D + 1) / 2`` outputs: ``D`` ``mean`` entries ``mu`` (identity); then
        ``raw_scale_tril``, ``D (D + 1) / 2`` columns -> ``scale_tril`` ``L`` through
        the :class:`~lossrecipe.links.LowerCholesky` link: ``D`` raw diagonal entries
        through the positive link named by ``link`` (``"softplus"`` or ``"exp"``; not
        ``"square"``, which is 0 at a raw output of 0, where ``Sigma`` is singular, and
        gives ``z`` and ``-z`` the same ``L``: chapter 12, ex-12-softplus-diagonal),
        then the ``D (D - 1) / 2`` strictly-lower entries row by row,
        ``(1, 0), (2, 0), (2, 1), (3, 0), ...`` (identity).  ``params``: ``"mean"``
        ``(N, D)`` and ``"scale_tril"`` ``(N, D, D)``.
    NLL
        ``|z|^2 / 2 + sum_i log L_ii + (D / 2) log[2 pi]`` with ``z = L^{-1} (y - mu)``,
        found by a triangular solve (no inverse is formed), and ``log L_ii`` from the
        positive link's stable ``log``: ``log det Sigma = 2 sum_i log L_ii``.  The solve
        divides by ``L_ii`` held within the normal floats
        (:meth:`~lossrecipe.links.LowerCholesky.bounded`): where ``L_ii`` has underflowed
        to 0 the loss stays exact at ``y = mu``, and is ``+inf``, as the exact value is
        beyond the floats, once that row's residual exceeds about ``3e-19`` (float32;
        ``4e-154`` in float64).
    Mode
        ``mu``, shape ``(N, D)``.
    Derived in
        chapter 12, eq-12-nll.
    """

    support = constraints.independent(constraints.real, 1)

    def __init__(
        self, num_dims: int, link: PositiveLinkName = "softplus", *, validate: bool = True
    ) -> None:
        super().__init__(validate=validate)
        self.num_dims = check_positive_integer("num_dims", num_dims)
        diagonal = get_link(link, kind=PositiveLink)
        if isinstance(diagonal, Square):
            raise ValueError(
                "link: expected 'softplus' or 'exp' for the Cholesky diagonal, which must "
                "be positive for every raw output; got 'square', which is 0 at a raw "
                "output of 0 (a singular covariance)"
            )
        self.link = link
        self.scale_link = LowerCholesky(self.num_dims, diagonal)
        self.target_shape = (self.num_dims,)
        self.parameters = (
            Parameter("mean", Identity(), size=self.num_dims),
            Parameter("scale_tril", self.scale_link, size=self.scale_link.width),
        )

    def distribution(self, outputs: Tensor) -> distributions.MultivariateNormal:
        theta = self.params(outputs)
        return distributions.MultivariateNormal(
            theta["mean"], scale_tril=theta["scale_tril"], validate_args=False
        )

    def nll_terms(self, y: Tensor, *, mean: Tensor, raw_scale_tril: Tensor) -> Tensor:
        scale_tril = self.scale_link.bounded(raw_scale_tril)
        residual = (y - mean).unsqueeze(-1)
        z = torch.linalg.solve_triangular(scale_tril, residual, upper=False).squeeze(-1)
        log_det_half = self.scale_link.log_diagonal(raw_scale_tril).sum(-1)
        return 0.5 * (z * z).sum(-1) + log_det_half + 0.5 * self.num_dims * LOG_2PI

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["mean"]
