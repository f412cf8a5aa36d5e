"""Every input check of the package: settings, tensors, targets, and the supports they use.

Each check raises ``ValueError`` with a message that names the argument, says what was
expected and what was given, so that a student's mistake (a missing output column,
labels 1..K instead of 0..K-1, a ``(N, 1)`` target that would broadcast silently against
``(N,)`` predictions, ``"0.5"`` where a number goes) is caught where it is made.

- **Settings** (a recipe's ``sigma``, ``fit``'s ``lr`` and ``seed``) are parsed strictly
  where they enter: a number is an ``int``, ``float`` or NumPy number, never a ``bool``
  or a string; a size or a seed is an integer (NumPy's included).
- **Tensors**: network inputs, raw outputs (``(..., P)``: a recipe works on the last
  axis), and targets, checked against a recipe's declared ``support`` (a
  ``torch.distributions.constraints`` object; :func:`check_targets` turns the
  declaration into the check).  Values are checked in the targets' own dtype first, so
  a message quotes what was given, then once more after the cast to the working dtype.
- **Reading once.**  Reading a result back from the device (``bool(ok)``) makes the host
  wait for it.  Each value check therefore reduces its tensor to one boolean on the
  device (:func:`require`); inside :func:`read_once` (what a recipe's ``nll`` uses for
  its outputs and targets together) the booleans of every check are combined and read
  once in all.  The culprit, and with it the message, is looked up only after a check
  has failed.  ``values=False`` skips the value checks (shapes and dtypes, which cost
  nothing, are always checked).
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

import torch
from torch import Tensor
from torch.distributions import Distribution, constraints
from torch.distributions.constraints import Constraint

__all__ = [
    "Rankings",
    "Reduction",
    "check_bool",
    "check_choice",
    "check_class_probabilities",
    "check_inputs",
    "check_outputs",
    "check_positive",
    "check_positive_integer",
    "check_real",
    "check_reduction",
    "check_seed",
    "check_targets",
    "check_unit_open",
    "float_dtype",
    "open_unit_interval",
    "read_once",
    "require",
    "require_tensor",
    "working_precision",
]

Reduction = Literal["sum", "mean", "none"]
REDUCTIONS: tuple[Reduction, ...] = ("sum", "mean", "none")


# --- supports beyond torch's ----------------------------------------------------------------


class _OpenUnitInterval(Constraint):
    """The open interval ``(0, 1)`` (``constraints.unit_interval`` is closed)."""

    def check(self, value: Tensor) -> Tensor:
        return (value > 0.0) & (value < 1.0)

    def __repr__(self) -> str:
        return "open interval (0, 1)"


#: ``(0, 1)`` without its ends: the support of a Beta recipe's targets (the log-density
#: at 0 or 1 is infinite for some parameters) and the range of a quantile level.
open_unit_interval = _OpenUnitInterval()


class Rankings(Constraint):
    """Rows of distinct item indices in ``0..K-1``, best first: a full ranking or a top-k list."""

    is_discrete = True
    event_dim = 1

    def __init__(self, num_items: int) -> None:
        self.num_items = num_items
        super().__init__()

    def check(self, value: Tensor) -> Tensor:
        inside = ((value >= 0) & (value < self.num_items)).all(dim=-1)
        ordered = value.sort(dim=-1).values
        distinct = (ordered[..., 1:] != ordered[..., :-1]).all(dim=-1)
        return inside & distinct & (value.shape[-1] <= self.num_items)

    def __repr__(self) -> str:
        return f"Rankings(num_items={self.num_items})"


# --- settings: numbers, sizes, seeds, switches ------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive(name: str, value: object) -> float:
    """A setting that is a positive finite number (a standard deviation, a scale, ``lr``)."""
    if not _is_number(value) or not 0 < float(value) < math.inf:  # type: ignore[arg-type]
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def check_unit_open(name: str, value: object) -> float:
    """A setting in the open interval ``(0, 1)`` (a quantile level)."""
    if not _is_number(value) or not 0.0 < float(value) < 1.0:  # type: ignore[arg-type]
        raise ValueError(f"{name}: expected a number strictly between 0 and 1, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def check_positive_integer(name: str, value: object, minimum: int = 1) -> int:
    """A size setting (a number of classes, of points): an integer ``>= minimum``.

    NumPy integers are accepted; ``bool`` is refused although it is an ``int`` to Python
    (``True`` is no size).
    """
    if not _is_integer(value) or int(value) < minimum:  # type: ignore[call-overload]
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)  # type: ignore[call-overload]


def check_seed(name: str, value: object) -> int:
    """A seed for a random number generator: an integer (``bool`` refused), as ``int``."""
    if not _is_integer(value):
        raise ValueError(f"{name}: expected an integer seed, got {value!r}")
    return int(value)  # type: ignore[call-overload]


def check_bool(name: str, value: object) -> bool:
    """A switch: ``True`` or ``False`` (``None``, ``0`` and ``"no"`` are refused)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return value


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """A setting that names one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}: expected one of {tuple(choices)}, got {value!r}")
    return value


def check_reduction(reduction: object) -> Reduction:
    """The reduction is one of ``sum``, ``mean``, ``none``."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected one of {REDUCTIONS}, got {reduction!r}")
    return reduction


