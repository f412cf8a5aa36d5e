"""Graded questions of chapter 07, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_two_class_logit(binary_logit):
    import sympy as sp

    from lossrecipe.grading import check_expression

    z_0, z_1, t = sp.symbols("z_0 z_1 t", real=True)
    # For y = 1: log[e^z0 + e^z1] - z1 = -log sig[t]; solve for the logit t.
    softmax_loss = sp.log(sp.exp(z_0) + sp.exp(z_1)) - z_1
    binary_loss = sp.log(1 + sp.exp(-t))
    (logit,) = sp.solve(sp.Eq(sp.exp(softmax_loss), sp.exp(binary_loss)), t)
    check_expression(binary_logit, logit, name="binary_logit", symbols=[z_0, z_1])


def test_cross_entropy(softmax_cross_entropy):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    def reference(logits, y):
        return lr.Categorical(num_classes=logits.shape[1]).nll(logits, y, reduction="none")

    d = torch.float64
    cases = [
        (torch.tensor([[0.2, -1.0, 0.5], [2.0, 0.0, -3.0]], dtype=d), torch.tensor([2, 0])),
        (torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=d), torch.tensor([2, 1])),
    ]
    check_function(
        softmax_cross_entropy,
        reference,
        cases,
        name="softmax_cross_entropy",
        mistakes=[
            (
                lambda z, y: -torch.log(torch.softmax(z, dim=1)).gather(1, y[:, None])[:, 0],
                "log(softmax(z)) is -inf once a probability underflows: use log-sum-exp",
            ),
            (
                lambda z, y: (
                    -torch.log(torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)).gather(
                        1, y[:, None]
                    )[:, 0]
                ),
                "exp(1e4) overflows: use log-sum-exp (torch.logsumexp)",
            ),
        ],
    )


def test_frequency_baseline(frequency_baseline):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    def reference(labels, num_classes):
        counts = torch.bincount(labels, minlength=num_classes).double()
        logits = torch.log(counts / len(labels)).expand(len(labels), num_classes)
        return lr.Categorical(num_classes).nll(logits, labels, reduction="mean")

    cases = [(torch.tensor([0, 1, 1, 2, 2, 2]), 3), (torch.tensor([1, 0, 0, 1]), 2)]
    check_function(
        frequency_baseline,
        reference,
        cases,
        name="frequency_baseline",
        mistakes=[
            (
                lambda labels, k: torch.log(torch.tensor(float(k))),
                "log K is the loss of equal probabilities",
            ),
        ],
    )


def test_frequency_baseline_with_an_empty_class(frequency_baseline):
    import math

    import torch

    from lossrecipe.grading import check_function

    def closed_form(labels, num_classes):
        # entropy of the frequencies (1/4, 3/4, 0): a class never seen contributes 0 log 0 = 0
        return -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))

    check_function(
        frequency_baseline,
        closed_form,
        [(torch.tensor([0, 1, 1, 1]), 3)],
        name="frequency_baseline",
        mistakes=[],
    )


def test_gradient(cross_entropy_gradient):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    def autograd(logits, y):
        logits = logits.clone().requires_grad_()
        loss = lr.Categorical(num_classes=logits.shape[1]).nll(logits, y)
        (gradient,) = torch.autograd.grad(loss, logits)
        return gradient

    def one_hot(logits, y):
        return torch.nn.functional.one_hot(y, logits.shape[1]).to(logits.dtype)

    d = torch.float64
    cases = [
        (torch.tensor([[0.2, -1.0, 0.5], [2.0, 0.0, -3.0]], dtype=d), torch.tensor([2, 0])),
        (torch.tensor([[1e4, 0.0, -1e4]], dtype=d), torch.tensor([1])),
    ]
    check_function(
        cross_entropy_gradient,
        autograd,
        cases,
        name="cross_entropy_gradient",
        mistakes=[
            (
                lambda z, y: one_hot(z, y) - torch.softmax(z, dim=1),
                "it has the wrong sign: softmax[z] - one-hot(y)",
            ),
            (lambda z, y: torch.softmax(z, dim=1), "subtract one-hot(y): the label's own term"),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-07-two-classes",
        task=r"""
