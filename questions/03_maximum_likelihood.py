"""Graded questions of chapter 03, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_underflow_count(points_until_underflow):
    import math

    import torch

    from lossrecipe.grading import check_function

    def reference(mean_log, smallest):
        # the running log-product i * mean_log falls below log(smallest) at i = ...
        return math.log(smallest) / mean_log

    tiny64 = float(torch.finfo(torch.float64).smallest_normal) * 2.0**-52
    tiny32 = float(torch.finfo(torch.float32).smallest_normal) * 2.0**-23
    cases = [(-0.9, tiny64), (-1.3, tiny32), (-0.05, tiny64)]
    check_function(
        points_until_underflow,
        reference,
        cases,
        name="points_until_underflow",
        rtol=1e-12,
        mistakes=[
            (
                lambda m, s: math.log10(s) / m,
                "the log-likelihoods are natural logs: use log, not log10, of the smallest number",
            ),
            (lambda m, s: math.log(s) * m, "the count is log[smallest] divided by mean_log"),
        ],
    )


def test_width_factor(width_factor):
    import sympy as sp

    from lossrecipe.grading import check_expression

    c, t = sp.symbols("c t", positive=True)  # curvature, rise of the parabola
    width = sp.solve(sp.Eq(c * t**2 / 2, sp.Rational(1, 2)), t)[0]  # L rises by 1/2 at +-width
    width_twice = sp.solve(sp.Eq(2 * c * t**2 / 2, sp.Rational(1, 2)), t)[0]
    check_expression(
        width_factor,
        sp.simplify(width_twice / width),
        name="width_factor",
        mistakes=[
            (sp.Rational(1, 2), "doubling L doubles the curvature; the width goes as 1/sqrt[c]"),
            (sp.sqrt(2), "the width shrinks: that is the factor upside down"),
        ],
    )


def test_nll_in_base_b(nll_base_b):
    import sympy as sp

    from lossrecipe.grading import check_expression

    b = sp.Symbol("b", positive=True)
    z = sp.symbols("z1:4", positive=True)  # three likelihoods
    natural = -sum(sp.log(zi) for zi in z)
    in_base_b = -sum(sp.log(zi, b) for zi in z)
    nll = sp.Symbol("L", real=True)
    truth = sp.simplify(in_base_b / natural) * nll  # the same for every z: a constant factor
    check_expression(
        nll_base_b,
        truth,
        name="nll_base_b",
        domain={b: (1.5, 10)},
        mistakes=[(nll * sp.log(b), "log_b z = log z / log b: divide by log b")],
    )


QUESTIONS = [
    Question(
        exercise="ex-03-when",
        task=r"""
**Graded question (code).** Write `points_until_underflow(mean_log, smallest)`: about how
many points it takes until the product of likelihoods underflows, from the average
log-likelihood per point `mean_log` ($\bar\ell < 0$) and the smallest positive number of
the floating-point type, `smallest`.
""",
        answer='''
import math


def points_until_underflow(mean_log, smallest):
    """The i at which i * mean_log falls below log(smallest)."""
    # BEGIN SOLUTION
    return math.log(smallest) / mean_log
    # END SOLUTION
''',
        tests=[test_underflow_count],
        mistakes=[
            Mistake("return math.log10(smallest) / mean_log", "not log10"),
            Mistake("return math.log(smallest) * mean_log", "divided by mean_log"),
        ],
    ),
    Question(
        exercise="ex-03-twice",
        task=r"""
**Graded question (derivation).** With every pair twice, by what factor is the width of
the likelihood around its peak multiplied? Enter `width_factor`, exact (a SymPy number).
""",
        answer="""
import sympy as sp

width_factor = 1 / sp.sqrt(2)  # SOLUTION
""",
        tests=[test_width_factor],
        mistakes=[
            Mistake("width_factor = sp.Rational(1, 2)", "1/sqrt[c]"),
            Mistake("width_factor = sp.sqrt(2)", "upside down"),
            Mistake("width_factor = 0.707", "not rounded"),
        ],
    ),
    Question(
        exercise="ex-03-base",
        task=r"""
**Graded question (derivation).** Enter the NLL in base $b$, $-\sum_i \log_b Pr(y_i \mid
\mathbf{x}_i)$, as a SymPy expression `nll_base_b` in the natural-log NLL `L` and the base
`b`.
""",
        answer="""
import sympy as sp

L = sp.Symbol("L", real=True)
b = sp.Symbol("b", positive=True)
nll_base_b = L / sp.log(b)  # SOLUTION
""",
        tests=[test_nll_in_base_b],
        mistakes=[Mistake("nll_base_b = L * sp.log(b)", "divide by log b")],
    ),
]
