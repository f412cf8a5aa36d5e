"""Link functions: raw network outputs -> constrained distribution parameters.

A network's last layer produces unconstrained real numbers.  A distribution's
parameters usually live in a smaller set: a variance is positive, a probability
lies in (0, 1), a probability vector lies on the simplex.  A *link* maps the raw
output into that set.

Direction: in this package a link ``h`` always goes from the raw output to the
parameter (``sigma^2 = h[z]``, ``lambda = sig[z]``).  That is the *inverse* of a
link function in the sense of generalised linear models, where the link ``g``
maps the parameter to the linear predictor (the logit link ``g[lambda] =
log(lambda / (1 - lambda))``).  Each link below states ``h``, its inverse
``g = h^{-1}`` (parameter -> raw, :meth:`Link.inverse`) and declares the set its
results lie in as :attr:`Link.codomain`, a ``torch.distributions.constraints``
object (``positive``, ``nonnegative``, ``unit_interval``, ``simplex``).

Positive links also provide :meth:`PositiveLink.log`, the logarithm of the
parameter computed directly from the raw output, because ``log h[z]`` appears in
every negative log-likelihood with a scale parameter and evaluating it as
``torch.log(h(z))`` loses precision (or returns ``-inf``) when ``h(z)`` underflows.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Literal, TypeVar

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import constraints
from torch.distributions.constraints import Constraint

__all__ = [
    "Link",
    "PositiveLink",
    "Identity",
    "Softplus",
    "Exp",
    "Square",
    "Sigmoid",
    "Softmax",
    "LowerCholesky",
    "get_link",
    "describe",
    "POSITIVE_LINKS",
    "log_softplus",
    "LinkName",
    "PositiveLinkName",
]

LinkName = Literal["identity", "softplus", "exp", "square", "sigmoid", "softmax"]
PositiveLinkName = Literal["softplus", "exp", "square"]


def describe(constraint: Constraint) -> str:
    """A constraint in words, for messages and printouts (``"positive"``, ``"simplex ..."``)."""
    for known, words in _DESCRIPTIONS:
        if constraint is known:
            return words
    return str(constraint)


class Link(ABC):
    """A map ``h`` from raw outputs to a parameter, with inverse ``g``."""

    name: str = ""
    codomain: Constraint = constraints.real

    @property
    def constraint(self) -> str:
        """The codomain in words, e.g. ``"positive"``."""
        return describe(self.codomain)

    @abstractmethod
    def __call__(self, raw: Tensor) -> Tensor:
        """The link ``h``: raw output -> parameter."""

    @abstractmethod
    def inverse(self, value: Tensor) -> Tensor:
        """The inverse link ``g = h^{-1}``: parameter -> raw output."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Link):
    """``h[z] = z`` and ``g[m] = m``; the result is any real number (a mean, a location)."""

    name = "identity"
    codomain = constraints.real

    def __call__(self, raw: Tensor) -> Tensor:
        return raw

    def inverse(self, value: Tensor) -> Tensor:
        return value


class PositiveLink(Link):
    """A link whose results are positive (a variance, a scale, a rate).

    Its codomain is ``positive``, except :class:`Square`'s, which reaches 0.
    """

    codomain: Constraint = constraints.positive

    @abstractmethod
    def log(self, raw: Tensor) -> Tensor:
        """``log h[z]``, computed stably from the raw output ``z``."""

    def value_and_log(self, raw: Tensor) -> tuple[Tensor, Tensor]:
        """``(h[z], log h[z])`` together, sharing work where the link allows."""
        return self(raw), self.log(raw)


class Softplus(PositiveLink):
    """``h[z] = log(1 + exp z)`` and ``g[v] = log(exp v - 1)``; the result is positive.

    Close to ``z`` for large ``z`` and to ``exp z`` for very negative ``z``, so it
    neither overflows nor has a vanishing gradient for positive raw outputs.
    """

    name = "softplus"

    def __call__(self, raw: Tensor) -> Tensor:
        # A column of the outputs is a strided view; PyTorch's CPU softplus runs an
        # order of magnitude slower on those than on contiguous memory.
        return F.softplus(raw.contiguous())

    def inverse(self, value: Tensor) -> Tensor:
        # log(exp v - 1) = v + log(1 - exp(-v)) = v + log(-expm1(-v))
        return value + torch.log(-torch.expm1(-value))

    def log(self, raw: Tensor) -> Tensor:
        return log_softplus(raw)


