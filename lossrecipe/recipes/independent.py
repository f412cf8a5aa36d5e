"""Several outputs at once: one base recipe per output dimension, independently."""

from __future__ import annotations

from typing import Self

import torch
from torch import Tensor
from torch.distributions import Distribution, constraints

from ..validation import Reduction, check_outputs, check_positive_integer
from .base import Recipe, default_validate_args

__all__ = ["Independent"]


def _unflatten(dist: Distribution, shape: tuple[int, ...]) -> Distribution:
    """Rebuild ``dist``, of batch shape ``(M,)``, with batch shape ``shape`` (``M = prod(shape)``).

    Each parameter the distribution was built from (``loc``, ``scale``, ``logits``,
    ``rate``, ...) is reshaped, and the distribution is constructed again from them.
    """
    if isinstance(dist, torch.distributions.MixtureSameFamily):
        mixture = _unflatten(dist.mixture_distribution, shape)
        assert isinstance(mixture, torch.distributions.Categorical)
        return torch.distributions.MixtureSameFamily(
            mixture, _unflatten(dist.component_distribution, shape), validate_args=False
        )
    given = {name: value for name, value in vars(dist).items() if name in dist.arg_constraints}
    if not given:
        raise TypeError(f"cannot reshape a {type(dist).__name__} distribution")
    reshaped = {k: v.reshape(*shape, *v.shape[1:]) for k, v in given.items()}
    with default_validate_args(False):  # no read of the parameters from the device
        return type(dist)(**reshaped, validate_args=False)


class Independent(Recipe):
    """``D`` outputs at once, each following the same base recipe, independently.

    Distribution
        ``Pr(y | theta) = prod_d Pr(y_d | theta_d)``, ``y`` of shape ``(N, D)``, each
        column in the base recipe's support.  For example
        ``Independent(HeteroscedasticGaussian(), 2)`` is multivariate regression with a
        diagonal covariance, one mean and one variance per output.
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
    Derived in
        chapter 10, thm-10-independent.
    """

    def __init__(self, recipe: Recipe, num_dims: int, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        if not isinstance(recipe, Recipe):
            raise ValueError(f"recipe: expected a Recipe instance, got {type(recipe).__name__}")
        if isinstance(recipe, Independent):
            raise ValueError(
                f"recipe: expected a recipe with one target per example, got {recipe!r}; "
                "use a single Independent with more dimensions"
            )
        self.recipe = recipe.with_validation(validate)
        self.num_dims = check_positive_integer("num_dims", num_dims)
        self.parameters = recipe.parameters
        self.fixed = recipe.fixed
        self.support = constraints.independent(recipe.support, 1)
        self.target_shape = (self.num_dims, *recipe.target_shape)

    def with_validation(self, validate: bool) -> Self:
        twin = super().with_validation(validate)
        twin.recipe = self.recipe.with_validation(validate)
        return twin

    @property
    def layout(self) -> tuple[tuple[str, int], ...]:
        return tuple(
            (f"{name}[{d}]", width)
            for d in range(self.num_dims)
            for name, width in self.recipe.layout
        )

    def _flat(self, outputs: Tensor) -> Tensor:
        """``(N, D * P)`` outputs as ``(N * D, P)``: one row per example and dimension.

        Only the shape is checked here; the wrapped recipe checks the values.
        """
        outputs = check_outputs(outputs, self.num_outputs, values=False)
        return outputs.reshape(-1, self.recipe.num_outputs)

    def _unflat(self, values: Tensor, num_examples: int) -> Tensor:
        """Per-row results ``(N * D, ...)`` as ``(N, D, ...)``."""
        return values.reshape(num_examples, self.num_dims, *values.shape[1:])

    def raw(self, outputs: Tensor) -> dict[str, Tensor]:
        flat = self._flat(outputs)
        return {k: self._unflat(v, len(outputs)) for k, v in self.recipe.raw(flat).items()}

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        flat = self._flat(outputs)
        return {k: self._unflat(v, len(outputs)) for k, v in self.recipe.params(flat).items()}

    def distribution(self, outputs: Tensor) -> torch.distributions.Independent[Distribution]:
        base = self.recipe.distribution(self._flat(outputs))
        unflat = _unflatten(base, (len(outputs), self.num_dims))
        return torch.distributions.Independent(unflat, 1, validate_args=False)

    def nll_terms(self, y: Tensor, **raw: Tensor) -> Tensor:
        return self._flat_terms(y, raw).reshape(y.shape).sum(dim=1)

    def reduced_nll(self, y: Tensor, reduction: Reduction, *args: Tensor, **raw: Tensor) -> Tensor:
        """A sum or mean adds up the ``N * D`` terms at once (divided by ``N`` for the
        mean) rather than each example's ``D`` terms first."""
        if reduction == "none":
            return self.nll_terms(y, **raw)
        total = self._flat_terms(y, raw).sum()
        return total if reduction == "sum" else total / len(y)

    def _flat_terms(self, y: Tensor, raw: dict[str, Tensor]) -> Tensor:
        """The wrapped recipe's terms for the ``N * D`` (example, dimension) pairs."""
        flat_raw = {k: v.reshape(v.shape[0] * v.shape[1], *v.shape[2:]) for k, v in raw.items()}
        return self.recipe.nll_terms(y.reshape(-1), **flat_raw)

    def predict(self, outputs: Tensor) -> Tensor:
        flat = self._flat(outputs)
        return self._unflat(self.recipe.predict(flat), len(outputs))

    def _settings(self) -> list[str]:
        return [repr(self.recipe), f"num_dims={self.num_dims}"]
