"""Graded questions of chapter 15, keyed by the exercises they grade."""

from question_spec import Mistake, Question


def test_expected_brier(expected_brier):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    def reference(p, q):
        # the definition: average the Brier score of p over outcomes k drawn from q
        scores = [lr.metrics.brier_score(p[None, :], torch.tensor([k])) for k in range(len(q))]
        return sum(q_k * score[0] for q_k, score in zip(q, scores, strict=True))

    d = torch.float64
    cases = [
        (torch.tensor([0.5, 0.3, 0.2], dtype=d), torch.tensor([0.2, 0.7, 0.1], dtype=d)),
        (torch.tensor([0.9, 0.1], dtype=d), torch.tensor([0.5, 0.5], dtype=d)),
    ]
    check_function(
        expected_brier,
        reference,
        cases,
        name="expected_brier",
        mistakes=[
            (
                lambda p, q: ((p - q) ** 2).sum(),
                "the sum of q_k (1 - q_k) does not depend on p, but it is part of the expectation",
            ),
        ],
    )


def test_crps(crps_from_samples):
    import torch

    import lossrecipe as lr
    from lossrecipe.grading import check_function

    def half_missing(samples, y):
        spread = (samples[:, None, :] - samples[None, :, :]).abs().mean(dim=(0, 1))
        return (samples - y).abs().mean(dim=0) - spread

    d = torch.float64
    samples = torch.tensor([[0.1, 2.0], [0.5, -1.0], [-0.3, 0.0], [1.2, 0.4]], dtype=d)
    cases = [
        (samples, torch.tensor([0.2, 0.5], dtype=d)),
        (samples[:1], torch.tensor([1.0, -1.5], dtype=d)),
    ]
    check_function(
        crps_from_samples,
        lr.metrics.crps_samples,
        cases,
        name="crps_from_samples",
        mistakes=[
            (half_missing, "the spread term E|X - X'| carries a factor 1/2"),
            (
                lambda s, y: (s - y).abs().mean(dim=0),
                "subtract half the spread of the samples, 1/2 E|X - X'|",
            ),
        ],
    )


QUESTIONS = [
    Question(
        exercise="ex-15-brier",
        task=r"""
**Graded question (code).** Write `expected_brier(p, q)`: the expected Brier score of the
forecast `p` when the outcome has distribution `q` (two probability vectors). The check
compares it with the definition, through `lr.metrics.brier_score`.
""",
        answer='''
def expected_brier(p, q):
    """sum_k q_k B[p, k], with B[p, k] = sum_j (p_j - 1[j = k])^2."""
    # BEGIN SOLUTION
    return ((p - q) ** 2).sum() + (q * (1 - q)).sum()
    # END SOLUTION
''',
        tests=[test_expected_brier],
        mistakes=[Mistake("return ((p - q) ** 2).sum()", "part of the expectation")],
    ),
    Question(
        exercise="ex-15-point",
        task=r"""
**Graded question (code).** Write `crps_from_samples(samples, y)`: the CRPS
$\mathbb{E}|X - y| - \tfrac12\mathbb{E}|X - X'|$ of the empirical distribution of each
column of `samples` (shape $(S, N)$) at `y` (shape $(N,)$), with $X, X'$ drawn
independently from the $S$ samples. The check compares it with
`lr.metrics.crps_samples`; one sample is a point forecast.
""",
        answer='''
def crps_from_samples(samples, y):
    """E|X - y| - E|X - X'| / 2 over the samples of each column."""
    # BEGIN SOLUTION
    spread = (samples[:, None, :] - samples[None, :, :]).abs().mean(dim=(0, 1))
    return (samples - y).abs().mean(dim=0) - spread / 2
    # END SOLUTION
''',
        tests=[test_crps],
        mistakes=[
            Mistake(
                "spread = (samples[:, None, :] - samples[None, :, :]).abs().mean(dim=(0, 1))\n"
                "return (samples - y).abs().mean(dim=0) - spread",
                "carries a factor 1/2",
            ),
            Mistake("return (samples - y).abs().mean(dim=0)", "subtract half the spread"),
        ],
    ),
]
