"""Graded questions of chapter 13, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_ordinal_gradients(grad_lowest, grad_highest):
    import sympy as sp

    from lossrecipe.grading import check_expression

    eta, c = sp.symbols("eta c", real=True)

    def sig(t):
        return 1 / (1 + sp.exp(-t))

    check_expression(
        grad_lowest,
        sp.diff(-sp.log(sig(c - eta)), eta),  # Pr(y = 0) = sig[c_1 - eta], eq-13-ordinal
        name="grad_lowest",
        mistakes=[(-sig(eta - c), "it has the wrong sign: the loss of class 0 grows with eta")],
    )
    check_expression(
        grad_highest,
        sp.diff(-sp.log(1 - sig(c - eta)), eta),
        name="grad_highest",
        mistakes=[
            (sig(c - eta), "it has the wrong sign: the loss of the top class falls with eta")
        ],
    )


def test_ordinal_gradient_matches_autograd(grad_lowest):
    import sympy as sp
    import torch

    import lossrecipe as lr

    assert isinstance(grad_lowest, sp.Expr), "`grad_lowest` should be a SymPy expression"
    outputs = torch.tensor([[0.3, -0.5, 0.2]], dtype=torch.float64, requires_grad=True)
    lr.Ordinal(num_classes=3).nll(outputs, torch.tensor([0])).backward()
    names = {str(s): s for s in grad_lowest.free_symbols}
    value = float(grad_lowest.subs({names.get("eta", 0): 0.3, names.get("c", 0): -0.5}))
    expected = float(outputs.grad[0, 0])
    assert abs(value - expected) < 1e-12, f"at eta = 0.3, c = -0.5: {value}, autograd: {expected}"


def test_two_items(pair_logit):
    import sympy as sp

    from lossrecipe.grading import check_expression

    s0, s1, t = sp.symbols("s0 s1 t", real=True)
    ranking = (
        sp.exp(s0) / (sp.exp(s0) + sp.exp(s1)) * sp.exp(s1) / sp.exp(s1)
    )  # eq-13-plackett-luce
    (logit,) = sp.solve(sp.Eq(ranking, 1 / (1 + sp.exp(-t))), t)
    check_expression(pair_logit, logit, name="pair_logit", symbols=[s0, s1])


QUESTIONS = [
    Question(
        exercise="ex-13-ordinal-gradient",
        task=r"""
**Graded question (derivation).** Enter the derivatives with respect to $\eta$ of the loss
of the lowest class, `grad_lowest` (with $c = c_1$), and of the top class, `grad_highest`
(with $c = c_{K-1}$), as SymPy expressions in `eta` and `c`.
""",
        answer="""
import sympy as sp

eta = sp.Symbol("eta", real=True)
c = sp.Symbol("c", real=True)
# BEGIN SOLUTION
grad_lowest = 1 / (1 + sp.exp(c - eta))
grad_highest = -1 / (1 + sp.exp(eta - c))
# END SOLUTION
""",
        tests=[test_ordinal_gradients],
        hidden=[test_ordinal_gradient_matches_autograd],
        mistakes=[
            Mistake(
                "grad_lowest = -1 / (1 + sp.exp(c - eta))\n"
                "grad_highest = -1 / (1 + sp.exp(eta - c))",
                "the loss of class 0 grows with eta",
            ),
            Mistake(
                "grad_lowest = 1 / (1 + sp.exp(c - eta))\ngrad_highest = 1 / (1 + sp.exp(eta - c))",
                "falls with eta",
            ),
        ],
    ),
    Question(
        exercise="ex-13-two-items",
        task=r"""
**Graded question (derivation).** With two items, $Pr(\mathbf{y} = (0, 1) \mid \mathbf{s})
= \operatorname{sig}[t]$ for which logit $t$? Enter `pair_logit` in `s0` and `s1`.
""",
        answer="""
import sympy as sp

s0 = sp.Symbol("s0", real=True)
s1 = sp.Symbol("s1", real=True)
pair_logit = s0 - s1  # SOLUTION
""",
        tests=[test_two_items],
        mistakes=[Mistake("pair_logit = s1 - s0", "wrong sign")],
    ),
]
