"""Graded questions of chapter 14, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_expected_loss(expected_pinball):
    import sympy as sp

    from lossrecipe.grading import check_expression

    rate, level = sp.Symbol("lambda", positive=True), sp.Symbol("q", positive=True)
    y, m = sp.symbols("y m", positive=True)
    density = rate * sp.exp(-rate * y)
    below = sp.integrate((1 - level) * (m - y) * density, (y, 0, m))
    truth = below + sp.integrate(level * (y - m) * density, (y, m, sp.oo))
    check_expression(
        expected_pinball,
        truth,
        name="expected_pinball",
        domain={level: (0.05, 0.95)},
        mistakes=[
            (
                sp.exp(-rate * m) / rate + level * m - level / rate,
                "the weights are swapped: q on y > m, 1 - q on y < m",
            ),
        ],
    )


def test_best_m(best_m):
    import sympy as sp

    from lossrecipe.grading import check_expression

    rate, level = sp.Symbol("lambda", positive=True), sp.Symbol("q", positive=True)
    y, m = sp.symbols("y m", positive=True)
    density = rate * sp.exp(-rate * y)
    below = sp.integrate((1 - level) * (m - y) * density, (y, 0, m))
    truth = below + sp.integrate(level * (y - m) * density, (y, m, sp.oo))
    (minimiser,) = sp.solve(sp.diff(truth, m), m)
    check_expression(
        best_m,
        minimiser,
        name="best_m",
        domain={level: (0.05, 0.95)},
        mistakes=[
            (-sp.log(level) / rate, "the quantile solves F[m] = 1 - exp(-lambda m) = q"),
            (level / rate, "solve 1 - exp(-lambda m) = q for m"),
        ],
    )


def test_hinge(hinge_minimiser):
    import torch

    from lossrecipe.grading import check_function

    def reference(p):
        scores = torch.linspace(-3.0, 3.0, 6001, dtype=torch.float64)[:, None]
        hinge = p * torch.clamp(1 - scores, min=0) + (1 - p) * torch.clamp(1 + scores, min=0)
        return scores[hinge.argmin(dim=0), 0]

    d = torch.float64
    cases = [(torch.tensor([0.3, 0.6, 0.99, 0.01], dtype=d),)]
    check_function(
        hinge_minimiser,
        reference,
        cases,
        name="hinge_minimiser",
        mistakes=[
            (lambda p: 2 * p - 1, "the hinge's minimiser is +1 or -1: only the sign of 2p - 1"),
            (lambda p: torch.logit(p), "the hinge does not recover the log-odds, only their sign"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-14-exponential",
        task=r"""
**Graded question (derivation).** Enter the expected pinball loss $L[m]$ for $m \ge 0$ as
a SymPy expression `expected_pinball` in `lam` ($\lambda$), `q` and `m`.
""",
        answer="""
import sympy as sp

lam = sp.Symbol("lambda", positive=True)
q = sp.Symbol("q", positive=True)
m = sp.Symbol("m", positive=True)
expected_pinball = sp.exp(-lam * m) / lam + (1 - q) * m - (1 - q) / lam  # SOLUTION
""",
        tests=[test_expected_loss],
        mistakes=[
            Mistake("expected_pinball = sp.exp(-lam * m) / lam + q * m - q / lam", "swapped"),
        ],
    ),
    Question(
        exercise="ex-14-exponential",
        task=r"""
**Graded question (derivation).** Enter the minimiser of $L[m]$ as a SymPy expression
`best_m` in `lam` and `q`.
""",
        answer="""
import sympy as sp

lam = sp.Symbol("lambda", positive=True)
q = sp.Symbol("q", positive=True)
best_m = -sp.log(1 - q) / lam  # SOLUTION
""",
        tests=[test_best_m],
        mistakes=[
            Mistake("best_m = -sp.log(q) / lam", "F[m] = 1 - exp(-lambda m) = q"),
            Mistake("best_m = q / lam", "solve 1 - exp(-lambda m) = q"),
        ],
    ),
    Question(
        exercise="ex-14-hinge",
        task=r"""
**Graded question (code).** Write `hinge_minimiser(p)`: the score $z$ that minimises the
expected hinge loss, for a tensor of probabilities $p \ne 1/2$.
""",
        answer='''
import torch


def hinge_minimiser(p):
    """argmin_z p max[0, 1 - z] + (1 - p) max[0, 1 + z], for p != 1/2."""
    # BEGIN SOLUTION
    return torch.where(p > 0.5, 1.0, -1.0).to(p.dtype)
    # END SOLUTION
''',
        tests=[test_hinge],
        mistakes=[
            Mistake("return 2 * p - 1", "only the sign of 2p - 1"),
            Mistake("return torch.logit(p)", "only their sign"),
        ],
    ),
]