# --- reading once -----------------------------------------------------------------------------

_PENDING = threading.local()


def require(ok: Tensor, fail: Callable[[], None]) -> None:
    """Go on if the 0-dimensional boolean ``ok`` holds; otherwise ``fail()`` raises.

    Inside :func:`read_once` the check is recorded and read later with the others.
    """
    pending: list[tuple[Tensor, Callable[[], None]]] | None = getattr(_PENDING, "checks", None)
    if pending is not None:
        pending.append((ok, fail))
    elif not bool(ok):
        fail()


@contextmanager
def read_once() -> Iterator[None]:
    """Gather the value checks made inside into one boolean, read from the device once.

    On the way out the checks' booleans are combined on the device and read back
    together; if any failed, each is read in turn and the first that failed raises its
    own ``ValueError``.  Nested uses add to the outermost one.
    """
    outer = getattr(_PENDING, "checks", None)
    if outer is not None:
        yield
        return
    _PENDING.checks = []
    try:
        yield
        pending = _PENDING.checks
    finally:
        _PENDING.checks = None
    if pending and not bool(torch.stack([ok for ok, _ in pending]).all()):
        for ok, fail in pending:
            if not bool(ok):
                fail()


# --- tensors ------------------------------------------------------------------------------------


def _shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def require_tensor(name: str, value: object) -> Tensor:
    """``value`` if it is a tensor; a distribution or anything else gets a ``ValueError``."""
    if isinstance(value, Distribution):
        raise ValueError(
            f"{name}: expected a torch.Tensor, got a {type(value).__name__} distribution"
        )
    if not isinstance(value, Tensor):
        raise ValueError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
    return value


def _require_finite(name: str, value: Tensor) -> None:
    if value.numel():
        low, high = torch.aminmax(value.detach())
        # NaN and infinities show up in the minimum or the maximum: one pass
        require(torch.isfinite(low) & torch.isfinite(high), lambda: _raise_not_finite(name, value))


def _raise_not_finite(name: str, value: Tensor) -> None:
    bad = int((~torch.isfinite(value)).sum())
    raise ValueError(f"{name}: expected finite values, got {bad} NaN or infinite entries")


def _require_real_dtype(name: str, value: Tensor, what: str = "real numbers") -> None:
    if value.dtype == torch.bool or value.is_complex():
        raise ValueError(f"{name}: expected {what}, got dtype {value.dtype}")


def working_precision(outputs: Tensor) -> Tensor:
    """``outputs`` in float32 if they are 16-bit floats (``float16``, ``bfloat16``).

    Under ``torch.autocast`` a network's outputs come out in a 16-bit type; a recipe
    computes its loss from them in float32, as PyTorch's own losses do under autocast.
    Anything else (other dtypes, non-tensors, which the checks then refuse) is returned
    unchanged.
    """
    if isinstance(outputs, Tensor) and outputs.dtype in (torch.float16, torch.bfloat16):
        return outputs.float()
    return outputs


def check_inputs(x: object) -> Tensor:
    """Network inputs: a finite floating-point tensor with at least one row."""
    x = require_tensor("x", x)
    if x.dim() == 0 or x.shape[0] == 0:
        raise ValueError(
            f"x: expected one row per example, at least one, got shape {_shape(x.shape)}"
        )
    if not x.is_floating_point():
        raise ValueError(f"x: expected a floating-point tensor, got dtype {x.dtype}")
    _require_finite("x", x)
    return x


