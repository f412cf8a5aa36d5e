"""Checks for the book's graded exercises: is an answer right, and if not, what is wrong?

The assignment edition of a chapter (``assignments/NN_name.ipynb``) asks for two kinds of
answer, and its check cells call one function for each:

- :func:`check_expression`: a result derived by hand, entered as a SymPy expression. It
  passes when ``simplify(answer - truth) == 0``, or, where simplification is not
  conclusive, when the two agree to 25 digits at random points of their domain.
- :func:`check_function`: a function written by the student, compared with a reference
  (``lossrecipe``, ``torch.distributions``, a closed form) on given inputs, edge cases
  included.

Both raise ``AssertionError`` with a message a student can act on: the name of a planted
mistake the wrong answer matches ("did you divide by N - 1?"), else what the answer is off
by (a constant factor, an added constant, the sign), else a point where it differs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath
import sympy as sp
import torch

__all__ = ["check_expression", "check_function"]

Mistake = tuple[Any, str]  # (the wrong expression or function, what to tell the student)

_DIGITS = 30  # working precision of the numeric comparison
_AGREE = 1e-25  # relative difference below which two values are equal at that precision
_CLOSE = 1e-3  # a relative difference below this is "close but not exact"


def _is_blank(answer: object) -> bool:
    return answer is Ellipsis or answer is None


def _as_expression(answer: object, name: str) -> sp.Expr:
    if _is_blank(answer):
        raise AssertionError(
            f"`{name}` is still `...`: replace it with your result, a SymPy expression"
        )
    if isinstance(answer, bool) or not isinstance(answer, sp.Basic | int | float):
        raise AssertionError(
            f"`{name}` should be a SymPy expression (or a number), not a {type(answer).__name__}"
        )
    expression = sp.sympify(answer)
    if isinstance(expression, sp.Eq):
        raise AssertionError(
            f"`{name}` is an equation; give only its right-hand side, {expression.rhs}"
        )
    if not isinstance(expression, sp.Expr):
        raise AssertionError(f"`{name}` should be a SymPy expression, not {expression}")
    return expression


def _by_name(expression: sp.Expr, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """Replace each free symbol by the question's symbol of the same name.

    A student who writes ``sp.Symbol("sigma")`` without ``positive=True`` means the
    question's ``sigma``; SymPy would treat the two as different variables.
    """
    known = {str(s): s for s in symbols}
    swap = {s: known[str(s)] for s in expression.free_symbols if str(s) in known}
    return expression.xreplace(swap)


def _draw(symbol: sp.Symbol, rng: random.Random, domain: tuple[float, float] | None) -> Any:
    if domain is not None:
        low, high = domain
    elif symbol.is_positive:
        low, high = 0.3, 2.5
    elif symbol.is_nonnegative:
        low, high = 0.0, 2.5
    else:
        low, high = -2.0, 2.0
    if symbol.is_integer:
        return mpmath.mpf(rng.randint(max(math.ceil(low), 2 if symbol.is_positive else -5), 30))
    return mpmath.mpf(rng.uniform(low, high))


def _values(
    expressions: Sequence[sp.Expr],
    symbols: Sequence[sp.Symbol],
    domain: Mapping[sp.Symbol, tuple[float, float]],
    samples: int,
    seed: int,
) -> list[tuple[dict[sp.Symbol, Any], list[Any]]]:
    """The expressions' values at random points where all of them are finite and real."""
    functions = [sp.lambdify(symbols, e, "mpmath") for e in expressions]
    rng = random.Random(seed)
    points: list[tuple[dict[sp.Symbol, Any], list[Any]]] = []
    with mpmath.workdps(_DIGITS):
        for _ in range(20 * samples):
            if len(points) == samples:
                break
            point = {s: _draw(s, rng, domain.get(s)) for s in symbols}
            try:
                values = [mpmath.mpmathify(f(*point.values())) for f in functions]
            except (ArithmeticError, ValueError, TypeError):
                continue
            if all(
                isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in values
            ):  # real and finite
                points.append((point, values))
    return points


