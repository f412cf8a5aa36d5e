"""Graded questions of chapter 04, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_gap_is_exact(gap):
    import sympy as sp

    from lossrecipe.grading import check_expression

    I = sp.Symbol("I", positive=True, integer=True)
    S, v = sp.symbols("S v", positive=True)
    nll = S / (2 * v) + I / 2 * sp.log(2 * sp.pi * v)  # eq-04-nll with sigma^2 = v
    truth = nll.subs(v, S / (I - 1)) - nll.subs(v, S / I)
    check_expression(
        gap,
        truth,
        name="gap",
        symbols=[I, S],
        domain={I: (2, 40)},
        mistakes=[
            (I / 2 * sp.log(I / (I - 1)), "the residual terms differ too: (I - 1)/2 - I/2"),
            (I / 2 * sp.log((I - 1) / I) - sp.Rational(1, 2), "the log's ratio is upside down"),
            (
                sp.log(I / (I - 1)) - sp.Rational(1, 2),
                "the log term is summed over the I points: it carries a factor I/2",
            ),
        ],
    )


def test_gap_has_no_s(gap):
    import sympy as sp

    assert isinstance(gap, sp.Expr), "`gap` should be a SymPy expression"
    assert "S" not in {str(s) for s in gap.free_symbols}, "`gap` should not depend on S: it cancels"


def test_bias_of_the_ml_variance(expected_ml_variance):
    import sympy as sp

    from lossrecipe.grading import check_expression

    I = sp.Symbol("I", positive=True, integer=True)
    sigma2 = sp.Symbol("sigma2", positive=True)
    # E[(y_i - ybar)^2] = Var[y_i] - 2 Cov[y_i, ybar] + Var[ybar] = s2 - 2 s2/I + s2/I
    per_point = sigma2 - 2 * sigma2 / I + sigma2 / I
    check_expression(
        expected_ml_variance,
        I * per_point / I,
        name="expected_ml_variance",
        symbols=[I, sigma2],
        domain={I: (2, 40)},
        mistakes=[
            (sigma2, "S/I is biased: the fitted mean sits closer to the points than the true one"),
            (I * sigma2 / (I - 1), "that is the bias correction turned the wrong way"),
        ],
    )


def test_nll_matches_torch(gaussian_nll):
    import torch

    from lossrecipe.grading import check_function

    def reference(y, mean, variance):
        normal = torch.distributions.Normal(mean, variance.sqrt())
        return -normal.log_prob(y).sum()

    d = torch.float64
    cases = [
        (torch.tensor([0.3], dtype=d), torch.tensor([0.0], dtype=d), torch.tensor([1.0], dtype=d)),
        (
            torch.tensor([1.0, -0.5, 2.0], dtype=d),
            torch.tensor([0.8, -0.1, 2.5], dtype=d),
            torch.tensor([0.04, 0.5, 4.0], dtype=d),
        ),
    ]
    check_function(
        gaussian_nll,
        reference,
        cases,
        name="gaussian_nll",
        mistakes=[
            (
                lambda y, m, v: (
                    (y - m) ** 2 / (2 * v**2) + 0.5 * torch.log(2 * torch.pi * v)
                ).sum(),
                "the second argument of Norm is the variance: divide by 2 variance, "
                "not 2 variance^2",
            ),
            (
                lambda y, m, v: ((y - m) ** 2 / (2 * v)).sum(),
                "the normalising term 1/2 log[2 pi variance] is missing",
            ),
            (
                lambda y, m, v: ((y - m) ** 2 / (2 * v) + torch.log(2 * torch.pi * v)).sum(),
                "the log term carries a factor 1/2",
            ),
        ],
    )


def test_nll_edge_cases(gaussian_nll):
    import math

    import torch

    from lossrecipe.grading import check_function

    def closed_form(y, mean, variance):
        terms = (y - mean) ** 2 / (2 * variance) + 0.5 * torch.log(2 * math.pi * variance)
        return terms.sum()

    d = torch.float64
    cases = [
        # on the mean with a tiny variance: a large negative NLL, no division by zero
        (
            torch.tensor([1.0], dtype=d),
            torch.tensor([1.0], dtype=d),
            torch.tensor([1e-12], dtype=d),
        ),
        # far out in the tail of a wide Gaussian
        (torch.tensor([1e3], dtype=d), torch.tensor([-1e3], dtype=d), torch.tensor([1e4], dtype=d)),
    ]
    check_function(gaussian_nll, closed_form, cases, name="gaussian_nll", rtol=1e-12)


def test_learning_rate_for_another_sigma(learning_rate_1):
    import sympy as sp

    from lossrecipe.grading import check_expression

    eta_0, sigma_0, sigma_1, s_grad = sp.symbols("eta_0 sigma_0 sigma_1 g", positive=True)
    eta_1 = sp.Symbol("eta_1", positive=True)
    # gradient descent: the step is eta times d/dphi [S / (2 sigma^2)] = eta g / (2 sigma^2)
    step = sp.solve(
        sp.Eq(eta_1 * s_grad / (2 * sigma_1**2), eta_0 * s_grad / (2 * sigma_0**2)), eta_1
    )
    check_expression(
        learning_rate_1,
        step[0],
        name="learning_rate_1",
        symbols=[eta_0, sigma_0, sigma_1],
        mistakes=[
            (eta_0 * sigma_1 / sigma_0, "the gradient scales with 1/sigma^2: use the variances"),
            (
                eta_0 * sigma_0**2 / sigma_1**2,
                "a larger sigma means smaller gradients, so larger steps",
            ),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-04-divide",
        task=r"""