def check_outputs(outputs: object, num_outputs: int, values: bool = True) -> Tensor:
    """Raw outputs: a finite floating-point tensor of shape ``(N, num_outputs)``.

    More leading dimensions are allowed, ``(..., num_outputs)``: a recipe works on the
    last axis (how :class:`~lossrecipe.Independent` uses one).  16-bit floats come back in
    float32 (:func:`working_precision`).  ``values=False`` skips the finiteness check,
    the one that reads every entry.
    """
    outputs = require_tensor("outputs", outputs)
    if outputs.dim() < 2 or outputs.shape[-1] != num_outputs:
        hint = ""
        if outputs.dim() == 1 and num_outputs == 1:
            hint = "; use outputs.unsqueeze(-1) for a single output column"
        raise ValueError(
            f"outputs: expected shape (N, {num_outputs}), one column per raw output, "
            f"got {_shape(outputs.shape)}{hint}"
        )
    if not outputs.is_floating_point():
        raise ValueError(f"outputs: expected a floating-point tensor, got dtype {outputs.dtype}")
    outputs = working_precision(outputs)
    if values:
        _require_finite("outputs", outputs)
    return outputs


def check_real(name: str, value: object, dim: int, want: str) -> Tensor:
    """A finite real tensor with ``dim`` dimensions (shape ``want`` in messages); integer
    dtypes are accepted."""
    value = require_tensor(name, value)
    _require_real_dtype(name, value)
    if value.dim() != dim:
        raise ValueError(f"{name}: expected shape {want}, got {_shape(value.shape)}")
    _require_finite(name, value)
    return value