**Graded question (derivation).** The two-class softmax cross-entropy is the binary one
with which single logit? Enter it as a SymPy expression `binary_logit` in `z_0` and `z_1`.
""",
        answer="""
import sympy as sp

z_0 = sp.Symbol("z_0", real=True)
z_1 = sp.Symbol("z_1", real=True)
binary_logit = z_1 - z_0  # SOLUTION
""",
        tests=[test_two_class_logit],
        mistakes=[Mistake("binary_logit = z_0 - z_1", "wrong sign")],
    ),
    Question(
        exercise="ex-07-two-classes",
        task=r"""
**Graded question (code).** Write `softmax_cross_entropy(logits, y)`: the loss
$-\log \operatorname{softmax}_{y_i}[\mathbf{z}_i]$ of each row of `logits` (shape $(N, K)$)
for the class indices `y`, finite for logits of $\pm 10^4$. The check compares it with
`lr.Categorical`.
""",
        answer='''
import torch


def softmax_cross_entropy(logits, y):
    """-log softmax[z_i]_{y_i} for each row i, via log-sum-exp."""
    # BEGIN SOLUTION
    chosen = logits.gather(1, y[:, None])[:, 0]
    return torch.logsumexp(logits, dim=1) - chosen
    # END SOLUTION
''',
        tests=[test_cross_entropy],
        mistakes=[
            Mistake(
                "return -torch.log(torch.softmax(logits, dim=1)).gather(1, y[:, None])[:, 0]",
                "use log-sum-exp",
            ),
        ],
    ),
    Question(
        exercise="ex-07-baseline",
        task=r"""
**Graded question (code).** Write `frequency_baseline(labels, num_classes)`: the mean loss
of the model that ignores $x$ and predicts the class frequencies of `labels` (a tensor of
class indices). A class that never occurs must not make it NaN.
""",
        answer='''
import torch


def frequency_baseline(labels, num_classes):
    """-sum_k f_k log f_k with the class frequencies f_k (0 log 0 = 0)."""
    # BEGIN SOLUTION
    frequencies = torch.bincount(labels, minlength=num_classes).double() / len(labels)
    return -torch.special.xlogy(frequencies, frequencies).sum()
    # END SOLUTION
''',
        tests=[test_frequency_baseline],
        hidden=[test_frequency_baseline_with_an_empty_class],
        mistakes=[
            Mistake("return torch.log(torch.tensor(float(num_classes)))", "equal probabilities"),
        ],
    ),
    Question(
        exercise="ex-07-sum-zero",
        task=r"""
**Graded question (code).** Write `cross_entropy_gradient(logits, y)`: the gradient of
the summed softmax cross-entropy with respect to the logits, one row per example
(shape $(N, K)$), finite for logits of $\pm 10^4$. The check compares it with autograd
on `lr.Categorical`; the rows of a right answer sum to zero.
""",
        answer='''
import torch


def cross_entropy_gradient(logits, y):
    """softmax[z_i] - one-hot(y_i) for each row i."""
    # BEGIN SOLUTION
    one_hot = torch.nn.functional.one_hot(y, logits.shape[1]).to(logits.dtype)
    return torch.softmax(logits, dim=1) - one_hot
    # END SOLUTION
''',
        tests=[test_gradient],
        mistakes=[
            Mistake(
                "one_hot = torch.nn.functional.one_hot(y, logits.shape[1]).to(logits.dtype)\n"
                "return one_hot - torch.softmax(logits, dim=1)",
                "wrong sign",
            ),
            Mistake("return torch.softmax(logits, dim=1)", "subtract one-hot(y)"),
        ],
    ),
]
