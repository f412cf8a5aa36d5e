"""Input checks shared by the recipes.

Every check raises ``ValueError`` with a message that names the argument, says
what was expected and what was given, so that a student's mistake (a missing
output column, labels 1..K instead of 0..K-1, a ``(N, 1)`` target that would
broadcast silently against ``(N,)`` predictions) is caught where it is made.


The recipes declare *what* is checked (their ``support``, a
``torch.distributions.constraints`` object); :func:`check_targets` turns the
declaration into the check and this module decides *how* a mistake is said.
Checks that read every value (finiteness, the support) can be switched off with
``values=False``; shapes and dtypes, which cost nothing, are always checked.

Reading a result back from the device (``bool(ok)``) makes the host wait for it.  Each
value check therefore reduces its tensor to one boolean on the device and reads it
once; inside :func:`read_once` (what a recipe's ``nll`` uses for its outputs and
targets together) the booleans of every check are combined and read once in all.  The
culprit, and with it the message, is looked up only after a check has failed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

import torch
from torch import Tensor
from torch.distributions import constraints
from torch.distributions.constraints import Constraint

__all__ = [
    "Reduction",
    "check_targets",
    "check_inputs",
    "check_outputs",
    "check_real_targets",
    "check_binary_targets",
    "check_class_targets",
    "check_count_targets",
    "check_target_shape",
    "check_positive",
    "check_unit_open",
    "check_positive_targets",
    "check_positive_integer",
    "check_reduction",
    "read_once",
    "require",
    "working_precision",
]

Reduction = Literal["sum", "mean", "none"]
REDUCTIONS: tuple[Reduction, ...] = ("sum", "mean", "none")


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(d) for d in t.shape) + ")"


def _require_tensor(name: str, value: object) -> Tensor:
    if not isinstance(value, Tensor):
        raise ValueError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
    return value


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


def _require_finite(name: str, value: Tensor) -> None:
    if value.numel():
        low, high = torch.aminmax(value.detach())
        # NaN and infinities show up in the minimum or the maximum: one pass
        require(torch.isfinite(low) & torch.isfinite(high), lambda: _raise_not_finite(name, value))


def _raise_not_finite(name: str, value: Tensor) -> None:
    bad = int((~torch.isfinite(value)).sum())
    raise ValueError(f"{name}: expected finite values, got {bad} NaN or infinite entries")


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
    """Check network inputs: a finite floating-point tensor with one row per example."""
    x = _require_tensor("x", x)
    if x.dim() == 0:
        raise ValueError("x: expected one row per example, got a 0-dimensional tensor")
    if not x.is_floating_point():
        raise ValueError(f"x: expected a floating-point tensor, got dtype {x.dtype}")
    _require_finite("x", x)
    return x


def check_outputs(outputs: object, num_outputs: int, values: bool = True) -> Tensor:
    """Check that ``outputs`` is a finite floating-point tensor of shape ``(N, num_outputs)``.

    ``values=False`` skips the finiteness check, the one that reads every entry.
    """
    outputs = _require_tensor("outputs", outputs)
    if outputs.dim() != 2 or outputs.shape[1] != num_outputs:
        hint = ""
        if outputs.dim() == 1 and num_outputs == 1:
            hint = "; use outputs.unsqueeze(-1) for a single output column"
        raise ValueError(
            f"outputs: expected shape (N, {num_outputs}), one column per raw output, "
            f"got {_shape(outputs)}{hint}"
        )
    if not outputs.is_floating_point():
        raise ValueError(f"outputs: expected a floating-point tensor, got dtype {outputs.dtype}")
    if values:
        _require_finite("outputs", outputs)
    return outputs


def _check_batch(y: Tensor, outputs: Tensor, trailing: tuple[int, ...] = ()) -> None:
    n = outputs.shape[0]
    expected = (n, *trailing)
    if tuple(y.shape) != expected:
        hint = ""
        if y.dim() == len(expected) + 1 and y.shape[-1] == 1:
            hint = "; use y.squeeze(-1) (a trailing 1 would broadcast silently)"
        want = "(" + ", ".join(str(d) for d in expected) + ("," if len(expected) == 1 else "") + ")"
        raise ValueError(
            f"y: expected shape {want} to match outputs of shape {_shape(outputs)}, "
            f"got {_shape(y)}{hint}"
        )


def check_real_targets(
    y: object, outputs: Tensor, trailing: tuple[int, ...] = (), values: bool = True
) -> Tensor:
    """Check real-valued targets: finite, one per example; return them in ``outputs.dtype``."""
    y = _require_tensor("y", y)
    _check_batch(y, outputs, trailing)
    if y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"y: expected real numbers, got dtype {y.dtype}")
    y = y.to(outputs.dtype)
    if values:
        _require_finite("y", y)
    return y


def check_positive_targets(
    y: object, outputs: Tensor, trailing: tuple[int, ...] = (), values: bool = True
) -> Tensor:
    """Check positive real targets (durations, sizes); return them in ``outputs.dtype``."""
    y = check_real_targets(y, outputs, trailing, values=False)
    if values and y.numel():
        low, high = torch.aminmax(y.detach())
        # low > 0 fails for NaN and -inf too; one range, one read
        require((low > 0) & torch.isfinite(high), lambda: _raise_positive_error(y))
    return y


def _raise_positive_error(y: Tensor) -> None:
    _require_finite("y", y)
    bad = y[y <= 0][0].item()
    raise ValueError(f"y: expected positive values, got {bad!r}")


def check_binary_targets(
    y: object, outputs: Tensor, trailing: tuple[int, ...] = (), values: bool = True
) -> Tensor:
    """Check binary labels: shape ``(N,)``, every entry 0 or 1; return them in ``outputs.dtype``."""
    y = _require_tensor("y", y)
    _check_batch(y, outputs, trailing)
    y = y.to(outputs.dtype)
    if values and y.numel():
        # y - y^2 = y (1 - y) is 0 for the labels 0 and 1 only (NaN and +-inf give
        # NaN or -inf, which fail the test below too): one pass and one reduction, a
        # min-max, which PyTorch runs faster than any().  Find the culprit only on failure.
        low, high = torch.aminmax(torch.addcmul(y, y, y, value=-1.0))
        require((low == 0) & (high == 0), lambda: _raise_binary_label_error(y))
    return y


def _raise_binary_label_error(y: Tensor) -> None:
    """Raise the binary-label ``ValueError`` for the first entry of ``y`` not 0 or 1."""
    bad = y[(y != 0) & (y != 1)][0].item()
    raise ValueError(
        f"y: expected binary labels 0 or 1, got {bad!r}; pass labels, not probabilities, as y"
    )


def check_class_targets(
    y: object,
    outputs: Tensor,
    num_classes: int,
    trailing: tuple[int, ...] = (),
    values: bool = True,
) -> Tensor:
    """Check class indices: shape ``(N,)``, integers in ``0..K-1``; return them as ``int64``."""
    y = _require_tensor("y", y)
    one_hot = (outputs.shape[0], *trailing, num_classes)
    if tuple(y.shape) == one_hot:
        want = "(" + ", ".join(str(d) for d in one_hot[:-1]) + ("," if not trailing else "") + ")"
        raise ValueError(
            f"y: expected class indices of shape {want}, got {_shape(y)}; "
            "if these are one-hot vectors or probabilities, pass y.argmax(dim=-1)"
        )
    _check_batch(y, outputs, trailing)
    if y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"y: expected integer class indices, got dtype {y.dtype}")
    if not values or y.numel() == 0:
        return y.long()
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
    y = y.long()
    low, high = int(y.min()), int(y.max())
    raise ValueError(
        f"y: expected class indices 0..{num_classes - 1} for {num_classes} classes, "
        f"got values from {low} to {high}"
        + ("; labels 1..K must be shifted to 0..K-1" if high == num_classes else "")
    )


def _as_number(name: str, value: object, expected: str) -> float:
    """``float(value)``, or the ``ValueError`` that names ``name`` and what was expected."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {expected}, got {value!r}") from None


