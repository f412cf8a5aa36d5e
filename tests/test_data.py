import pytest
import torch

import lossrecipe as lr

GENERATORS = [
    lr.data.regression_1d,
    lr.data.heteroscedastic_1d,
    lr.data.binary_1d,
    lr.data.multiclass_1d,
]


@pytest.mark.parametrize("make", GENERATORS)
def test_seeded_shapes_and_range(make):
    x1, y1 = make(num_points=50, seed=7)
    x2, y2 = make(num_points=50, seed=7)
    x3, _ = make(num_points=50, seed=8)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert not torch.equal(x1, x3)
    assert x1.shape == (50, 1) and y1.shape == (50,)
    low, high = lr.data.X_RANGE
    assert float(x1.min()) >= low and float(x1.max()) <= high


def test_generators_leave_the_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    lr.data.regression_1d(num_points=10)
    assert torch.equal(torch.rand(3), expected)


def test_label_supports():
    _, y = lr.data.binary_1d(num_points=500)
    assert set(y.tolist()) == {0.0, 1.0}
    _, y = lr.data.multiclass_1d(num_points=500, num_classes=4)
    assert y.dtype == torch.long and set(y.tolist()) == {0, 1, 2, 3}


def test_binary_frequencies_follow_the_true_probability():
    x, y = lr.data.binary_1d(num_points=20000, seed=0, dtype=torch.float64)
    expected = lr.data.binary_probability(x[:, 0]).mean()
    assert abs(float(y.mean() - expected)) < 0.02


def test_heteroscedastic_noise_grows():
    x, y = lr.data.heteroscedastic_1d(num_points=20000, seed=0, dtype=torch.float64)
    residual = y - lr.data.regression_mean(x[:, 0])
    left, right = residual[x[:, 0] < 0.5], residual[x[:, 0] > 1.5]
    torch.testing.assert_close(
        left.std(), torch.tensor(0.1, dtype=torch.float64), atol=0.01, rtol=0
    )
    torch.testing.assert_close(
        right.std(), torch.tensor(0.40, dtype=torch.float64), atol=0.02, rtol=0
    )


def test_class_probabilities_are_a_distribution():
    p = lr.data.class_probabilities(torch.linspace(0, 2, 11), num_classes=3)
    torch.testing.assert_close(p.sum(dim=1), torch.ones(11))


@pytest.mark.parametrize("n", [0, -3, 2.5])
def test_bad_num_points(n):
    with pytest.raises(ValueError, match="num_points: expected an integer >= 1"):
        lr.data.regression_1d(num_points=n)
