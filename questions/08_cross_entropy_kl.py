"""Graded questions of chapter 08, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_kl(kl_divergence):
    import torch

    from lossrecipe.grading import check_function

    def reference(q, p):
        categorical = torch.distributions.Categorical
        return torch.distributions.kl_divergence(categorical(probs=q), categorical(probs=p))

    d = torch.float64
    cases = [
        (torch.tensor([0.5, 0.5], dtype=d), torch.tensor([0.9, 0.1], dtype=d)),
        (torch.tensor([0.2, 0.3, 0.5], dtype=d), torch.tensor([0.6, 0.3, 0.1], dtype=d)),
    ]
    check_function(
        kl_divergence,
        reference,
        cases,
        name="kl_divergence",
        mistakes=[
            (
                lambda q, p: (p * torch.log(p / q)).sum(),
                "that is D_KL[p || q]: the average is over the first argument, q",
            ),
            (lambda q, p: (q * torch.log(p / q)).sum(), "it has the wrong sign: log(q / p)"),
        ],
    )


def test_kl_with_a_zero(kl_divergence):
    import math

    import torch

    from lossrecipe.grading import check_function

    def closed_form(q, p):
        return 0.4 * math.log(0.4 / 0.5) + 0.6 * math.log(0.6 / 0.25)  # 0 log 0 = 0

    d = torch.float64
    q, p = torch.tensor([0.4, 0.6, 0.0], dtype=d), torch.tensor([0.5, 0.25, 0.25], dtype=d)
    check_function(kl_divergence, closed_form, [(q, p)], name="kl_divergence")


def test_kl_of_normals(kl_normal):
    import sympy as sp

    from lossrecipe.grading import check_expression
    from lossrecipe.symbolic import normal_pdf

    y = sp.Symbol("y", real=True)
    mu_1, mu_2 = sp.symbols("mu_1 mu_2", real=True)
    sigma_1, sigma_2 = sp.symbols("sigma_1 sigma_2", positive=True)
    log_ratio = sp.expand(
        sp.expand_log(
            sp.log(normal_pdf(y, mu_1, sigma_1**2) / normal_pdf(y, mu_2, sigma_2**2)), force=True
        )
    )
    moments = [1, mu_1, mu_1**2 + sigma_1**2]  # E_q[y^k], k = 0, 1, 2
    coefficients = sp.Poly(log_ratio, y).all_coeffs()[::-1]
    truth = sum(c * m for c, m in zip(coefficients, moments, strict=True))
    check_expression(
        kl_normal,
        truth,
        name="kl_normal",
        mistakes=[
            (
                sp.log(sigma_2 / sigma_1) + (sigma_1**2 + (mu_1 - mu_2) ** 2) / (2 * sigma_2**2),
                "the -1/2 comes from the average of -(y - mu_1)^2 / (2 sigma_1^2) under q",
            ),
            (
                sp.log(sigma_2 / sigma_1)
                + (mu_1 - mu_2) ** 2 / (2 * sigma_2**2)
                - sp.Rational(1, 2),
                "E_q[(y - mu_2)^2] is sigma_1^2 + (mu_1 - mu_2)^2",
            ),
        ],
    )


def test_label_smoothing(smoothed_cross_entropy):
    import torch

    from lossrecipe.grading import check_function

    def reference(logits, labels, epsilon):
        return torch.nn.CrossEntropyLoss(label_smoothing=epsilon)(logits, labels)

    def spread_over_others(logits, labels, epsilon):
        k = logits.shape[1]
        one_hot = torch.nn.functional.one_hot(labels, k).double()
        soft = (1 - epsilon) * one_hot + epsilon / (k - 1) * (1 - one_hot)
        return -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()

    d = torch.float64
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-2.0, 3.0, 0.0]], dtype=d)
    cases = [(logits, torch.tensor([0, 2, 1]), 0.1), (logits, torch.tensor([1, 1, 0]), 0.3)]
    check_function(
        smoothed_cross_entropy,
        reference,
        cases,
        name="smoothed_cross_entropy",
        mistakes=[
            (spread_over_others, "epsilon / K goes to every class, the true one included"),
            (
                lambda z, y, e: torch.nn.CrossEntropyLoss()(z, y),
                "the targets are not smoothed: (1 - epsilon) one-hot + epsilon / K",
            ),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-08-asymmetry",
        task=r"""