def log_softplus(x: Tensor) -> Tensor:
    """``log softplus[x] = log log(1 + e^x)``, exact for every ``x``, without a branch.

    torch's softplus is accurate to relative precision while ``e^x`` is a normal
    number, but it underflows to 0 below ``x = -104`` (float32) or ``-745`` (float64).
    Below ``x = -40``, ``log softplus[x] = x - e^x / 2 + ...`` equals ``x`` to double
    precision, so ``log softplus[x] = x`` there and ``log softplus[x]`` above, chosen
    element by element.  The smallest normal float added inside the log changes
    nothing where that side is chosen (``softplus[x] > 4e-18`` there) and keeps the
    other side's gradient at 0, not ``0 / 0``, where the softplus has underflowed.
    Above ``x = 40`` the softplus is ``x`` itself (it drops ``e^{-40}``).
    """
    x = x.contiguous()  # see Softplus.__call__
    tiny = torch.finfo(x.dtype).tiny
    return torch.where(x < -40.0, x, torch.log(F.softplus(x, threshold=40.0) + tiny))


class Exp(PositiveLink):
    """``h[z] = exp z`` and ``g[v] = log v``; the result is positive.

    ``log h[z] = z`` exactly, but ``h`` itself overflows once ``z`` exceeds about
    88 (float32) or 709 (float64).
    """

    name = "exp"

    def __call__(self, raw: Tensor) -> Tensor:
        return torch.exp(raw)

    def inverse(self, value: Tensor) -> Tensor:
        return torch.log(value)

    def log(self, raw: Tensor) -> Tensor:
        return raw

    def value_and_log(self, raw: Tensor) -> tuple[Tensor, Tensor]:
        return torch.exp(raw), raw


class Square(PositiveLink):
    """``h[z] = z^2`` and ``g[v] = sqrt v``; the result is non-negative.

    The choice of Prince (2023) for a variance, ``sigma^2 = f_2[x, phi]^2``.  Its
    gradient ``2z`` vanishes at ``z = 0``, where the variance is zero and the
    likelihood degenerates.
    """

    name = "square"
    codomain: Constraint = constraints.nonnegative

    def __call__(self, raw: Tensor) -> Tensor:
        return raw * raw

    def inverse(self, value: Tensor) -> Tensor:
        return torch.sqrt(value)

    def log(self, raw: Tensor) -> Tensor:
        return 2.0 * torch.log(torch.abs(raw))


class Sigmoid(Link):
    """``h[z] = 1 / (1 + exp(-z))`` and ``g[p] = log(p / (1 - p))``; the result is in (0, 1)."""

    name = "sigmoid"
    codomain = constraints.unit_interval

    def __call__(self, raw: Tensor) -> Tensor:
        return torch.sigmoid(raw)

    def inverse(self, value: Tensor) -> Tensor:
        return torch.logit(value)


class Softmax(Link):
    """``h[z]_k = exp z_k / sum_j exp z_j`` over the last dimension; the result is on the simplex.

    The inverse is defined only up to an additive constant (softmax is shift
    invariant); ``g[p] = log p`` is the representative whose exponentials sum to one.
    """

    name = "softmax"
    codomain = constraints.simplex

    def __call__(self, raw: Tensor) -> Tensor:
        return torch.softmax(raw, dim=-1)

    def inverse(self, value: Tensor) -> Tensor:
        return torch.log(value)


_DESCRIPTIONS: tuple[tuple[Constraint, str], ...] = (
    (constraints.real, "real"),
    (constraints.positive, "positive"),
    (constraints.nonnegative, "non-negative"),
    (constraints.unit_interval, "unit interval (0, 1)"),
    (constraints.simplex, "simplex (non-negative entries summing to 1)"),
    (constraints.boolean, "binary labels 0 or 1"),
    (constraints.nonnegative_integer, "non-negative integer counts"),
)

POSITIVE_LINKS: dict[str, type[PositiveLink]] = {
    "softplus": Softplus,
    "exp": Exp,
    "square": Square,
}

_ALL_LINKS: dict[str, type[Link]] = {
    "identity": Identity,
    **POSITIVE_LINKS,
    "sigmoid": Sigmoid,
    "softmax": Softmax,
}

L = TypeVar("L", bound=Link)