**Graded question (code).** Write `gaussian_nll(y, mean, variance)`, the negative
log-likelihood {eq}`eq-04-nll` of tensors `y`, `mean` and `variance` of one shape, summed
over their entries, with torch operations. The check compares it with
`torch.distributions.Normal` and with the closed form, including a tiny variance and a
point far in the tail.
""",
        answer='''
import torch


def gaussian_nll(y, mean, variance):
    """-sum_i log Norm_{y_i}[mean_i, variance_i]."""
    # BEGIN SOLUTION
    residual_term = (y - mean) ** 2 / (2 * variance)
    return (residual_term + 0.5 * torch.log(2 * torch.pi * variance)).sum()
    # END SOLUTION
''',
        tests=[test_nll_matches_torch],
        hidden=[test_nll_edge_cases],
        mistakes=[
            Mistake(
                "return ((y - mean) ** 2 / (2 * variance)).sum()",
                "normalising term 1/2 log[2 pi variance] is missing",
            ),
            Mistake(
                "return ((y - mean) ** 2 / (2 * variance)"
                " + torch.log(2 * torch.pi * variance)).sum()",
                "carries a factor 1/2",
            ),
            Mistake(
                "return ((y - mean) ** 2 / (2 * variance**2)"
                " + 0.5 * torch.log(2 * torch.pi * variance)).sum()",
                "the second argument of Norm is the variance",
            ),
        ],
    ),
    Question(
        exercise="ex-04-divide",
        task=r"""
**Graded question (derivation).** Part (a) by hand: enter the gap
$L[S/(I - 1)] - L[S/I]$ as a SymPy expression `gap` in the symbols `I` and `S` of the cell.
The check proves that it equals the gap computed from {eq}`eq-04-nll`.
""",
        answer="""
import sympy as sp

I = sp.Symbol("I", positive=True, integer=True)
S = sp.Symbol("S", positive=True)
gap = I / 2 * sp.log(I / (I - 1)) - sp.Rational(1, 2)  # SOLUTION
""",
        tests=[test_gap_is_exact],
        hidden=[test_gap_has_no_s],
        mistakes=[
            Mistake("gap = I / 2 * sp.log(I / (I - 1))", "the residual terms differ too"),
            Mistake("gap = I / 2 * sp.log((I - 1) / I) - sp.Rational(1, 2)", "upside down"),
            Mistake("gap = sp.log(I / (I - 1)) - sp.Rational(1, 2)", "carries a factor I/2"),
        ],
    ),
    Question(
        exercise="ex-04-divide",
        task=r"""
**Graded question (derivation).** Part (b) by hand: for $I$ points drawn from
$\operatorname{Norm}[\mu, \sigma^2]$ and the constant model fitted by their average, enter
$\mathbb{E}[S / I]$ as a SymPy expression `expected_ml_variance` in `I` and `sigma2`
(which stands for $\sigma^2$).
""",
        answer="""
import sympy as sp

I = sp.Symbol("I", positive=True, integer=True)
sigma2 = sp.Symbol("sigma2", positive=True)
expected_ml_variance = (I - 1) / I * sigma2  # SOLUTION
""",
        tests=[test_bias_of_the_ml_variance],
        mistakes=[
            Mistake("expected_ml_variance = sigma2", "S/I is biased"),
            Mistake("expected_ml_variance = I / (I - 1) * sigma2", "turned the wrong way"),
        ],
    ),
    Question(
        exercise="ex-04-sgd",
        task=r"""
**Graded question (derivation).** With plain gradient descent, which learning rate
$\eta_1$ for $\sigma_1$ follows the same path as $\eta_0$ for $\sigma_0$? Enter it as a SymPy
expression `learning_rate_1` in `eta_0`, `sigma_0` and `sigma_1`.
""",
        answer="""
import sympy as sp

eta_0, sigma_0, sigma_1 = sp.symbols("eta_0 sigma_0 sigma_1", positive=True)
learning_rate_1 = eta_0 * sigma_1**2 / sigma_0**2  # SOLUTION
""",
        tests=[test_learning_rate_for_another_sigma],
        mistakes=[
            Mistake("learning_rate_1 = eta_0 * sigma_1 / sigma_0", "use the variances"),
            Mistake("learning_rate_1 = eta_0 * sigma_0**2 / sigma_1**2", "so larger steps"),
        ],
    ),
]
