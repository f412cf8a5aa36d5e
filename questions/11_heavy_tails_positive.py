"""Graded questions of chapter 11, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_gamma_mode(gamma_mode, mode_over_mean):
    import sympy as sp

    from lossrecipe.grading import check_expression

    y, alpha, beta = sp.symbols("y alpha beta", positive=True)
    log_density = (alpha - 1) * sp.log(y) - beta * y  # eq-11-gamma, up to a constant
    (peak,) = sp.solve(sp.diff(log_density, y), y)
    mean = sp.integrate(y * y ** (alpha - 1) * sp.exp(-beta * y), (y, 0, sp.oo), conds="none") / (
        sp.integrate(y ** (alpha - 1) * sp.exp(-beta * y), (y, 0, sp.oo), conds="none")
    )
    check_expression(
        gamma_mode,
        peak,
        name="gamma_mode",
        domain={alpha: (1.2, 5)},
        mistakes=[(alpha / beta, "that is the mean, alpha / beta")],
    )
    check_expression(
        mode_over_mean,
        sp.simplify(peak / mean),
        name="mode_over_mean",
        domain={alpha: (1.2, 5)},
        mistakes=[(alpha / (alpha - 1), "that is mean / mode")],
    )


def test_student_pull(peak_residual, peak_pull):
    import sympy as sp

    from lossrecipe.grading import check_expression

    r, s, nu = sp.symbols("r s nu", positive=True)
    pull = (nu + 1) * r / (nu * s**2 + r**2)  # eq-11-student-pull
    (peak,) = sp.solve(sp.diff(pull, r), r)
    check_expression(
        peak_residual,
        peak,
        name="peak_residual",
        mistakes=[(s * nu, "the pull peaks where r^2 = nu s^2")],
    )
    check_expression(
        peak_pull,
        sp.simplify(pull.subs(r, peak)),
        name="peak_pull",
        mistakes=[((nu + 1) / (s * sp.sqrt(nu)), "at the peak the denominator is 2 nu s^2")],
    )


QUESTIONS = [
    Question(
        exercise="ex-11-gamma-mode",
        task=r"""
**Graded question (derivation).** For $\alpha > 1$, enter the mode of the Gamma density,
`gamma_mode`, and the ratio mode/mean, `mode_over_mean`, as SymPy expressions in `alpha`
and `beta`.
""",
        answer="""
import sympy as sp

alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
# BEGIN SOLUTION
gamma_mode = (alpha - 1) / beta
mode_over_mean = (alpha - 1) / alpha
# END SOLUTION
""",
        tests=[test_gamma_mode],
        mistakes=[
            Mistake("gamma_mode = alpha / beta\nmode_over_mean = (alpha - 1) / alpha", "the mean"),
            Mistake(
                "gamma_mode = (alpha - 1) / beta\nmode_over_mean = alpha / (alpha - 1)",
                "mean / mode",
            ),
        ],
    ),
    Question(
        exercise="ex-11-pull",
        task=r"""
**Graded question (derivation).** Enter the residual $r > 0$ at which the Student-t pull
is largest, `peak_residual`, and the pull there, `peak_pull`, as SymPy expressions in `s`
and `nu`.
""",
        answer="""
import sympy as sp

s = sp.Symbol("s", positive=True)
nu = sp.Symbol("nu", positive=True)
# BEGIN SOLUTION
peak_residual = s * sp.sqrt(nu)
peak_pull = (nu + 1) / (2 * s * sp.sqrt(nu))
# END SOLUTION
""",
        tests=[test_student_pull],
        mistakes=[
            Mistake(
                "peak_residual = s * nu\npeak_pull = (nu + 1) / (2 * s * sp.sqrt(nu))",
                "r^2 = nu s^2",
            ),
            Mistake(
                "peak_residual = s * sp.sqrt(nu)\npeak_pull = (nu + 1) / (s * sp.sqrt(nu))",
                "2 nu s^2",
            ),
        ],
    ),
]