def get_link(name: str, kind: type[L] = Link) -> L:  # type: ignore[assignment]
    """A new link by name, of the given kind (``get_link("exp", kind=PositiveLink)``).

    ``ValueError`` names the links of that kind when ``name`` is not one of them.
    """
    choices = {key: cls for key, cls in _ALL_LINKS.items() if issubclass(cls, kind)}
    if not isinstance(name, str) or name not in choices:
        raise ValueError(f"link: expected one of {sorted(choices)}, got {name!r}")
    link = choices[name]()
    assert isinstance(link, kind)
    return link


class LowerCholesky(Link):
    """``D (D + 1) / 2`` raw outputs -> a lower-triangular ``L`` (``D x D``) with ``L_ii > 0``.

    ``h[z]``: the first ``D`` entries of ``z`` pass through the positive link
    ``diagonal`` (softplus, exp or square) and become the diagonal ``L_ii``; the other
    ``D (D - 1) / 2`` are copied, unchanged, into the strictly-lower entries row by
    row: ``(1, 0), (2, 0), (2, 1), (3, 0), ...``.  Above the diagonal ``L`` is 0.
    ``L L^T`` is then a covariance matrix (symmetric positive definite) whatever the
    raw outputs, and every covariance matrix has exactly one such ``L``: the Cholesky
    factor.  ``g[L]`` (:meth:`inverse`) reads the two blocks back.  The codomain is
    ``lower_cholesky``; with the square link a diagonal entry reaches 0 at ``z = 0``.

    :meth:`log_diagonal` gives ``log L_ii`` from the positive link's stable ``log``,
    so ``log det[L L^T] = 2 sum_i log L_ii`` never takes the log of an underflowed 0;
    :meth:`bounded` gives ``L`` with a diagonal a triangular solve can divide by.
    """

    name = "lower_cholesky"
    codomain = constraints.lower_cholesky

    def __init__(self, num_dims: int, diagonal: PositiveLink) -> None:
        self.num_dims = num_dims
        self.diagonal = diagonal

    @property
    def width(self) -> int:
        """How many raw outputs one matrix takes: ``D (D + 1) / 2``."""
        return self.num_dims * (self.num_dims + 1) // 2

    def __call__(self, raw: Tensor) -> Tensor:
        return self._assemble(raw, self.diagonal(raw[..., : self.num_dims]))

    def log_diagonal(self, raw: Tensor) -> Tensor:
        """``log L_ii``, shape ``(..., D)``, from the diagonal link's stable ``log``."""
        return self.diagonal.log(raw[..., : self.num_dims])

    def bounded(self, raw: Tensor) -> Tensor:
        """``L`` with each diagonal entry ``exp[log L_ii]`` held within the normal floats.

        ``log L_ii`` is clamped to ``[ceil(log tiny), floor(log M)]`` (``tiny`` the
        smallest normal float, ``M`` the largest): ``[-87, 88]`` in float32, ``[-708,
        709]`` in float64.  Inside, this is ``L`` to rounding; outside, an entry that
        underflowed to 0 or overflowed to infinity becomes a number a triangular solve
        can divide by, and the diagonal's gradient passes through the stable log only.
        """
        info = torch.finfo(raw.dtype)
        low, high = math.ceil(math.log(info.tiny)), math.floor(math.log(info.max))
        log_diagonal = torch.clamp(self.log_diagonal(raw), low, high)
        return self._assemble(raw, torch.exp(log_diagonal))

    def _assemble(self, raw: Tensor, diagonal: Tensor) -> Tensor:
        """The strictly-lower entries from ``raw[..., D:]``, row by row, plus ``diagonal``."""
        d = self.num_dims
        rows, cols = torch.tril_indices(d, d, offset=-1, device=raw.device)
        lower = raw.new_zeros(*raw.shape[:-1], d, d)
        lower[..., rows, cols] = raw[..., d:]
        return lower + torch.diag_embed(diagonal)

    def inverse(self, value: Tensor) -> Tensor:
        d = self.num_dims
        rows, cols = torch.tril_indices(d, d, offset=-1, device=value.device)
        diagonal = torch.diagonal(value, dim1=-2, dim2=-1)
        return torch.cat([self.diagonal.inverse(diagonal), value[..., rows, cols]], -1)

    def __repr__(self) -> str:
        return f"LowerCholesky(num_dims={self.num_dims}, diagonal={self.diagonal!r})"
