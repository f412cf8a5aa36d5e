"""Graded questions of chapter 01, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_likelihood_by_hand(normal_likelihood):
    import math

    import torch

    from lossrecipe.grading import check_function

    def reference(y, mu, sigma):
        normal = torch.distributions.Normal(torch.tensor(mu, dtype=torch.float64), sigma)
        return normal.log_prob(torch.tensor(y, dtype=torch.float64)).exp()

    cases = [(0.1, 0.0, 0.2), (0.9, 1.2, 0.2), (-1.0, 0.5, 2.0), (3.0, 3.0, 0.05)]
    check_function(
        normal_likelihood,
        reference,
        cases,
        name="normal_likelihood",
        mistakes=[
            (
                lambda y, m, s: math.exp(-((y - m) ** 2) / (2 * s)) / math.sqrt(2 * math.pi * s**2),
                "the exponent divides by 2 sigma^2, not 2 sigma",
            ),
            (
                lambda y, m, s: math.exp(-((y - m) ** 2) / (2 * s**2)) / (2 * math.pi * s**2),
                "the normaliser is the square root of 2 pi sigma^2",
            ),
        ],
    )


def test_likelihood_far_out(normal_likelihood):
    import math

    from lossrecipe.grading import check_function

    def closed_form(y, mu, sigma):
        return math.exp(-((y - mu) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)

    check_function(
        normal_likelihood,
        closed_form,
        [(5.0, 0.0, 1.0), (0.0, 0.0, 1e-3)],
        name="normal_likelihood",
    )


def test_best_sigma(best_sigma):
    import torch

    from lossrecipe.grading import check_function

    def reference(residuals):
        return residuals.pow(2).mean().sqrt()

    d = torch.float64
    cases = [
        (torch.tensor([0.1, -0.3, 0.2], dtype=d),),
        (torch.tensor([0.5, 0.7, 0.6, 0.9], dtype=d),),
    ]
    check_function(
        best_sigma,
        reference,
        cases,
        name="best_sigma",
        mistakes=[
            (lambda r: r.std(), "std() subtracts the mean and divides by I - 1"),
            (lambda r: r.abs().mean(), "that is the mean absolute residual"),
            (lambda r: r.pow(2).mean(), "that is the variance; sigma is its square root"),
        ],
    )


def test_best_sigma_maximises_the_likelihood(best_sigma):
    import torch

    import lossrecipe as lr

    residuals = torch.tensor([0.25, -0.1, 0.4, -0.35, 0.05], dtype=torch.float64)
    outputs = torch.zeros(5, 1, dtype=torch.float64)
    value = best_sigma(residuals)
    assert value is not None and value is not Ellipsis, "`best_sigma` returned nothing"
    best = float(value)
    nll = [
        float(lr.Gaussian(sigma=s).nll(outputs, residuals))
        for s in (0.99 * best, best, 1.01 * best)
    ]
    assert nll[1] < min(nll[0], nll[2]), "the log-likelihood is not largest at best_sigma"


def test_negative_within(distance):
    import sympy as sp

    from lossrecipe.grading import check_expression

    sigma = sp.Symbol("sigma", positive=True)
    r = sp.Symbol("r", positive=True)  # the distance |y - mu|
    neg_log = r**2 / (2 * sigma**2) + sp.log(2 * sp.pi * sigma**2) / 2  # -log Norm, eq-01-normal
    (edge,) = sp.solve(sp.Eq(neg_log, 0), r)
    check_expression(
        distance,
        edge,
        name="distance",
        domain={sigma: (0.05, 0.39)},
        mistakes=[
            (
                sigma * sp.sqrt(-2 * sp.log(2 * sp.pi * sigma**2)),
                "the log term is 1/2 log[2 pi sigma^2]: did you drop the 1/2?",
            ),
            (sp.sqrt(-sp.log(2 * sp.pi * sigma**2)), "the distance scales with sigma"),
        ],
    )


def test_negative_threshold(sigma_limit):
    import sympy as sp

    from lossrecipe.grading import check_expression

    sigma = sp.Symbol("sigma", positive=True)
    (limit,) = sp.solve(sp.Eq(sp.log(2 * sp.pi * sigma**2) / 2, 0), sigma)
    check_expression(
        sigma_limit,
        limit,
        name="sigma_limit",
        mistakes=[(1 / (2 * sp.pi), "the condition is 2 pi sigma^2 < 1, on sigma squared")],
    )


QUESTIONS = [
    Question(
        exercise="ex-01-by-hand",
        task=r"""
