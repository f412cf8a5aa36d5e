"""PlackettLuce: a product of softmaxes written out step by step, all K! rankings summing
to 1, top-k lists as sums over completions, extreme scores, sampling, and bad input."""

import itertools
import math

import pytest
import torch

import lossrecipe as lr

from .conftest import assert_near, grad_of, tol

N = 32


def _batch(dtype, k, scale=1.0, seed=0, top=None):
    g = torch.Generator().manual_seed(seed)
    scores = torch.randn(N, k, generator=g, dtype=torch.float64) * scale
    y = torch.stack([torch.randperm(k, generator=g) for _ in range(N)])
    return scores.to(dtype), y[:, : top or k]


def _loop_nll(scores, y):
    """The definition: at each step, a softmax over the items not yet placed."""
    terms = []
    for s, ranking in zip(scores, y, strict=True):
        left = list(range(s.shape[0]))
        total = s.new_zeros(())
        for item in ranking.tolist():
            total = total - torch.log_softmax(s[left], dim=0)[left.index(item)]
            left.remove(item)
        terms.append(total)
    return torch.stack(terms)


@pytest.mark.parametrize("k, top", [(1, None), (3, None), (5, None), (5, 1), (5, 3), (6, 5)])
def test_matches_the_product_of_softmaxes(dtype, k, top):
    scores, y = _batch(dtype, k, scale=2.0, top=top)
    recipe = lr.PlackettLuce(num_items=k)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), scores)
    ref, ref_grad = grad_of(lambda o: _loop_nll(o, y), scores.double())
    assert_near(ours, ref)
    assert_near(ours_grad, ref_grad)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_all_rankings_sum_to_one(k):
    scores, _ = _batch(torch.float64, k, scale=3.0)
    perms = torch.tensor(list(itertools.permutations(range(k))))  # (K!, K)
    log_p = lr.PlackettLuce(k).distribution(scores).log_prob(perms[:, None, :])  # (K!, N)
    assert log_p.shape == (math.factorial(k), N)
    torch.testing.assert_close(
        log_p.exp().sum(0), torch.ones(N, dtype=torch.float64), rtol=0, atol=1e-13
    )


@pytest.mark.parametrize("top", [1, 2, 3])
def test_top_k_is_the_sum_over_its_completions(top):
    k = 4
    scores, y = _batch(torch.float64, k, scale=2.0, top=top, seed=1)
    dist = lr.PlackettLuce(k).distribution(scores)
    for i in range(N):
        head = y[i].tolist()
        rest = [item for item in range(k) if item not in head]
        completions = torch.tensor([head + list(tail) for tail in itertools.permutations(rest)])
        full = (
            lr.distributions.PlackettLuceDistribution(scores[i]).log_prob(completions).exp().sum()
        )
        torch.testing.assert_close(dist.log_prob(y)[i].exp(), full, rtol=1e-13, atol=0)


def test_top_one_is_the_categorical(dtype):
    scores, y = _batch(dtype, 6, scale=2.0, top=1)
    ours = lr.PlackettLuce(6).nll(scores, y, reduction="none")
    ref = lr.Categorical(6).nll(scores, y[:, 0], reduction="none")
    torch.testing.assert_close(ours, ref)


def test_shifting_every_score_changes_nothing():
    scores, y = _batch(torch.float64, 5, top=3)
    recipe = lr.PlackettLuce(5)
    torch.testing.assert_close(recipe.nll(scores + 7.5, y), recipe.nll(scores, y))


@pytest.mark.parametrize("ranking, expected", [([2, 1, 0], 3e4), ([0, 1, 2], 0.0), ([1], 1e4)])
def test_extreme_scores(dtype, ranking, expected):
    # s = (1e4, 0, -1e4): each step's log-sum-exp is the largest score left
    scores = torch.tensor([[1e4, 0.0, -1e4]], dtype=dtype)
    y = torch.tensor([ranking])
    value, grad = grad_of(lambda o: lr.PlackettLuce(3).nll(o, y), scores)
    assert math.isclose(float(value), expected, rel_tol=tol(dtype)["rtol"])
    # shifting every score together changes nothing: the gradient sums to 0
    assert bool(torch.isfinite(grad).all()) and float(grad.sum().abs()) < tol(dtype)["atol"]


