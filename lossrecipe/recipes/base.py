"""The base of every recipe: :class:`Parameter`, :class:`Recipe` and the reductions.

The recipe for building a loss function has four steps:

1. choose a distribution ``Pr(y | theta)`` over the domain of the output ``y``;
2. let the network ``f[x, phi]`` predict ``theta``, passing each raw output
   through a link that respects the parameter's constraint;
3. train by minimising the negative log-likelihood
   ``L[phi] = -sum_i log Pr(y_i | theta_i)``, ``theta_i`` computed from ``f[x_i, phi]``;
4. infer by returning the whole distribution, or the ``y`` where it peaks.

A :class:`Recipe` declares them as data and three methods:

- ``support``: the set ``y`` lives in (a ``torch.distributions.constraints`` object),
  from which one generic check validates the targets;
- ``parameters``: a tuple of :class:`Parameter` (name, link, width, and the name of
  the raw block), in the order of the network's output columns; parameters that are
  settings, not predictions (a fixed ``sigma``), go in ``fixed``;
- :meth:`Recipe.distribution` (step 1), :meth:`Recipe.nll_terms` (step 3, the closed
  form, receiving each raw block by name: ``def nll_terms(self, y, *, logit)``) and
  :meth:`Recipe.predict` (step 4, the mode).

Every method works on the last axis of the outputs: ``(N, P)`` outputs give ``N``
examples, and ``(N, D, P)`` outputs ``N x D`` of them, which is how
:class:`~lossrecipe.Independent` uses a recipe.
"""

from __future__ import annotations

import copy
import inspect
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Self

import torch
from torch import Tensor
from torch.distributions import Distribution, constraints
from torch.distributions.constraints import Constraint

from ..links import Identity, Link
from ..validation import (
    Reduction,
    check_bool,
    check_outputs,
    check_reduction,
    check_targets,
    read_once,
    working_precision,
)
from ._numerics import split_columns

__all__ = ["Parameter", "Recipe", "Reduction", "reduce_terms"]


def reduce_terms(terms: Tensor, reduction: Reduction) -> Tensor:
    """Per-example loss terms, summed (``"sum"``), averaged (``"mean"``) or kept (``"none"``).

    The mean of an empty batch has no value: ``ValueError`` rather than NaN.
    """
    if reduction == "sum":
        return terms.sum()
    if reduction == "mean":
        if terms.numel() == 0:
            raise ValueError(
                "reduction: expected 'sum' or 'none' for an empty batch (N = 0), whose mean "
                "has no value; got 'mean'"
            )
        return terms.mean()
    return terms


@dataclass(frozen=True)
class Parameter:
    """One distribution parameter predicted by the network.

    ``name`` is the parameter's key in :meth:`Recipe.params`; ``link`` maps the raw
    block to it; ``raw`` names the raw block itself, the keyword under which
    :meth:`Recipe.nll_terms` receives it (``"logit"`` for a probability,
    ``"log_rate"`` for a rate).  By default ``raw`` is ``name`` for the identity link
    (the raw output *is* the mean) and ``"raw_" + name`` otherwise (``raw_variance``).
    A scalar parameter (``size=None``) takes one raw output column and has shape
    ``(N,)``; a vector parameter takes ``size`` columns, passed through ``link``
    together, and has shape ``(N, size)``.
    """

    name: str
    link: Link
    size: int | None = None
    raw: str = ""

    def __post_init__(self) -> None:
        if not self.raw:
            default = self.name if isinstance(self.link, Identity) else f"raw_{self.name}"
            object.__setattr__(self, "raw", default)

    @property
    def width(self) -> int:
        """How many raw output columns the parameter consumes."""
        return 1 if self.size is None else self.size


