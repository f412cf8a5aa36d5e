"""Graded questions of chapter 05, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_gradient_for_any_link(gradient_general):
    import sympy as sp

    from lossrecipe.grading import check_expression

    r, z = sp.symbols("r z", real=True)
    link = sp.Function("h", positive=True)(z)
    nll = r**2 / (2 * link) + sp.log(2 * sp.pi * link) / 2  # eq-05-nll with v = h[z]
    truth = (
        sp.diff(nll, z)
        .subs(sp.Derivative(link, z), sp.Symbol("hp"))
        .subs(link, sp.Symbol("h", positive=True))
    )
    h, hp = sp.Symbol("h", positive=True), sp.Symbol("hp", real=True)
    check_expression(
        gradient_general,
        truth,
        name="gradient_general",
        symbols=[h, hp, r],
        mistakes=[
            ((h - r**2) / (2 * h**2), "the chain rule multiplies by the link's slope h'[z]"),
            (hp * (r**2 - h) / (2 * h**2), "it has the wrong sign"),
        ],
    )


def test_gradient_for_the_exponential(gradient_exp):
    import sympy as sp

    from lossrecipe.grading import check_expression

    r, z = sp.symbols("r z", real=True)
    nll = r**2 / (2 * sp.exp(z)) + sp.log(2 * sp.pi * sp.exp(z)) / 2
    check_expression(
        gradient_exp,
        sp.diff(nll, z),
        name="gradient_exp",
        mistakes=[((1 - r**2 * sp.exp(z)) / 2, "1 / e^z is e^(-z)")],
    )


def test_gradient_matches_autograd(gradient_exp):
    import sympy as sp
    import torch

    import lossrecipe as lr

    assert isinstance(gradient_exp, sp.Expr), "`gradient_exp` should be a SymPy expression"
    z_sym, r_sym = sp.symbols("z r", real=True)
    recipe = lr.HeteroscedasticGaussian(link="exp")
    raw = torch.tensor([-3.0, -0.5, 0.1, 3.0], dtype=torch.float64)
    outputs = torch.stack([torch.zeros_like(raw), raw], dim=1).requires_grad_()
    (grad,) = torch.autograd.grad(recipe.nll(outputs, torch.full_like(raw, 0.3)), outputs)
    names = {str(s): s for s in gradient_exp.free_symbols}
    for value, expected in zip(raw.tolist(), grad[:, 1].tolist(), strict=True):
        at = {names.get("z", z_sym): value, names.get("r", r_sym): 0.3}
        got = float(gradient_exp.subs(at))
        assert abs(got - expected) < 1e-9, f"at z = {value}: {got:.6f}, autograd: {expected:.6f}"


def test_extra_cost(extra_cost):
    import sympy as sp

    from lossrecipe.grading import check_expression

    s, sigma = sp.symbols("s sigma", positive=True)

    def expected_nll(sd):
        # E[(y - mu)^2] = sigma^2 under the truth Norm[mu, sigma^2] (eq-05-nll's two terms)
        return sigma**2 / (2 * sd**2) + sp.log(2 * sp.pi * sd**2) / 2

    check_expression(
        extra_cost,
        expected_nll(s) - expected_nll(sigma),
        name="extra_cost",
        mistakes=[
            (
                sp.log(s / sigma) + sigma**2 / (2 * s**2),
                "subtract the truth's own expected cost, which includes 1/2",
            ),
            (sp.log(s / sigma), "the residual term sigma^2 / (2 s^2) changes too"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-05-gradients",
        task=r"""
**Graded question (derivation).** Enter $\partial L / \partial z$ for a general link as a
SymPy expression `gradient_general` in `h` (for $h[z]$), `hp` (for $h'[z]$) and the
residual `r`.
""",
        answer="""
import sympy as sp

h = sp.Symbol("h", positive=True)
hp = sp.Symbol("hp", real=True)
r = sp.Symbol("r", real=True)
gradient_general = hp * (h - r**2) / (2 * h**2)  # SOLUTION
""",
        tests=[test_gradient_for_any_link],
        mistakes=[
            Mistake("gradient_general = (h - r**2) / (2 * h**2)", "the link's slope"),
            Mistake("gradient_general = hp * (r**2 - h) / (2 * h**2)", "wrong sign"),
        ],
    ),
    Question(
        exercise="ex-05-gradients",
        task=r"""
**Graded question (derivation).** Enter the same derivative for the exponential link,
$h[z] = e^z$, as a SymPy expression `gradient_exp` in `z` and `r`. The check also compares
it with autograd on `lr.HeteroscedasticGaussian(link="exp")`.
""",
        answer="""
import sympy as sp

z = sp.Symbol("z", real=True)
r = sp.Symbol("r", real=True)
gradient_exp = (1 - r**2 * sp.exp(-z)) / 2  # SOLUTION
""",
        tests=[test_gradient_for_the_exponential],
        hidden=[test_gradient_matches_autograd],
        mistakes=[Mistake("gradient_exp = (1 - r**2 * sp.exp(z)) / 2", "e^(-z)")],
    ),
    Question(
        exercise="ex-05-where",
        task=r"""
**Graded question (derivation).** Enter the expected extra cost per point of the variance
$s^2$ when the truth is $\sigma^2$ (and the mean is right), as a SymPy expression
`extra_cost` in `s` and `sigma`.
""",
        answer="""
import sympy as sp

s = sp.Symbol("s", positive=True)
sigma = sp.Symbol("sigma", positive=True)
extra_cost = sp.log(s / sigma) + sigma**2 / (2 * s**2) - sp.Rational(1, 2)  # SOLUTION
""",
        tests=[test_extra_cost],
        mistakes=[
            Mistake("extra_cost = sp.log(s / sigma) + sigma**2 / (2 * s**2)", "includes 1/2"),
            Mistake("extra_cost = sp.log(s / sigma)", "changes too"),
        ],
    ),
]