def test_gumbel_samples_follow_the_probabilities():
    torch.manual_seed(0)
    scores = torch.tensor([[1.0, 0.0, -0.5]], dtype=torch.float64)
    dist = lr.distributions.PlackettLuceDistribution(scores)
    draws = dist.sample((40000,))[:, 0]  # (S, 3)
    assert draws.shape == (40000, 3) and draws.dtype == torch.long
    perms = torch.tensor(list(itertools.permutations(range(3))))
    expected = dist.log_prob(perms[:, None, :]).exp()[:, 0]
    counts = (draws[:, None, :] == perms[None]).all(-1).double().mean(0)
    # binomial standard error <= 0.0025: 4 of them
    torch.testing.assert_close(counts, expected, rtol=0, atol=0.01)


def test_sample_and_mode_shapes():
    scores, _ = _batch(torch.float64, 4)
    recipe = lr.PlackettLuce(4)
    dist = recipe.distribution(scores)
    assert dist.sample().shape == (N, 4) and dist.sample((3,)).shape == (3, N, 4)
    assert recipe.predict(scores).shape == (N, 4)
    assert torch.equal(recipe.predict(scores), scores.argsort(dim=1, descending=True))
    assert bool(dist.support.check(dist.sample()).all())


@pytest.mark.parametrize("k", [0, -1, 2.0, True])
def test_bad_number_of_items(k):
    with pytest.raises(ValueError, match="num_items"):
        lr.PlackettLuce(num_items=k)


def test_one_ranking_without_batch_dimension():
    with pytest.raises(ValueError, match="y: .*unsqueeze"):
        lr.PlackettLuce(3).nll(torch.zeros(1, 3), torch.tensor([0, 1, 2]))


def test_longer_than_the_items():
    with pytest.raises(ValueError, match="y: .*1 <= k <= 3"):
        lr.PlackettLuce(3).nll(torch.zeros(1, 3), torch.tensor([[0, 1, 2, 0]]))


def test_float_rankings_must_hold_whole_numbers():
    # whole numbers in a float tensor are rankings, as distribution().log_prob reads them
    outputs, ranking = torch.randn(1, 3), torch.tensor([[2, 0, 1]])
    recipe = lr.PlackettLuce(3)
    assert torch.equal(recipe.nll(outputs, ranking.double()), recipe.nll(outputs, ranking))
    with pytest.raises(ValueError, match="y: .*integer"):
        recipe.nll(torch.zeros(1, 3), torch.tensor([[0.5, 1.0, 2.0]]))


def test_item_out_of_range():
    with pytest.raises(ValueError, match="y: .*0..2"):
        lr.PlackettLuce(3).nll(torch.zeros(1, 3), torch.tensor([[1, 3]]))


def test_repeated_item():
    with pytest.raises(ValueError, match="y: .*distinct.*row 1"):
        lr.PlackettLuce(3).nll(torch.zeros(2, 3), torch.tensor([[0, 1], [2, 2]]))


def test_wrong_batch():
    with pytest.raises(ValueError, match="y: .*\\(2, k\\)"):
        lr.PlackettLuce(3).nll(torch.zeros(2, 3), torch.tensor([[0, 1, 2]]))


def test_wrong_output_width():
    with pytest.raises(ValueError, match="outputs: .*\\(N, 3\\)"):
        lr.PlackettLuce(3).nll(torch.zeros(2, 4), torch.tensor([[0], [1]]))


def test_distribution_needs_scores_with_an_item_dimension():
    with pytest.raises(ValueError, match="scores"):
        lr.distributions.PlackettLuceDistribution(torch.tensor(1.0))
