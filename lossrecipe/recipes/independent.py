"""Several outputs at once: one base recipe per output dimension, independently."""

from __future__ import annotations

from typing import Self

from torch import Tensor
from torch.distributions import constraints

from .. import distributions
from ..validation import check_bool, check_outputs, check_positive_integer
from .base import Recipe

__all__ = ["Independent"]


class Independent(Recipe):
    """``D`` outputs at once, each following the same base recipe, independently.

    Distribution
        ``Pr(y | theta) = prod_d Pr(y_d | theta_d)``, ``y`` of shape ``(N, D)``, each
        column in the base recipe's support.  For example
        ``Independent(HeteroscedasticGaussian(), 2)`` is multivariate regression with a
        diagonal covariance, one mean and one variance per output.  The base recipe
        has one number per target (``MultivariateGaussian`` and ``PlackettLuce``, whose
        targets are vectors, are refused).
    Parameters and links
        ``D * P`` outputs (``P = recipe.num_outputs``) in ``D`` consecutive blocks:
        block ``d`` (columns ``d * P`` to ``(d + 1) * P - 1``) holds the base recipe's
        raw outputs for dimension ``d``, in its own order, through its own links
        (:attr:`layout` names them ``mean[0], raw_variance[0], mean[1], ...``).
        :meth:`params` returns each parameter with shape ``(N, D)`` (``(N, D, size)``
        for vector parameters); :attr:`parameters` are those of one dimension.
    NLL
        ``sum_d -log Pr(y_d | theta_d)``: the base recipe's loss summed over ``D``.
    Mode
        The vector of the marginal modes (independence makes it the joint mode),
        shape ``(N, D)``.
    How
        The outputs are reshaped to ``(N, D, P)`` and handed to the base recipe, which
        works on the last axis; its distribution, of batch shape ``(N, D)``, becomes one
        of batch shape ``(N,)`` through ``torch.distributions.Independent``.
    Derived in
        chapter 10, thm-10-independent.
    """

    def __init__(self, recipe: Recipe, num_dims: int, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        if not isinstance(recipe, Recipe):
            raise ValueError(f"recipe: expected a Recipe instance, got {type(recipe).__name__}")
        if recipe.target_shape != () or isinstance(recipe, Independent):
            raise ValueError(
                f"recipe: expected a recipe with one number per target, got {recipe!r}, "
                f"whose targets have shape (N, {', '.join(map(str, recipe.target_shape))})"
                + (
                    "; use a single Independent with more dimensions"
                    if isinstance(recipe, Independent)
                    else ""
                )
            )
        self.recipe = recipe.with_validation(validate)
        self.num_dims = check_positive_integer("num_dims", num_dims)
        self.parameters = recipe.parameters
        self.fixed = dict(recipe.fixed)
        self.support = constraints.independent(recipe.support, 1)
        self.target_shape = (self.num_dims,)

    def with_validation(self, validate: bool) -> Self:
        twin = super().with_validation(validate)
        twin.recipe = self.recipe.with_validation(check_bool("validate", validate))
        return twin

    @property
    def layout(self) -> tuple[tuple[str, int], ...]:
        return tuple(
            (f"{name}[{d}]", width)
            for d in range(self.num_dims)
            for name, width in self.recipe.layout
        )

    def blocks(self, outputs: Tensor) -> Tensor:
        """``(N, D * P)`` outputs as ``(N, D, P)``: one row of ``P`` raw outputs per dimension.

        Only the shape is checked here; the base recipe checks the values.
        """
        outputs = check_outputs(outputs, self.num_outputs, values=False)
        return outputs.unflatten(-1, (self.num_dims, self.recipe.num_outputs))

    def raw(self, outputs: Tensor) -> dict[str, Tensor]:
        return self.recipe.raw(self.blocks(outputs))

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        return self.recipe.params(self.blocks(outputs))

    def distribution(self, outputs: Tensor) -> distributions.Independent:
        base = self.recipe.distribution(self.blocks(outputs))
        return distributions.Independent(base, 1, validate_args=False)

    def nll_terms(self, y: Tensor, **raw: Tensor) -> Tensor:
        return self.recipe.nll_terms(y, **raw).sum(dim=-1)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.recipe.predict(self.blocks(outputs))
