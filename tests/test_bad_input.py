"""One test per kind of mistake a student makes; each error must say what went wrong."""

import math

import pytest
import torch

import lossrecipe as lr


def _nll(recipe, outputs, y, **kw):
    return recipe.nll(outputs, y, **kw)


def test_wrong_number_of_output_columns():
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 2\).*got \(5, 1\)"):
        lr.HeteroscedasticGaussian().nll(torch.zeros(5, 1), torch.zeros(5))


def test_one_dimensional_outputs_get_a_hint():
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 1\).*got \(5\).*unsqueeze"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(5), torch.zeros(5))


def test_logits_for_the_wrong_number_of_classes():
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 3\).*got \(4, 2\)"):
        lr.Categorical(num_classes=3).nll(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))


def test_mismatched_batch_sizes():
    with pytest.raises(ValueError, match=r"y: expected shape \(5,\).*got \(4\)"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(5, 1), torch.zeros(4))


def test_column_target_would_broadcast():
    with pytest.raises(ValueError, match=r"y: expected shape \(5,\).*got \(5, 1\).*squeeze"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(5, 1), torch.zeros(5, 1))


@pytest.mark.parametrize("label", [2.0, -1.0])
def test_bernoulli_label_outside_support(label):
    y = torch.tensor([0.0, 1.0, label])
    with pytest.raises(ValueError, match=rf"y: expected binary labels 0 or 1, got {label}"):
        lr.Bernoulli().nll(torch.zeros(3, 1), y)


def test_bernoulli_probabilities_where_labels_belong():
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1.*not probabilities"):
        lr.Bernoulli().nll(torch.zeros(2, 1), torch.tensor([0.7, 0.2]))


def test_categorical_labels_one_to_k():
    y = torch.tensor([1, 2, 3])
    with pytest.raises(
        ValueError,
        match=r"y: expected class indices 0\.\.2.*got values from 1 to 3"
        r".*shifted to 0\.\.K-1",
    ):
        lr.Categorical(num_classes=3).nll(torch.zeros(3, 3), y)


def test_categorical_negative_label():
    with pytest.raises(ValueError, match=r"y: expected class indices 0\.\.2.*from -1"):
        lr.Categorical(num_classes=3).nll(torch.zeros(2, 3), torch.tensor([-1, 0]))


def test_categorical_fractional_label():
    with pytest.raises(ValueError, match="y: expected integer class indices, got non-integer"):
        lr.Categorical(num_classes=3).nll(torch.zeros(2, 3), torch.tensor([0.5, 1.0]))


def test_categorical_one_hot_targets():
    y = torch.eye(3)
    with pytest.raises(ValueError, match=r"y: expected class indices of shape \(3,\).*argmax"):
        lr.Categorical(num_classes=3).nll(torch.zeros(3, 3), y)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_outputs(bad):
    outputs = torch.tensor([[0.0], [bad]])
    with pytest.raises(ValueError, match="outputs: expected finite values, got 1 NaN or infinite"):
        lr.Bernoulli().nll(outputs, torch.tensor([0.0, 1.0]))


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_targets(bad):
    with pytest.raises(ValueError, match="y: expected finite values"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(2, 1), torch.tensor([0.0, bad]))


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.nan, math.inf, "wide"])
def test_non_positive_fixed_sigma(sigma):
    with pytest.raises(ValueError, match="sigma: expected a positive"):
        lr.Gaussian(sigma=sigma)


def test_unknown_variance_link():
    with pytest.raises(ValueError, match="link: expected one of .*got 'relu'"):
        lr.HeteroscedasticGaussian(link="relu")


@pytest.mark.parametrize("k", [0, -2, 2.5, True])
def test_bad_number_of_classes(k):
    with pytest.raises(ValueError, match="num_classes: expected an integer >= 1"):
        lr.Categorical(num_classes=k)


def test_unknown_reduction():
    with pytest.raises(ValueError, match="reduction: expected one of .*got 'avg'"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(2, 1), torch.zeros(2), reduction="avg")


def test_outputs_not_a_tensor():
    with pytest.raises(ValueError, match="outputs: expected a torch.Tensor, got list"):
        lr.Gaussian(sigma=1.0).nll([[0.0]], torch.zeros(1))


def test_integer_outputs():
    with pytest.raises(ValueError, match="outputs: expected a floating-point tensor"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(2, 1, dtype=torch.long), torch.zeros(2))


def test_predict_and_params_check_outputs_too():
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 2\)"):
        lr.HeteroscedasticGaussian().predict(torch.zeros(3, 1))
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 3\)"):
        lr.Categorical(3).params(torch.zeros(3, 4))


def test_network_input_shape():
    net = lr.ShallowNet(num_inputs=1, num_hidden=3, num_outputs=1)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 1\), got \(5,\).*unsqueeze"):
        net(torch.zeros(5))