**Graded question (code).** Write `normal_likelihood(y, mu, sigma)`, the normal density at
`y` with mean `mu` and standard deviation `sigma` (floats), with `math` only. The check
compares it with `torch.distributions.Normal` at several points.
""",
        answer='''
import math


def normal_likelihood(y, mu, sigma):
    """Pr(y | mu, sigma^2) = exp[-(y - mu)^2 / (2 sigma^2)] / sqrt[2 pi sigma^2]."""
    # BEGIN SOLUTION
    return math.exp(-((y - mu) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
    # END SOLUTION
''',
        tests=[test_likelihood_by_hand],
        hidden=[test_likelihood_far_out],
        mistakes=[
            Mistake(
                "return math.exp(-((y - mu) ** 2) / (2 * sigma))"
                " / math.sqrt(2 * math.pi * sigma**2)",
                "divides by 2 sigma^2",
            ),
            Mistake(
                "return math.exp(-((y - mu) ** 2) / (2 * sigma**2)) / (2 * math.pi * sigma**2)",
                "square root",
            ),
        ],
    ),
    Question(
        exercise="ex-01-sigma",
        task=r"""
**Graded question (code).** The log-likelihood of the good fit is largest at one $\sigma$.
Write `best_sigma(residuals)`: that $\sigma$, from a tensor of the residuals
$y_i - \mu_i$. The check compares it with the closed form and with the likelihood.
""",
        answer='''
def best_sigma(residuals):
    """The sigma that maximises sum_i log Norm_{y_i}[mu_i, sigma^2]."""
    # BEGIN SOLUTION
    return residuals.pow(2).mean().sqrt()
    # END SOLUTION
''',
        tests=[test_best_sigma],
        hidden=[test_best_sigma_maximises_the_likelihood],
        mistakes=[
            Mistake("return residuals.std()", "divides by I - 1"),
            Mistake("return residuals.abs().mean()", "mean absolute residual"),
        ],
    ),
    Question(
        exercise="ex-01-negative",
        task=r"""
**Graded question (derivation).** Enter, as SymPy expressions in the symbol `sigma` of the
cell, the largest distance $|y - \mu|$ at which the term $-\log Pr(y \mid \mu, \sigma^2)$
is still negative (`distance`, for $\sigma < 1/\sqrt{2\pi}$), and the $\sigma$ below which
it can be negative at all (`sigma_limit`, a number).
""",
        answer="""
import sympy as sp

sigma = sp.Symbol("sigma", positive=True)
# BEGIN SOLUTION
distance = sigma * sp.sqrt(-sp.log(2 * sp.pi * sigma**2))
sigma_limit = 1 / sp.sqrt(2 * sp.pi)
# END SOLUTION
""",
        tests=[test_negative_within, test_negative_threshold],
        mistakes=[
            Mistake(
                "distance = sigma * sp.sqrt(-2 * sp.log(2 * sp.pi * sigma**2))\n"
                "sigma_limit = 1 / sp.sqrt(2 * sp.pi)",
                "did you drop the 1/2?",
            ),
            Mistake(
                "distance = sigma * sp.sqrt(-sp.log(2 * sp.pi * sigma**2))\n"
                "sigma_limit = 1 / (2 * sp.pi)",
                "on sigma squared",
            ),
        ],
    ),
]