def _equal(a: Any, b: Any, tolerance: float = _AGREE) -> bool:
    return bool(abs(a - b) <= tolerance * max(1, abs(b)))


def _show(point: Mapping[sp.Symbol, Any]) -> str:
    return ", ".join(f"{s} = {mpmath.nstr(v, 4)}" for s, v in point.items())


def check_expression(
    answer: object,
    truth: sp.Expr,
    *,
    name: str,
    symbols: Sequence[sp.Symbol] = (),
    mistakes: Sequence[Mistake] = (),
    domain: Mapping[sp.Symbol, tuple[float, float]] | None = None,
    samples: int = 12,
    seed: int = 0,
) -> None:
    """Assert that ``answer`` equals ``truth`` as a function of their symbols.

    Equal when ``simplify(answer - truth) == 0``; where simplification is not conclusive,
    when the two agree to 25 significant digits at ``samples`` random points (30-digit
    arithmetic). Points are drawn from ``domain[s] = (low, high)`` for a symbol ``s``,
    else from (0.3, 2.5) for a positive symbol, (-2, 2) for a real one, and 2..30 for an
    integer. Symbols are matched by name, so the answer may use its own copies.

    ``mistakes`` pairs a plausible wrong result with what to tell the student; when the
    answer matches none, the message says whether it is off by a constant factor, an
    added constant, or only close, or gives a point where it differs.
    """
    domain = dict(domain or {})
    named = {str(s): s for s in symbols}
    truth_symbols = sp.sympify(truth).free_symbols
    named |= {str(s): s for s in truth_symbols if str(s) not in named}
    known = sorted(named.values(), key=str)
    wanted = _by_name(sp.sympify(truth), known)
    expression = _by_name(_as_expression(answer, name), known)
    if sp.simplify(expression - wanted) == 0:
        return
    strangers = sorted(str(s) for s in expression.free_symbols - set(known))
    if strangers:
        allowed = ", ".join(str(s) for s in known) or "none"
        raise AssertionError(
            f"`{name}` contains {', '.join(strangers)}, which the result cannot depend on "
            f"(its symbols: {allowed})"
        )
    all_symbols = sorted(set(known) | expression.free_symbols, key=str)
    candidates = [expression, wanted] + [
        _by_name(sp.sympify(wrong), known) for wrong, _ in mistakes
    ]
    points = _values(candidates, all_symbols, domain, samples, seed)
    if not points:
        raise AssertionError(f"`{name}` could not be evaluated at any point of the domain")
    if all(_equal(values[0], values[1]) for _, values in points):
        return  # equal at every point: simplification was not conclusive
    for k, (_, message) in enumerate(mistakes):
        if all(_equal(values[0], values[2 + k]) for _, values in points):
            raise AssertionError(f"`{name}` is not right: {message}")
    raise AssertionError(f"`{name}` is not right: {_diagnose(expression, wanted, points)}")


def _number(value: Any) -> str:
    """A short exact form of a numeric constant when one exists (2, 1/2, pi/2), else 6 digits."""
    guess = sp.nsimplify(float(value), [sp.pi], tolerance=1e-12)
    return str(guess) if sp.count_ops(guess) <= 4 else mpmath.nstr(value, 6)