**Graded question (code).** Write `kl_divergence(q, p)`, $D_{KL}[\mathbf{q}\,\|\,\mathbf{p}]$
of two probability vectors (tensors), with $0 \log 0 = 0$. The check compares it with
`torch.distributions.kl_divergence`.
""",
        answer='''
import torch


def kl_divergence(q, p):
    """sum_k q_k log[q_k / p_k]."""
    # BEGIN SOLUTION
    return (torch.special.xlogy(q, q) - torch.special.xlogy(q, p)).sum()
    # END SOLUTION
''',
        tests=[test_kl],
        hidden=[test_kl_with_a_zero],
        mistakes=[
            Mistake("return (p * torch.log(p / q)).sum()", "that is D_KL[p || q]"),
            Mistake("return (q * torch.log(p / q)).sum()", "wrong sign"),
        ],
    ),
    Question(
        exercise="ex-08-gaussians",
        task=r"""
**Graded question (derivation).** Enter $D_{KL}[q\,\|\,p]$ for
$q = \operatorname{Norm}_y[\mu_1, \sigma_1^2]$ and $p = \operatorname{Norm}_y[\mu_2,
\sigma_2^2]$ as a SymPy expression `kl_normal` in the symbols of the cell.
""",
        answer="""
import sympy as sp

mu_1, mu_2 = sp.symbols("mu_1 mu_2", real=True)
sigma_1, sigma_2 = sp.symbols("sigma_1 sigma_2", positive=True)
# BEGIN SOLUTION
kl_normal = (
    sp.log(sigma_2 / sigma_1)
    + (sigma_1**2 + (mu_1 - mu_2) ** 2) / (2 * sigma_2**2)
    - sp.Rational(1, 2)
)
# END SOLUTION
""",
        tests=[test_kl_of_normals],
        mistakes=[
            Mistake(
                "kl_normal = sp.log(sigma_2 / sigma_1) + (sigma_1**2 + (mu_1 - mu_2) ** 2)"
                " / (2 * sigma_2**2)",
                "the -1/2 comes from",
            ),
            Mistake(
                "kl_normal = sp.log(sigma_2 / sigma_1) + (mu_1 - mu_2) ** 2 / (2 * sigma_2**2)"
                " - sp.Rational(1, 2)",
                "is sigma_1^2 + (mu_1 - mu_2)^2",
            ),
        ],
    ),
    Question(
        exercise="ex-08-smoothing",
        task=r"""
**Graded question (code).** Write `smoothed_cross_entropy(logits, labels, epsilon)`: the
mean cross-entropy of the rows of `logits` against the smoothed targets, in a stable form.
The check compares it with `torch.nn.CrossEntropyLoss(label_smoothing=epsilon)`.
""",
        answer='''
import torch


def smoothed_cross_entropy(logits, labels, epsilon):
    """Mean over rows of -sum_k t_k log softmax[z]_k, t = (1 - eps) one-hot + eps / K."""
    # BEGIN SOLUTION
    k = logits.shape[1]
    one_hot = torch.nn.functional.one_hot(labels, k).to(logits.dtype)
    soft = (1 - epsilon) * one_hot + epsilon / k
    return -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
    # END SOLUTION
''',
        tests=[test_label_smoothing],
        mistakes=[
            Mistake(
                "k = logits.shape[1]\n"
                "one_hot = torch.nn.functional.one_hot(labels, k).to(logits.dtype)\n"
                "soft = (1 - epsilon) * one_hot + epsilon / (k - 1) * (1 - one_hot)\n"
                "return -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()",
                "the true one included",
            ),
        ],
    ),
]
