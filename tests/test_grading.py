"""lossrecipe.grading: the checks behind the assignment edition's check cells."""

import pytest
import sympy as sp
import torch

from lossrecipe.grading import check_expression, check_function

I = sp.Symbol("I", positive=True, integer=True)  # noqa: E741
S, x = sp.symbols("S x", positive=True)


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as failure:
        check(*args, **kwargs)
    return str(failure.value)


def test_expression_equal_after_simplification():
    check_expression(sp.log(S**2) / 2 - sp.log(I), sp.log(S / I), name="v")


def test_expression_equal_where_simplify_gives_up():
    # simplify leaves atan(x) + atan(1/x) - pi/2 alone; the values agree to 25 digits.
    assert sp.simplify(sp.atan(x) + sp.atan(1 / x) - sp.pi / 2) != 0
    check_expression(sp.atan(x) + sp.atan(1 / x), sp.pi / 2, name="v", symbols=[x])


def test_expression_symbols_matched_by_name():
    plain_s, plain_i = sp.symbols("S I")  # no assumptions: different SymPy symbols
    check_expression(plain_s / plain_i, S / I, name="v")


@pytest.mark.parametrize(
    "answer, says",
    [
        (..., "is still `...`"),
        (None, "is still `...`"),
        ("S / I", "should be a SymPy expression"),
        (sp.Eq(sp.Symbol("v"), S / I), "give only its right-hand side"),
        (S / (I - 1), "did you divide by I - 1?"),
        (2 * S / I, "off by a constant factor 2"),
        (-S / I, "wrong sign"),
        (S / I + sp.pi / 2, "off by an added constant pi/2"),
        (S / (I + 1), "off by a factor I/(I + 1)"),
        (S / I * 1.0001, "close to the result but not equal"),
        (S / I + sp.Symbol("z"), "contains z"),
        (S**2 / I, "off by a factor S"),
        (sp.log(S) / I, "it gives"),
    ],
)
def test_expression_feedback_names_the_mistake(answer, says):
    mistakes = [(S / (I - 1), "did you divide by I - 1?")]
    assert says in _message(check_expression, answer, S / I, name="v", mistakes=mistakes)


def _bce(z, y):
    return torch.nn.functional.softplus(-z) * y + torch.nn.functional.softplus(z) * (1 - y)


def _naive_bce(z, y):
    return -(y * torch.log(torch.sigmoid(z)) + (1 - y) * torch.log(1 - torch.sigmoid(z)))


CASES = [
    (torch.tensor([0.3, -1.2], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)),
    (torch.tensor([-1e4, 1e4], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)),
]


def test_function_passes_a_right_answer():
    check_function(lambda z, y: _bce(z, y).clone(), _bce, CASES, name="bce")


def _raises(error):
    def function(*args):
        raise error

    return function


@pytest.mark.parametrize(
    "candidate, says",
    [
        (..., "is not a function yet"),
        (lambda z, y: None, "returned None"),
        (_raises(NotImplementedError), "still raises NotImplementedError"),
        (_raises(IndexError("out of range")), "raised IndexError: out of range"),
        (lambda z, y: "text", "not a number or a tensor"),
        (lambda z, y: _bce(z, y).sum(), "has shape ()"),
        (_naive_bce, "log-sigmoid"),
        (lambda z, y: 2 * _bce(z, y), "expected tensor("),
    ],
)
def test_function_feedback(candidate, says):
    mistakes = [(_naive_bce, "log(sigmoid(z)) is -inf there: use log-sigmoid")]
    assert says in _message(check_function, candidate, _bce, CASES, name="bce", mistakes=mistakes)


def test_function_reports_an_unstable_form_without_a_named_mistake():
    message = _message(check_function, _naive_bce, _bce, CASES, name="bce")
    assert "gives tensor([inf, inf]), where the result is finite" in message
    assert "numerically stable form" in message
