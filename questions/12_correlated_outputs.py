"""Graded questions of chapter 12, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_price_of_ignoring_correlation(excess):
    import sympy as sp

    from lossrecipe.grading import check_expression

    s1, s2 = sp.symbols("sigma_1 sigma_2", positive=True)
    rho = sp.Symbol("rho", real=True)
    Sigma = sp.Matrix([[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]])

    def expected_nll(model_cov):
        # E[r^T A r] = tr[A Sigma] for r = y - mu, with the truth's Sigma (eq-12-nll)
        return (
            (model_cov.inv() * Sigma).trace() / 2 + sp.log(model_cov.det()) / 2 + sp.log(2 * sp.pi)
        )

    truth = sp.simplify(expected_nll(sp.diag(s1**2, s2**2)) - expected_nll(Sigma))
    check_expression(
        excess,
        truth,
        name="excess",
        symbols=[rho],
        domain={rho: (-0.95, 0.95)},
        mistakes=[
            (sp.log(1 - rho**2) / 2, "the diagonal model pays more, not less: the sign"),
            (-sp.log(1 - rho**2), "log det Sigma enters the NLL with a factor 1/2"),
        ],
    )


def test_singular_factor(singular_factor):
    import torch

    assert isinstance(singular_factor, torch.Tensor), "`singular_factor` should be a 2 x 2 tensor"
    factor = singular_factor.to(torch.float64)
    assert factor.shape == (2, 2), f"`singular_factor` has shape {tuple(factor.shape)}, not (2, 2)"
    assert factor[0, 1] == 0, "a Cholesky factor is lower triangular: the entry above is 0"
    assert factor.abs().sum() > 0, "take a nonzero L: Sigma = 0 is singular, but trivially"
    sigma = factor @ factor.T
    assert torch.linalg.det(sigma).abs() < 1e-12, (
        "L L^T is not singular: its determinant is "
        f"{float(torch.linalg.det(sigma)):.3g}; put a 0 on the diagonal of L"
    )


QUESTIONS = [
    Question(
        exercise="ex-12-cost",
        task=r"""
**Graded question (derivation).** Enter the excess expected NLL of the diagonal model over
the truth as a SymPy expression `excess` in `rho`.
""",
        answer="""
import sympy as sp

rho = sp.Symbol("rho", real=True)
excess = -sp.log(1 - rho**2) / 2  # SOLUTION
""",
        tests=[test_price_of_ignoring_correlation],
        mistakes=[
            Mistake("excess = sp.log(1 - rho**2) / 2", "the sign"),
            Mistake("excess = -sp.log(1 - rho**2)", "factor 1/2"),
        ],
    ),
    Question(
        exercise="ex-12-softplus-diagonal",
        task=r"""
**Graded question.** Give a $2 \times 2$ lower-triangular factor $\mathbf{L}$, nonzero, for
which $\boldsymbol\Sigma = \mathbf{L}\mathbf{L}^T$ is singular: `singular_factor`, a tensor.
""",
        answer="""
import torch

singular_factor = torch.tensor([[1.0, 0.0], [1.0, 0.0]])  # SOLUTION
""",
        tests=[test_singular_factor],
        mistakes=[
            Mistake("singular_factor = torch.eye(2)", "put a 0 on the diagonal"),
            Mistake("singular_factor = torch.tensor([[1.0, 1.0], [0.0, 0.0]])", "lower triangular"),
        ],
    ),
]
