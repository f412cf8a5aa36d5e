"""Graded questions of chapter 06, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_constant_model(lambda_hat):
    import sympy as sp

    from lossrecipe.grading import check_expression

    n_1, n_total, lam = sp.symbols("n_1 I lambda", positive=True)
    loss = -n_1 * sp.log(lam) - (n_total - n_1) * sp.log(1 - lam)
    (solution,) = sp.solve(sp.diff(loss, lam), lam)
    check_expression(
        lambda_hat,
        solution,
        name="lambda_hat",
        domain={n_1: (1, 5), n_total: (6, 12)},
        mistakes=[((n_total - n_1) / n_total, "that is the fraction of zeros")],
    )


def test_squared_error_gradient(gradient_squared):
    import sympy as sp

    from lossrecipe.grading import check_expression

    z, y = sp.symbols("z y", real=True)
    sig = 1 / (1 + sp.exp(-z))
    check_expression(
        gradient_squared,
        sp.diff((sig - y) ** 2 / 2, z),
        name="gradient_squared",
        symbols=[z, y],
        mistakes=[
            (sig - y, "that is the cross-entropy's gradient: the chain rule adds sig'[z]"),
            (sig * (1 - sig), "the error sig[z] - y multiplies the slope"),
        ],
    )


def test_logistic_loss(logistic_loss):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    def reference(t, z):
        return lr.Bernoulli().nll(z.reshape(-1, 1), (t + 1) / 2, reduction="none")

    d = torch.float64
    cases = [
        (torch.tensor([1.0, -1.0, 1.0], dtype=d), torch.tensor([0.3, 0.3, -2.0], dtype=d)),
        (
            torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=d),
            torch.tensor([-1e4, 1e4, -1e4, 1e4], dtype=d),
        ),
    ]
    check_function(
        logistic_loss,
        reference,
        cases,
        name="logistic_loss",
        mistakes=[
            (
                lambda t, z: torch.log(1 + torch.exp(-t * z)),
                "exp(-t z) overflows for a large negative margin: use softplus(-t z), "
                "which is -logsigmoid(t z)",
            ),
            (
                lambda t, z: -torch.log(torch.sigmoid(t * z)),
                "log(sigmoid(t z)) is -inf once sigmoid underflows: use softplus(-t z), "
                "which is -logsigmoid(t z)",
            ),
            (lambda t, z: torch.nn.functional.softplus(t * z), "the margin is -t z: the sign"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-06-constant",
        task=r"""
**Graded question (derivation).** Enter the minimiser $\hat\lambda$ of
$L[\lambda] = -n_1 \log\lambda - (I - n_1)\log[1 - \lambda]$ as a SymPy expression
`lambda_hat` in `n_1` and `I`.
""",
        answer="""
import sympy as sp

n_1 = sp.Symbol("n_1", positive=True)
I = sp.Symbol("I", positive=True)
lambda_hat = n_1 / I  # SOLUTION
""",
        tests=[test_constant_model],
        mistakes=[Mistake("lambda_hat = (I - n_1) / I", "fraction of zeros")],
    ),
    Question(
        exercise="ex-06-squared",
        task=r"""
**Graded question (derivation).** Enter the derivative of
$\tfrac12(\operatorname{sig}[z] - y)^2$ with respect to $z$ as a SymPy expression
`gradient_squared` in `z` and `y` (the cell defines `sig`).
""",
        answer="""
import sympy as sp

z = sp.Symbol("z", real=True)
y = sp.Symbol("y", real=True)
sig = 1 / (1 + sp.exp(-z))
gradient_squared = (sig - y) * sig * (1 - sig)  # SOLUTION
""",
        tests=[test_squared_error_gradient],
        mistakes=[
            Mistake("gradient_squared = sig - y", "the chain rule adds sig'[z]"),
            Mistake("gradient_squared = sig * (1 - sig)", "multiplies the slope"),
        ],
    ),
    Question(
        exercise="ex-06-plus-minus",
        task=r"""
**Graded question (code).** Write `logistic_loss(t, z)`, the loss
$\log[1 + \exp[-t z]]$ of labels `t` in $\{-1, +1\}$ and logits `z` (tensors), elementwise
and finite for every logit. The check compares it with `lr.Bernoulli`, at logits of
$\pm 10^4$ too.
""",
        answer='''
import torch


def logistic_loss(t, z):
    """log[1 + exp[-t z]], elementwise, in a stable form."""
    # BEGIN SOLUTION
    return torch.nn.functional.softplus(-t * z)
    # END SOLUTION
''',
        tests=[test_logistic_loss],
        mistakes=[
            Mistake("return torch.log(1 + torch.exp(-t * z))", "use softplus(-t z)"),
            Mistake("return -torch.log(torch.sigmoid(t * z))", "-logsigmoid(t z)"),
        ],
    ),
]
