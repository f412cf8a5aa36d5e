"""Input checks shared by the recipes.

Every check raises ``ValueError`` with a message that names the argument, says
what was expected and what was given, so that a student's mistake (a missing
output column, labels 1..K instead of 0..K-1, a ``(N, 1)`` target that would
broadcast silently against ``(N,)`` predictions) is caught where it is made.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "check_outputs",
    "check_real_targets",
    "check_binary_targets",
    "check_class_targets",
    "check_count_targets",
    "check_target_shape",
    "check_positive",
    "check_positive_integer",
    "check_reduction",
]

REDUCTIONS = ("sum", "mean", "none")


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(d) for d in t.shape) + ")"


def _require_tensor(name: str, value: object) -> Tensor:
    if not isinstance(value, Tensor):
        raise ValueError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
    return value


def _require_finite(name: str, value: Tensor) -> None:
    if value.numel() == 0:
        return
    # One pass over the data: NaN and infinities show up in the minimum or the maximum.
    low, high = torch.aminmax(value.detach())
    if not (bool(torch.isfinite(low)) and bool(torch.isfinite(high))):
        bad = int((~torch.isfinite(value)).sum())
        raise ValueError(f"{name}: expected finite values, got {bad} NaN or infinite entries")


def check_outputs(outputs: object, num_outputs: int) -> Tensor:
    """Check that ``outputs`` is a finite floating-point tensor of shape ``(N, num_outputs)``."""
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


def check_real_targets(y: object, outputs: Tensor, trailing: tuple[int, ...] = ()) -> Tensor:
    """Check real-valued targets: finite, one per example; return them in ``outputs.dtype``."""
    y = _require_tensor("y", y)
    _check_batch(y, outputs, trailing)
    if y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"y: expected real numbers, got dtype {y.dtype}")
    y = y.to(outputs.dtype)
    _require_finite("y", y)
    return y


def check_binary_targets(y: object, outputs: Tensor) -> Tensor:
    """Check binary labels: shape ``(N,)``, every entry 0 or 1; return them in ``outputs.dtype``."""
    y = _require_tensor("y", y)
    _check_batch(y, outputs)
    y = y.to(outputs.dtype)
    # y * y == y holds for 0 and 1 and for no other number but +inf, which the
    # maximum catches (NaN fails both); two passes over y instead of four.
    if y.numel() and not (torch.equal(y * y, y) and bool(y.max() <= 1)):
        bad = y[(y != 0) & (y != 1)][0].item()
        raise ValueError(
            f"y: expected binary labels 0 or 1, got {bad!r}; pass labels, not probabilities, as y"
        )
    return y


def check_class_targets(y: object, outputs: Tensor, num_classes: int) -> Tensor:
    """Check class indices: shape ``(N,)``, integers in ``0..K-1``; return them as ``int64``."""
    y = _require_tensor("y", y)
    if y.dim() == 2 and y.shape[0] == outputs.shape[0] and y.shape[1] == num_classes:
        raise ValueError(
            f"y: expected class indices of shape ({outputs.shape[0]},), got {_shape(y)}; "
            "if these are one-hot vectors or probabilities, pass y.argmax(dim=1)"
        )
    _check_batch(y, outputs)
    if y.is_floating_point():
        if not bool(torch.isfinite(y).all()) or not bool((y == torch.round(y)).all()):
            raise ValueError("y: expected integer class indices, got non-integer values")
    elif y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"y: expected integer class indices, got dtype {y.dtype}")
    y = y.long()
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(
            f"y: expected class indices 0..{num_classes - 1} for {num_classes} classes, "
            f"got values from {int(y.min())} to {int(y.max())}"
            + ("; labels 1..K must be shifted to 0..K-1" if int(y.max()) == num_classes else "")
        )
    return y


def check_positive(name: str, value: float) -> float:
    """Check a fixed scalar parameter (a standard deviation, a scale) is finite and positive."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a positive number, got {value!r}") from None
    if not (number > 0 and number != float("inf")):
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")
    return number


def check_reduction(reduction: str) -> str:
    """Check the reduction is one of ``sum``, ``mean``, ``none``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def check_target_shape(y: object, outputs: Tensor, trailing: tuple[int, ...] = ()) -> Tensor:
    """Check ``y`` is a tensor of shape ``(N, *trailing)`` for outputs of shape ``(N, ...)``."""
    y = _require_tensor("y", y)
    _check_batch(y, outputs, trailing)
    return y


def check_count_targets(y: object, outputs: Tensor, trailing: tuple[int, ...] = ()) -> Tensor:
    """Check counts ``0, 1, 2, ...`` of shape ``(N, *trailing)``; return them in ``outputs.dtype``.

    Integer and floating-point dtypes are accepted (``3`` and ``3.0`` are the same
    count); negative, fractional, NaN and infinite values are not.
    """
    y = check_target_shape(y, outputs, trailing)
    if y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"y: expected non-negative integer counts, got dtype {y.dtype}")
    if y.is_floating_point():
        _require_finite("y", y)
    negative = y < 0
    if bool(negative.any()):
        bad = y[negative][0].item()
        raise ValueError(f"y: expected non-negative integer counts, got the negative value {bad!r}")
    if y.is_floating_point():
        fractional = y != torch.round(y)
        if bool(fractional.any()):
            raise ValueError(
                "y: expected non-negative integer counts, got the fractional value "
                f"{y[fractional][0].item()!r}; pass counts, not rates or averages"
            )
    return y.to(outputs.dtype)


def check_positive_integer(name: str, value: object) -> int:
    """Check a size setting (a number of components, of dimensions) is an integer ``>= 1``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return value