def float_dtype(*tensors: Tensor) -> torch.dtype:
    """The floating dtype the tensors promote to (torch's default if none is floating)."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype if dtype.is_floating_point else torch.get_default_dtype()


def check_class_probabilities(probs: object, y: object) -> tuple[Tensor, Tensor]:
    """``(N, K)`` class probabilities and ``(N,)`` class indices ``0..K-1``, read once.

    ``probs``: rows in ``[0, 1]`` summing to 1 (within ``sqrt(eps) K``), from a tensor, a
    ``Categorical`` or a ``Bernoulli`` (two classes); ``y`` comes back as ``int64``.
    """
    with read_once():
        probs = _class_probabilities(probs)
        n, num_classes = probs.shape
        classes = constraints.integer_interval(0, num_classes - 1)
        labels = check_targets(y, classes, (n,), probs.dtype, against="probs")
    return probs, labels


def _class_probabilities(probs: object) -> Tensor:
    if isinstance(probs, torch.distributions.Categorical | torch.distributions.Bernoulli):
        if len(probs.batch_shape) != 1:
            raise ValueError(
                f"probs: expected a {type(probs).__name__} with batch shape (N,), "
                f"got batch shape {tuple(probs.batch_shape)}"
            )
        p = probs.probs
        return (
            p if isinstance(probs, torch.distributions.Categorical) else torch.stack([1 - p, p], 1)
        )
    probs = require_tensor("probs", probs)
    if probs.dim() == 1:
        raise ValueError(
            f"probs: expected shape (N, K), one row of class probabilities per example, got "
            f"{_shape(probs.shape)}; for binary probabilities p use torch.stack([1 - p, p], dim=1)"
        )
    if probs.dim() != 2 or probs.shape[1] < 1:
        raise ValueError(f"probs: expected shape (N, K) with K >= 1, got {_shape(probs.shape)}")
    if not probs.is_floating_point():
        raise ValueError(f"probs: expected a floating-point tensor, got dtype {probs.dtype}")
    if probs.numel() == 0:
        return probs
    tolerance = math.sqrt(torch.finfo(probs.dtype).eps) * max(1, probs.shape[1])
    low, high = torch.aminmax(probs.detach())
    off_sum = (probs.detach().sum(dim=1) - 1.0).abs().max()
    # NaN fails every comparison, so it fails this one too
    require(
        (low >= 0) & (high <= 1) & (off_sum <= tolerance),
        lambda: _raise_probabilities_error(probs),
    )
    return probs


def _raise_probabilities_error(probs: Tensor) -> None:
    _require_finite("probs", probs)
    off_sum = float((probs.sum(dim=1) - 1.0).abs().max())
    raise ValueError(
        "probs: expected probabilities in [0, 1] whose rows sum to 1, got values from "
        f"{float(probs.min()):.4g} to {float(probs.max()):.4g} and row sums off by up to "
        f"{off_sum:.3g}; if these are logits, pass torch.softmax(logits, dim=1)"
    )


# --- targets against a declared support -----------------------------------------------------


def check_targets(
    y: object,
    support: Constraint,
    batch_shape: Sequence[int],
    dtype: torch.dtype,
    event_shape: Sequence[int] = (),
    *,
    values: bool = True,
    name: str = "y",
    against: str = "the batch of outputs",
) -> Tensor:
    """Check targets ``y`` against a ``support``; return them ready for a loss.

    ``y`` must have shape ``(*batch_shape, *event_shape)`` (``batch_shape`` is that of
    ``against``, named in the message); an ``independent`` support is checked through
    its base constraint.  Real-valued supports (``real``, ``positive``,
    :data:`open_unit_interval`, or any other constraint, checked with its own
    ``check``), labels (``boolean``) and counts (``nonnegative_integer``) come back in
    ``dtype``, the working dtype of the loss; class indices (``integer_interval(0,
    K - 1)``) and :class:`Rankings` as ``int64``.  Complex targets are refused, and so
    is ``bool`` except for labels.  Values are checked in ``y``'s own dtype, then again
    after the cast to ``dtype`` (a float64 target can round onto the edge of the
    support in float32).  ``values=False`` checks shapes and dtypes only.
    """
    y = require_tensor(name, y)
    while isinstance(support, constraints.independent):
        support = support.base_constraint
    if isinstance(support, Rankings):
        return _check_rankings(y, support, tuple(batch_shape), values)
    shape = (*batch_shape, *event_shape)
    if isinstance(support, constraints.integer_interval) and support.lower_bound == 0:
        return _check_classes(y, int(support.upper_bound) + 1, shape, against, values)
    _check_shape(name, y, shape, against)
    if support is constraints.boolean:
        if y.is_complex():
            raise ValueError(f"{name}: expected binary labels 0 or 1, got dtype {y.dtype}")
        if values and y.numel():
            # y - y^2 = y (1 - y) is 0 for the labels 0 and 1 only (NaN and +-inf give NaN
            # or -inf, which fail too): one pass and one min-max, in y's own precision.
            labels = y.detach().to(torch.promote_types(y.dtype, torch.float32))
            low, high = torch.aminmax(labels - labels * labels)
            require((low == 0) & (high == 0), lambda: _raise_label_error(name, y))
        return y.to(dtype)
    if support is constraints.nonnegative_integer:
        _require_real_dtype(name, y, "non-negative integer counts")
        if values and y.numel():
            low, high = torch.aminmax(y.detach())
            ok = low >= 0  # false for NaN
            if y.is_floating_point():
                ok = ok & torch.isfinite(high) & (y == torch.round(y)).all()
            require(ok, lambda: _raise_count_error(name, y))
        return y.to(dtype)
    _require_real_dtype(name, y)
    cast = y.to(dtype)
    if values and y.numel():
        _require_finite(name, y)
        if support is not constraints.real:
            require(support.check(y).all(), lambda: _raise_support_error(name, y, support))
        if cast.dtype != y.dtype:  # float64 targets for float32 outputs: still inside?
            inside = torch.isfinite(cast).all() & support.check(cast).all()
            require(inside, lambda: _raise_rounding_error(name, y, cast, support))
    return cast


def _check_shape(name: str, y: Tensor, shape: tuple[int, ...], against: str) -> None:
    if tuple(y.shape) != shape:
        hint = ""
        if y.dim() == len(shape) + 1 and y.shape[-1] == 1:
            hint = f"; use {name}.squeeze(-1) (a trailing 1 would broadcast silently)"
        raise ValueError(
            f"{name}: expected shape {_shape(shape)} to match {against}, "
            f"got {_shape(y.shape)}{hint}"
        )


def _raise_label_error(name: str, y: Tensor) -> None:
    """The binary-label ``ValueError`` for the first entry of ``y`` not 0 or 1."""
    bad = y[(y != 0) & (y != 1)][0].item()
    raise ValueError(
        f"{name}: expected binary labels 0 or 1, got {bad!r}; pass labels, not probabilities, "
        f"as {name}"
    )


def _raise_count_error(name: str, y: Tensor) -> None:
    if y.is_floating_point() and not bool(torch.isfinite(y).all()):
        _raise_not_finite(name, y)
    if bool((y < 0).any()):
        bad = y[y < 0][0].item()
        raise ValueError(
            f"{name}: expected non-negative integer counts, got the negative value {bad!r}"
        )
    raise ValueError(
        f"{name}: expected non-negative integer counts, got the fractional value "
        f"{y[y != torch.round(y)][0].item()!r}; pass counts, not rates or averages"
    )


def _support_in_words(support: Constraint) -> str:
    if support is constraints.positive:
        return "positive values"
    return f"values in the support {support}"


def _raise_support_error(name: str, y: Tensor, support: Constraint) -> None:
    bad = y[~support.check(y)][0].item()
    raise ValueError(f"{name}: expected {_support_in_words(support)}, got {bad!r}")


def _raise_rounding_error(name: str, y: Tensor, cast: Tensor, support: Constraint) -> None:
    outside = ~(support.check(cast) & torch.isfinite(cast))
    given, rounded = y[outside][0].item(), cast[outside][0].item()
    raise ValueError(
        f"{name}: expected {_support_in_words(support)} in {cast.dtype}, the dtype of the "
        f"computation, got {given!r}, which rounds to {rounded!r} there; compute in "
        f"{y.dtype} (for a recipe: outputs.to({y.dtype}))"
    )


def _check_classes(
    y: Tensor, num_classes: int, shape: tuple[int, ...], against: str, values: bool
) -> Tensor:
    """Class indices ``0..K-1`` of the given shape, returned as ``int64``."""
    if tuple(y.shape) == (*shape, num_classes):
        raise ValueError(
            f"y: expected class indices of shape {_shape(shape)}, got {_shape(y.shape)}; "
            "if these are one-hot vectors or probabilities, pass y.argmax(dim=-1)"
        )
    _check_shape("y", y, shape, against)
    _require_real_dtype("y", y, "integer class indices")
    if values and y.numel():
        low, high = torch.aminmax(y.detach())
        ok = (low >= 0) & (high <= num_classes - 1)  # also false for NaN
        if y.is_floating_point():
            ok = ok & (y == torch.round(y)).all()
        require(ok, lambda: _raise_class_error(y, num_classes))
    return y.long()


def _raise_class_error(y: Tensor, num_classes: int) -> None:
    if y.is_floating_point():
        if not bool(torch.isfinite(y).all()) or not bool((y == torch.round(y)).all()):
            raise ValueError("y: expected integer class indices, got non-integer values")
    low, high = int(y.min()), int(y.max())
    raise ValueError(
        f"y: expected class indices 0..{num_classes - 1} for {num_classes} classes, "
        f"got values from {low} to {high}"
        + ("; labels 1..K must be shifted to 0..K-1" if high == num_classes else "")
    )


def _check_rankings(y: Tensor, support: Rankings, batch: tuple[int, ...], values: bool) -> Tensor:
    """Rankings ``(*batch, k)``, ``1 <= k <= K``, distinct items best first, as ``int64``."""
    k = support.num_items
    if y.dim() != len(batch) + 1 or tuple(y.shape[:-1]) != batch or not 1 <= y.shape[-1] <= k:
        hint = "; a single ranking needs y.unsqueeze(0)" if y.dim() == len(batch) else ""
        want = "(" + ", ".join([*(str(n) for n in batch), "k"]) + ")"
        raise ValueError(
            f"y: expected rankings of shape {want}, 1 <= k <= {k}, item indices best first, "
            f"got shape {_shape(y.shape)}{hint}"
        )
    _require_real_dtype("y", y, "integer item indices")
    if values and y.numel():
        ok = support.check(y).all()
        if y.is_floating_point():
            ok = ok & (y == torch.round(y)).all()
        require(ok, lambda: _raise_ranking_error(y, k))
    return y.long()


def _raise_ranking_error(y: Tensor, k: int) -> None:
    if y.is_floating_point() and not bool((torch.isfinite(y) & (y == torch.round(y))).all()):
        raise ValueError("y: expected integer item indices, got non-integer values")
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= k:
        raise ValueError(
            f"y: expected item indices 0..{k - 1} for {k} items, got values from {low} to {high}"
        )
    rows = y.long().reshape(-1, y.shape[-1])
    row = int((~Rankings(k).check(rows)).nonzero()[0, 0])
    raise ValueError(
        f"y: expected distinct items in each ranking, got row {row}: {rows[row].tolist()}"
    )


def check_scalar_distribution(distribution: object) -> torch.distributions.Distribution:
    """``distribution`` if it is one scalar distribution per example (batch shape ``(N,)``)."""
    if not isinstance(distribution, torch.distributions.Distribution):
        raise ValueError(
            "distribution: expected a torch.distributions.Distribution (for example "
            f"recipe.distribution(outputs)), got {type(distribution).__name__}"
        )
    if tuple(distribution.event_shape) != () or len(distribution.batch_shape) != 1:
        raise ValueError(
            "distribution: expected one scalar distribution per example (batch shape (N,), "
            f"event shape ()), got batch shape {tuple(distribution.batch_shape)} and event "
            f"shape {tuple(distribution.event_shape)}"
        )
    return distribution
