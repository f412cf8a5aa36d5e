"""Graded questions of chapter 10, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_pooled_variance(pooled_variance):
    import torch

    from lossrecipe.grading import check_function

    def reference(rates):
        # law of total variance: E[Var[y | rate]] + Var[E[y | rate]], each rate equally likely
        return rates.mean() + ((rates - rates.mean()) ** 2).mean()

    d = torch.float64
    cases = [
        (torch.tensor([2.0, 3.0, 7.0], dtype=d),),
        (torch.tensor([0.5, 0.5, 1.5, 4.0], dtype=d),),
    ]
    check_function(
        pooled_variance,
        reference,
        cases,
        name="pooled_variance",
        mistakes=[
            (
                lambda r: r.mean(),
                "add the spread of the rates across the bin (law of total variance)",
            ),
            (
                lambda r: r.mean() + r.var(),
                "every input is equally likely: divide the spread by n, not n - 1",
            ),
        ],
    )


def test_laplace_scale(b_hat):
    import sympy as sp

    from lossrecipe.grading import check_expression

    b, A = sp.symbols("b A", positive=True)
    I = sp.Symbol("I", positive=True, integer=True)
    loss = A / b + I * sp.log(2 * b)  # sum of -log[exp(-|r_i| / b) / (2 b)]
    (solution,) = sp.solve(sp.diff(loss, b), b)
    check_expression(
        b_hat,
        solution,
        name="b_hat",
        mistakes=[
            (A / (I - 1), "maximum likelihood divides by I"),
            (A / (2 * I), "log 2b contributes 1/b to the derivative, not 1/(2b)"),
        ],
    )


def test_change_of_units(nll_original):
    import sympy as sp

    from lossrecipe.grading import check_expression

    y, c = sp.Symbol("y", real=True), sp.Symbol("c", positive=True)
    F = sp.Function("F")  # any cumulative distribution of u = y / c
    density_u = sp.diff(F(y), y).subs(y, y / c)
    density_y = sp.diff(F(y / c), y)
    shift = sp.simplify(-sp.log(density_y) + sp.log(density_u))  # -log Pr(y) + log Pr(u)
    nll_rescaled = sp.Symbol("nll_rescaled", real=True)
    check_expression(
        nll_original,
        nll_rescaled + sp.expand_log(shift, force=True),
        name="nll_original",
        symbols=[nll_rescaled, c],
        mistakes=[
            (nll_rescaled - sp.log(c), "Pr(y) = Pr(u) / c, so -log Pr(y) gains + log c"),
            (nll_rescaled * c, "densities change by a factor, so NLLs change by an added log c"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-10-dispersion",
        task=r"""
**Graded question (code).** Write `pooled_variance(rates)`: the variance of a count drawn
at a random one of a bin's inputs (each equally likely), whose Poisson rates are the
tensor `rates`.
""",
        answer='''
def pooled_variance(rates):
    """Var[y] when y ~ Poisson[rate_i] at a uniformly chosen input i."""
    # BEGIN SOLUTION
    return rates.mean() + rates.var(unbiased=False)
    # END SOLUTION
''',
        tests=[test_pooled_variance],
        mistakes=[
            Mistake("return rates.mean()", "law of total variance"),
            Mistake("return rates.mean() + rates.var()", "not n - 1"),
        ],
    ),
    Question(
        exercise="ex-10-laplace-scale",
        task=r"""
**Graded question (derivation).** Enter the maximum likelihood Laplace scale $\hat b$ as
a SymPy expression `b_hat` in `A` ($= \sum_i |y_i - \mu_i|$) and `I`.
""",
        answer="""
import sympy as sp

A = sp.Symbol("A", positive=True)
I = sp.Symbol("I", positive=True, integer=True)
b_hat = A / I  # SOLUTION
""",
        tests=[test_laplace_scale],
        mistakes=[
            Mistake("b_hat = A / (I - 1)", "divides by I"),
            Mistake("b_hat = A / (2 * I)", "not 1/(2b)"),
        ],
    ),
    Question(
        exercise="ex-10-standardise",
        task=r"""
**Graded question (derivation).** An output was divided by $c > 0$ before fitting. Enter
the NLL per example in the original units as a SymPy expression `nll_original` in
`nll_rescaled` (the NLL of the rescaled output) and `c`.
""",
        answer="""
import sympy as sp

nll_rescaled = sp.Symbol("nll_rescaled", real=True)
c = sp.Symbol("c", positive=True)
nll_original = nll_rescaled + sp.log(c)  # SOLUTION
""",
        tests=[test_change_of_units],
        mistakes=[
            Mistake("nll_original = nll_rescaled - sp.log(c)", "gains + log c"),
            Mistake("nll_original = nll_rescaled * c", "an added log c"),
        ],
    ),
]
