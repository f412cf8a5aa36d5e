"""Graded questions of chapter 16, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_gamma_cv(gamma_cv):
    import sympy as sp
    from sympy import stats

    from lossrecipe.grading import check_expression

    shape, rate = sp.symbols("alpha beta", positive=True)
    y = stats.Gamma("y", shape, 1 / rate)  # SymPy's gamma takes the scale 1 / beta
    truth = sp.sqrt(stats.variance(y)) / stats.E(y)
    check_expression(
        gamma_cv,
        truth,
        name="gamma_cv",
        symbols=[shape, rate],
        mistakes=[
            (sp.sqrt(shape) / rate, "that is the standard deviation; divide it by the mean"),
            (1 / shape, "that is the variance over the squared mean; take its square root"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-16-gamma-shape",
        task=r"""
**Graded question (derivation).** Enter the coefficient of variation (standard deviation
over mean) of a gamma distribution with shape $\alpha$ and rate $\beta$ as a SymPy
expression `gamma_cv` in `alpha` and `beta`.
""",
        answer="""
import sympy as sp

alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
gamma_cv = 1 / sp.sqrt(alpha)  # SOLUTION
""",
        tests=[test_gamma_cv],
        mistakes=[
            Mistake("gamma_cv = sp.sqrt(alpha) / beta", "standard deviation"),
            Mistake("gamma_cv = 1 / alpha", "square root"),
        ],
    ),
]
