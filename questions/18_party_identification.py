"""Graded questions of chapter 18, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_rps(rps):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(6, 7, generator=g, dtype=torch.float64), dim=1)
    labels = torch.tensor([0, 6, 3, 1, 5, 2])
    by_hand = torch.tensor([[0.5, 0.5, 0, 0, 0, 0, 0], [0.5, 0, 0, 0, 0, 0, 0.5]])
    check_function(
        rps,
        lr.metrics.ranked_probability_score,
        [(probs, labels), (by_hand.double(), torch.tensor([0, 0]))],
        name="rps",
        mistakes=[
            (lr.metrics.brier_score, "that is the Brier score: compare cumulative probabilities"),
            (
                lambda p, y: (
                    (p.cumsum(1)[:, :-1] - (y[:, None] >= torch.arange(p.shape[1] - 1)).double())
                    ** 2
                ).sum(1),
                "the outcome's step is 1[y <= k]: 1 from the outcome's class on",
            ),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-18-rps-by-hand",
        task=r"""
**Graded question (code).** Write `rps(probs, y)`: the ranked probability score
$\sum_{k=0}^{K-2} (Pr(Y \le k) - \mathbb{1}[y_i \le k])^2$ of each row of `probs`
($N \times K$ probabilities of ordered classes) for the labels `y`, without
`lr.metrics`.
""",
        answer='''
import torch


def rps(probs, y):
    """sum_{k=0}^{K-2} (P(Y <= k) - [y <= k])^2 for each row, shape (N,)."""
    # BEGIN SOLUTION
    cumulative = probs.cumsum(dim=1)[:, :-1]
    step = (y[:, None] <= torch.arange(probs.shape[1] - 1)).to(probs.dtype)
    return ((cumulative - step) ** 2).sum(dim=1)
    # END SOLUTION
''',
        tests=[test_rps],
        mistakes=[
            Mistake(
                "one_hot = torch.nn.functional.one_hot(y, probs.shape[1]).to(probs.dtype)\n"
                "return ((probs - one_hot) ** 2).sum(dim=1)",
                "Brier score",
            ),
        ],
    ),
]