def _diagnose(
    answer: sp.Expr, truth: sp.Expr, points: list[tuple[dict[sp.Symbol, Any], list[Any]]]
) -> str:
    """Say what a wrong answer is off by, as precisely as the values allow."""
    got = [values[0] for _, values in points]
    want = [values[1] for _, values in points]
    if all(_equal(g, w, _CLOSE) for g, w in zip(got, want, strict=True)):
        return "it is close to the result but not equal: enter it exactly, not rounded"
    if all(w != 0 for w in want):
        ratios = [g / w for g, w in zip(got, want, strict=True)]
        if all(_equal(r, ratios[0], 1e-20) for r in ratios):
            if _equal(ratios[0], -1, 1e-20):
                return "it has the wrong sign"
            return f"it is off by a constant factor {_number(ratios[0])}"
    shifts = [g - w for g, w in zip(got, want, strict=True)]
    if all(_equal(d, shifts[0], 1e-20) for d in shifts):
        return f"it is off by an added constant {_number(shifts[0])}"
    if all(w != 0 for w in want):
        factor = sp.simplify(answer / truth)
        if factor.is_rational_function() and sp.count_ops(factor) <= 8:
            return f"it is off by a factor {factor}"
    point, values = points[0]
    where = f" at {_show(point)}" if point else ""
    return (
        f"it gives {mpmath.nstr(values[0], 6)}{where}, where the result is "
        f"{mpmath.nstr(values[1], 6)}"
    )


def _describe(value: object) -> str:
    if isinstance(value, torch.Tensor):
        if value.numel() <= 6:
            return f"tensor({[float(f'{v:.6g}') for v in value.reshape(-1).tolist()]})"
        return f"a tensor of shape {tuple(value.shape)}"
    return repr(value)


def _arguments(args: Sequence[object]) -> str:
    return ", ".join(_describe(a) for a in args)


def _as_tensor(value: object, name: str, args: Sequence[object]) -> torch.Tensor:
    if _is_blank(value):
        raise AssertionError(
            f"`{name}` returned {value!r}: replace the `...` with code that returns the result"
        )
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise AssertionError(
            f"`{name}({_arguments(args)})` returned a {type(value).__name__}, not a number or "
            "a tensor"
        ) from None


def check_function(
    candidate: object,
    reference: Callable[..., Any],
    cases: Sequence[Sequence[object]],
    *,
    name: str,
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-9,
    atol: float = 1e-12,
) -> None:
    """Assert that ``candidate(*args)`` matches ``reference(*args)`` for every ``args``.

    Values are compared in float64 with ``torch.allclose(rtol, atol)``, with infinities
    and NaNs in the same places; an infinite or NaN value where the reference is finite
    is reported as such (an unstable form such as ``log(sigmoid(z))`` at ``z = -1e4``).
    On a mismatch, ``mistakes`` (wrong functions, each with what to tell the student)
    are tried on the same inputs, and the first that matches names the mistake.
    """
    if _is_blank(candidate) or not callable(candidate):
        raise AssertionError(
            f"`{name}` is not a function yet: define it in the cell above (got {candidate!r})"
        )
    for args in cases:
        expected = torch.as_tensor(reference(*args), dtype=torch.float64)
        try:
            result = candidate(*args)
        except NotImplementedError:
            raise AssertionError(f"`{name}` still raises NotImplementedError") from None
        except Exception as error:  # the student's code may raise anything
            raise AssertionError(
                f"`{name}({_arguments(args)})` raised {type(error).__name__}: {error}"
            ) from None
        got = _as_tensor(result, name, args)
        if got.shape != expected.shape:
            raise AssertionError(
                f"`{name}({_arguments(args)})` has shape {tuple(got.shape)}, expected "
                f"{tuple(expected.shape)}"
            )
        if torch.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
            continue
        call = f"`{name}({_arguments(args)})`"
        for wrong, message in mistakes:
            try:
                wrong_value = torch.as_tensor(wrong(*args), dtype=torch.float64)
            except Exception:  # a mistake that cannot even run on these inputs
                continue
            same = wrong_value.shape == got.shape and torch.allclose(
                got, wrong_value, rtol=rtol, atol=atol, equal_nan=True
            )
            if same:
                raise AssertionError(f"{call} is not right: {message}")
        if (~torch.isfinite(got) & torch.isfinite(expected)).any():
            raise AssertionError(
                f"{call} gives {_describe(got)}, where the result is finite, "
                f"{_describe(expected)}: use a numerically stable form"
            )
        raise AssertionError(f"{call} gives {_describe(got)}, expected {_describe(expected)}")