def check_positive(name: str, value: float) -> float:
    """Check a fixed scalar parameter (a standard deviation, a scale) is finite and positive."""
    number = _as_number(name, value, "a positive number")
    if not (number > 0 and number != float("inf")):
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")
    return number


def check_reduction(reduction: str) -> Reduction:
    """Check the reduction is one of ``sum``, ``mean``, ``none``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def check_target_shape(y: object, outputs: Tensor, trailing: tuple[int, ...] = ()) -> Tensor:
    """Check ``y`` is a tensor of shape ``(N, *trailing)`` for outputs of shape ``(N, ...)``."""
    y = _require_tensor("y", y)
    _check_batch(y, outputs, trailing)
    return y


def check_count_targets(
    y: object, outputs: Tensor, trailing: tuple[int, ...] = (), values: bool = True
) -> Tensor:
    """Check counts ``0, 1, 2, ...`` of shape ``(N, *trailing)``; return them in ``outputs.dtype``.

    Integer and floating-point dtypes are accepted (``3`` and ``3.0`` are the same
    count); negative, fractional, NaN and infinite values are not.
    """
    y = check_target_shape(y, outputs, trailing)
    if y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"y: expected non-negative integer counts, got dtype {y.dtype}")
    if not values or y.numel() == 0:
        return y.to(outputs.dtype)
    # One pass for the range (NaN and infinities show in it, as does a negative count),
    # one for the integer check, one read for both; the culprit is looked up only on
    # failure.
    low, high = torch.aminmax(y.detach())
    ok = low >= 0  # false for NaN
    if y.is_floating_point():
        ok = ok & torch.isfinite(high) & (y == torch.round(y)).all()
    require(ok, lambda: _raise_count_error(y))
    return y.to(outputs.dtype)


def _raise_count_error(y: Tensor) -> None:
    if y.is_floating_point():
        _require_finite("y", y)
    if bool((y < 0).any()):
        bad = y[y < 0][0].item()
        raise ValueError(f"y: expected non-negative integer counts, got the negative value {bad!r}")
    rounded = torch.round(y)
    raise ValueError(
        "y: expected non-negative integer counts, got the fractional value "
        f"{y[y != rounded][0].item()!r}; pass counts, not rates or averages"
    )


def check_positive_integer(name: str, value: object, minimum: int = 1) -> int:
    """Check a size setting (a number of components, of points) is an integer ``>= minimum``.

    ``bool`` is refused although it is an ``int`` to Python (``True`` is no size).
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return value


