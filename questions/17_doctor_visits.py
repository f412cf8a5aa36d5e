"""Graded questions of chapter 17, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_zip_variance(zip_variance):
    import sympy as sp

    from lossrecipe.grading import check_expression

    pi, lam = sp.Symbol("pi", positive=True), sp.Symbol("lambda", positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    poisson = lam**k * sp.exp(-lam) / sp.factorial(k)
    # the point mass at 0 adds nothing to E[Y] or E[Y^2]: only the Poisson part counts
    mean = (1 - pi) * sp.summation(k * poisson, (k, 0, sp.oo))
    second = (1 - pi) * sp.summation(k**2 * poisson, (k, 0, sp.oo))
    check_expression(
        zip_variance,
        sp.simplify(second - mean**2),
        name="zip_variance",
        symbols=[pi, lam],
        domain={pi: (0.05, 0.95)},
        mistakes=[
            ((1 - pi) * lam, "that is the mean; the extra zeros add pi lambda^2 (1 - pi)"),
            ((1 - pi) * lam * (1 + lam), "subtract the squared mean from E[Y^2]"),
        ],
    )


def test_nb_zero(nb_zero):
    import sympy as sp

    from lossrecipe.grading import check_expression

    alpha, mu = sp.symbols("alpha mu", positive=True)
    y = sp.Integer(0)
    r = 1 / alpha
    pmf = (
        sp.gamma(y + r)
        / (sp.gamma(r) * sp.factorial(y))
        * (r / (r + mu)) ** r
        * (mu / (r + mu)) ** y
    )  # eq-17-nb2 at y = 0
    check_expression(
        nb_zero,
        pmf,
        name="nb_zero",
        symbols=[alpha, mu],
        mistakes=[
            (sp.exp(-mu), "that is the Poisson's Pr(0), the limit alpha -> 0"),
            ((1 + alpha * mu) ** (-alpha), "the exponent is -r = -1/alpha"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-17-zip-by-hand",
        task=r"""
**Graded question (derivation).** Enter the variance of a zero-inflated Poisson with
extra-zero probability $\pi$ and rate $\lambda$ as a SymPy expression `zip_variance` in
`pi` and `lam`.
""",
        answer="""
import sympy as sp

pi = sp.Symbol("pi", positive=True)
lam = sp.Symbol("lambda", positive=True)
zip_variance = (1 - pi) * lam * (1 + pi * lam)  # SOLUTION
""",
        tests=[test_zip_variance],
        mistakes=[
            Mistake("zip_variance = (1 - pi) * lam", "that is the mean"),
            Mistake("zip_variance = (1 - pi) * lam * (1 + lam)", "subtract the squared mean"),
        ],
    ),
    Question(
        exercise="ex-17-nb-limit",
        task=r"""
**Graded question (derivation).** Enter the negative binomial's probability of a zero,
$Pr(y = 0 \mid \mu, \alpha)$, as a SymPy expression `nb_zero` in `alpha` and `mu`.
""",
        answer="""
import sympy as sp

alpha = sp.Symbol("alpha", positive=True)
mu = sp.Symbol("mu", positive=True)
nb_zero = (1 + alpha * mu) ** (-1 / alpha)  # SOLUTION
""",
        tests=[test_nb_zero],
        mistakes=[
            Mistake("nb_zero = sp.exp(-mu)", "Poisson"),
            Mistake("nb_zero = (1 + alpha * mu) ** (-alpha)", "the exponent is -r"),
        ],
    ),
]
