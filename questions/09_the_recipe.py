"""Graded questions of chapter 09, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_rate(rate_hat):
    import sympy as sp

    from lossrecipe.grading import check_expression

    lam, total = sp.symbols("lambda total", positive=True)
    I = sp.Symbol("I", positive=True, integer=True)
    # sum of -log[lambda exp(-lambda y_i)] = lambda * total - I log(lambda), eq-09-exponential-nll
    nll = lam * total - I * sp.log(lam)
    (solution,) = sp.solve(sp.diff(nll, lam), lam)
    check_expression(
        rate_hat,
        solution,
        name="rate_hat",
        mistakes=[(total / I, "that is the mean wait; the rate is its reciprocal")],
    )


def test_softplus_exponential(softplus_exponential_nll):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    softplus = lr.links.Softplus()

    def reference(raw, y):
        rate = softplus(raw)
        return -torch.distributions.Exponential(rate).log_prob(y)

    d = torch.float64
    cases = [
        (
            torch.tensor([-2.0, 0.0, 1.5, 6.0], dtype=d),
            torch.tensor([0.3, 1.0, 2.0, 0.01], dtype=d),
        ),
    ]
    check_function(
        softplus_exponential_nll,
        reference,
        cases,
        name="softplus_exponential_nll",
        mistakes=[
            (lambda z, y: torch.exp(z) * y - z, "the rate is softplus[z] now, not exp[z]"),
            (
                lambda z, y: softplus(z) * y + torch.log(softplus(z)),
                "-log Pr(y) = lambda y - log lambda: the sign of the log",
            ),
        ],
    )


def test_softplus_exponential_far_left(softplus_exponential_nll):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    softplus = lr.links.Softplus()

    def reference(raw, y):
        return softplus(raw) * y - softplus.log(raw)

    d = torch.float64
    cases = [(torch.tensor([-800.0, -40.0], dtype=d), torch.tensor([1.0, 2.0], dtype=d))]
    check_function(
        softplus_exponential_nll,
        reference,
        cases,
        name="softplus_exponential_nll",
        mistakes=[
            (
                lambda z, y: softplus(z) * y - torch.log(softplus(z)),
                "log(softplus(z)) is log 0 once softplus underflows: use the link's stable log",
            ),
        ],
    )


def test_beta_mode(beta_mode):
    import torch

    from lossrecipe.grading import check_function

    def reference(alpha, beta):
        inside = (alpha - 1) / (alpha + beta - 2)
        mode = torch.where((alpha > 1) & (beta > 1), inside, alpha / (alpha + beta))
        mode = torch.where((alpha <= 1) & (beta > 1), torch.zeros_like(mode), mode)
        return torch.where((beta <= 1) & (alpha > 1), torch.ones_like(mode), mode)

    d = torch.float64
    cases = [
        (torch.tensor([2.0, 5.0, 1.2], dtype=d), torch.tensor([5.0, 1.5, 1.1], dtype=d)),
        (torch.tensor([0.5, 4.0, 0.5, 1.0], dtype=d), torch.tensor([3.0, 0.7, 0.5, 1.0], dtype=d)),
    ]
    check_function(
        beta_mode,
        reference,
        cases,
        name="beta_mode",
        mistakes=[
            (
                lambda a, b: (a - 1) / (a + b - 2),
                "(alpha - 1) / (alpha + beta - 2) is the peak only when both exceed 1",
            ),
            (lambda a, b: a / (a + b), "that is the mean, not the peak"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-09-rate-by-hand",
        task=r"""
**Graded question (derivation).** Enter the maximum likelihood rate $\hat\lambda$ of $I$
waiting times as a SymPy expression `rate_hat` in `I` and `total` ($= \sum_i y_i$).
""",
        answer="""
import sympy as sp

I = sp.Symbol("I", positive=True, integer=True)
total = sp.Symbol("total", positive=True)
rate_hat = I / total  # SOLUTION
""",
        tests=[test_rate],
        mistakes=[Mistake("rate_hat = total / I", "the rate is its reciprocal")],
    ),
    Question(
        exercise="ex-09-softplus",
        task=r"""
**Graded question (code).** Write `softplus_exponential_nll(raw, y)`: the exponential NLL
$\lambda y - \log\lambda$ with $\lambda = \log[1 + e^z]$ of raw outputs `raw`, elementwise,
finite even where the rate underflows (hint: `lr.links.Softplus()` has a stable `log`).
The check compares it with `torch.distributions.Exponential`.
""",
        answer='''
import torch

import lossrecipe as lr


def softplus_exponential_nll(raw, y):
    """lambda y - log lambda with lambda = softplus[raw]."""
    # BEGIN SOLUTION
    link = lr.links.Softplus()
    return link(raw) * y - link.log(raw)
    # END SOLUTION
''',
        tests=[test_softplus_exponential],
        hidden=[test_softplus_exponential_far_left],
        mistakes=[
            Mistake("return torch.exp(raw) * y - raw", "not exp[z]"),
            Mistake(
                "link = lr.links.Softplus()\nreturn link(raw) * y - torch.log(link(raw))",
                "stable log",
            ),
        ],
    ),
    Question(
        exercise="ex-09-beta",
        task=r"""
**Graded question (code).** Write `beta_mode(alpha, beta)`: the peak of the Beta density
for tensors of shape parameters, and, where both are at most 1 (no single peak), the mean
$\alpha / (\alpha + \beta)$, as the chapter's `predict` does. The check covers all four
regions.
""",
        answer='''
import torch


def beta_mode(alpha, beta):
    """The mode of Beta[alpha, beta]; the mean where alpha <= 1 and beta <= 1."""
    # BEGIN SOLUTION
    inside = (alpha - 1) / (alpha + beta - 2)
    mode = torch.where((alpha > 1) & (beta > 1), inside, alpha / (alpha + beta))
    mode = torch.where((alpha <= 1) & (beta > 1), torch.zeros_like(mode), mode)
    return torch.where((beta <= 1) & (alpha > 1), torch.ones_like(mode), mode)
    # END SOLUTION
''',
        tests=[test_beta_mode],
        mistakes=[
            Mistake("return (alpha - 1) / (alpha + beta - 2)", "only when both exceed 1"),
            Mistake("return alpha / (alpha + beta)", "that is the mean"),
        ],
    ),
]