def check_targets(
    y: object,
    outputs: Tensor,
    support: Constraint,
    trailing: tuple[int, ...] = (),
    values: bool = True,
) -> Tensor:
    """Check ``y`` against a recipe's declared ``support``; return it ready for the NLL.

    ``y`` must have shape ``(N, *trailing)`` for ``outputs`` of shape ``(N, ...)``.  An
    ``independent`` support is checked through its base constraint.  Supported:
    ``real``, ``positive``, ``boolean`` (labels 0 or 1), ``integer_interval(0, K - 1)``
    (class indices), ``nonnegative_integer`` (counts); any other constraint is checked
    with its own ``check`` after the real-number checks.  ``values=False`` checks
    shapes and dtypes only.
    """
    while isinstance(support, constraints.independent):
        support = support.base_constraint
    if support is constraints.real:
        return check_real_targets(y, outputs, trailing, values)
    if support is constraints.positive:
        return check_positive_targets(y, outputs, trailing, values)
    if support is constraints.boolean:
        return check_binary_targets(y, outputs, trailing, values)
    if support is constraints.nonnegative_integer:
        return check_count_targets(y, outputs, trailing, values)
    if isinstance(support, constraints.integer_interval) and support.lower_bound == 0:
        num_classes = int(support.upper_bound) + 1
        return check_class_targets(y, outputs, num_classes, trailing, values)
    checked = check_real_targets(y, outputs, trailing, values)
    if values and checked.numel():
        require(support.check(checked).all(), lambda: _raise_support_error(checked, support))
    return checked


def _raise_support_error(y: Tensor, support: Constraint) -> None:
    bad = y[~support.check(y)][0].item()
    raise ValueError(f"y: expected values in the support {support}, got {bad!r}")


def check_unit_open(name: str, value: float) -> float:
    """Check a fixed setting (a quantile level) lies in the open interval ``(0, 1)``."""
    number = _as_number(name, value, "a number in (0, 1)")
    if isinstance(value, bool) or not 0.0 < number < 1.0:
        raise ValueError(f"{name}: expected a number strictly between 0 and 1, got {value!r}")
    return number