class Recipe(ABC):
    """A loss built from a distribution: declare support and parameters, write the NLL and mode.

    Class attributes a recipe sets (on the class, or in ``__init__`` when they depend
    on its settings):

    - ``support``: the targets' domain, e.g. ``constraints.real`` (the default),
      ``constraints.boolean``, ``constraints.nonnegative_integer``, ``constraints.positive``;
    - ``parameters``: the predicted parameters, in output-column order;
    - ``fixed``: parameters held at a set value, ``{name: value}``; :meth:`params`
      returns them beside the predicted ones, one value per example.

    Settings are stored under the names of ``__init__``'s arguments (``self.sigma``),
    from which ``repr`` is written.  ``validate`` (default ``True``, like
    ``validate_args`` in ``torch.distributions``) switches the checks that read every
    value (finite outputs, targets in the support); shapes and dtypes are always
    checked.  Turn it off only for inputs already checked, as :func:`~lossrecipe.fit`
    does after checking them once.
    """

    parameters: tuple[Parameter, ...] = ()
    support: Constraint = constraints.real
    fixed: Mapping[str, float] = MappingProxyType({})
    #: Trailing shape of one example's target (``()``: ``y`` has shape ``(N,)``).
    target_shape: tuple[int, ...] = ()
    validate: bool = True

    def __init__(self, *, validate: bool = True) -> None:
        self.validate = check_bool("validate", validate)

    def with_validation(self, validate: bool) -> Self:
        """A copy of this recipe with the value checks switched on or off."""
        twin = copy.copy(self)
        twin.validate = check_bool("validate", validate)
        return twin

    @property
    def layout(self) -> tuple[tuple[str, int], ...]:
        """The raw output columns, in order: ``(raw block name, width)`` for each block."""
        return tuple((p.raw, p.width) for p in self.parameters)

    @property
    def num_outputs(self) -> int:
        """How many raw outputs the network must produce per example."""
        return sum(width for _, width in self.layout)

    def raw(self, outputs: Tensor) -> dict[str, Tensor]:
        """Split ``(N, num_outputs)`` outputs into each parameter's raw block, by raw name."""
        outputs = check_outputs(outputs, self.num_outputs, values=self.validate)
        blocks = split_columns(outputs, [p.width for p in self.parameters])
        return {
            p.raw: block.squeeze(-1) if p.size is None else block
            for p, block in zip(self.parameters, blocks, strict=True)
        }

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        """The distribution's parameters ``theta``: each raw block through its link, then
        each fixed parameter, repeated for every example."""
        raw = self.raw(outputs)
        theta = {p.name: p.link(raw[p.raw]) for p in self.parameters}
        outputs = working_precision(outputs)
        for name, value in self.fixed.items():
            theta[name] = outputs.new_full(outputs.shape[:-1], value)
        return theta

    @abstractmethod
    def distribution(self, outputs: Tensor) -> Distribution:
        """The predicted distribution ``Pr(y | theta)``, one per example (batch shape ``(N,)``).

        Built with ``validate_args=False``: the outputs were checked here, once, and the
        links put every parameter in its constraint.
        """

    def nll(self, outputs: Tensor, y: Tensor, reduction: Reduction = "sum") -> Tensor:
        """The negative log-likelihood ``-sum_i log Pr(y_i | theta_i)``.

        ``reduction="sum"`` returns the sum over examples, ``"mean"`` the mean and
        ``"none"`` the ``(N,)`` vector of per-example terms.  16-bit outputs (under
        ``torch.autocast``) are taken to float32 first, and the value checks of the
        outputs and the targets are read from the device once, together.
        """
        check_reduction(reduction)
        outputs = working_precision(outputs)
        with read_once():
            raw = self.raw(outputs)
            y = self.check_targets(y, outputs.shape[:-1], outputs.dtype)
        return reduce_terms(self.nll_terms(y, **raw), reduction)

    def check_targets(self, y: Tensor, batch_shape: torch.Size, dtype: torch.dtype) -> Tensor:
        """Validate ``y`` against ``support`` for a batch of that shape; return it in
        ``dtype`` (class indices and rankings as integers), ready for ``nll_terms``."""
        return check_targets(
            y, self.support, batch_shape, dtype, self.target_shape, values=self.validate
        )

    @abstractmethod
    def nll_terms(self, y: Tensor, *args: Any, **raw: Any) -> Tensor:
        """Per-example ``-log Pr(y_i | theta_i)``, in a stable form.

        A recipe writes it with one keyword-only argument per raw block, named as
        its :class:`Parameter`'s ``raw``: ``def nll_terms(self, y, *, logit)``.
        (``*args, **raw`` here is how a type checker lets each recipe name its own.)
        """

    @abstractmethod
    def predict(self, outputs: Tensor) -> Tensor:
        """The most probable output ``argmax_y Pr(y | theta)`` for each example, shape ``(N,)``."""

    def __repr__(self) -> str:
        """``Name(setting=value, ...)``: each argument of ``__init__``, read back from the
        attribute of the same name (``validate`` only when it is off)."""
        arguments = list(inspect.signature(type(self).__init__).parameters.values())[1:]
        shown = [
            f"{a.name}={getattr(self, a.name)!r}"
            for a in arguments
            if a.kind not in (a.VAR_POSITIONAL, a.VAR_KEYWORD)
            and (a.name != "validate" or not self.validate)
        ]
        return f"{type(self).__name__}({', '.join(shown)})"
