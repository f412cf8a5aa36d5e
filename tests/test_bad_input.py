"""One test per kind of mistake a student makes; each error must say what went wrong."""

import math
import re

import pytest
import torch

import lossrecipe as lr
from lossrecipe.validation import check_count_targets, check_positive_integer

from .user_recipes import Exponential


def test_one_dimensional_outputs_get_a_hint():
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 1\).*got \(5\).*unsqueeze"):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(5), torch.zeros(5))


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


@pytest.mark.parametrize("label", [math.nan, math.inf, -math.inf, 1e-30, 1.0 - 2.0**-24, -0.5])
def test_bernoulli_labels_close_to_or_far_from_zero_and_one_are_refused(label):
    y = torch.tensor([0.0, 1.0, label])
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1, got"):
        lr.Bernoulli().nll(torch.zeros(3, 1), y)
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1, got"):
        lr.Independent(lr.Bernoulli(), 3).nll(torch.zeros(1, 3), y[None, :], reduction="mean")


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
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 6\)"):
        lr.GaussianMixture(2).predict(torch.zeros(3, 4))
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 4\)"):
        lr.Independent(lr.HeteroscedasticGaussian(), 2).params(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="outputs: expected a torch.Tensor"):
        lr.Independent(lr.Poisson(), 2).predict([[0.0, 0.0]])


def test_network_input_shape():
    net = lr.ShallowNet(num_inputs=1, num_hidden=3, num_outputs=1)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 1\), got \(5,\).*unsqueeze"):
        net(torch.zeros(5))


@pytest.mark.parametrize(
    "recipe, given",
    [
        (lr.HeteroscedasticGaussian(), 1),
        (lr.Categorical(num_classes=3), 2),
        (lr.Poisson(), 2),
        (lr.Laplace(), 2),
        (lr.VonMises(), 2),
        (lr.GaussianMixture(2), 5),
        (lr.Independent(lr.HeteroscedasticGaussian(), 2), 2),
    ],
    ids=[
        "heteroscedastic",
        "categorical",
        "poisson",
        "laplace",
        "von_mises",
        "mixture",
        "independent",
    ],
)
def test_wrong_number_of_output_columns(recipe, given):
    with pytest.raises(
        ValueError,
        match=rf"outputs: expected shape \(N, {recipe.num_outputs}\).*got \(3, {given}\)",
    ):
        recipe.nll(torch.zeros(3, given), torch.zeros(3))


def test_negative_count():
    with pytest.raises(
        ValueError, match="y: expected non-negative integer counts, got the negative"
    ):
        lr.Poisson().nll(torch.zeros(3, 1), torch.tensor([0.0, -1.0, 2.0]))


def test_fractional_count():
    with pytest.raises(
        ValueError, match="y: expected non-negative integer counts, got the fractional value 2.5"
    ):
        lr.Poisson().nll(torch.zeros(3, 1), torch.tensor([0.0, 2.5, 2.0]))


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_count(bad):
    with pytest.raises(ValueError, match="y: expected finite values, got 1 NaN or infinite"):
        lr.Poisson().nll(torch.zeros(2, 1), torch.tensor([1.0, bad]))


def test_boolean_counts():
    with pytest.raises(ValueError, match="y: expected non-negative integer counts, got dtype"):
        lr.Poisson().nll(torch.zeros(2, 1), torch.tensor([True, False]))


def test_count_column_would_broadcast():
    with pytest.raises(ValueError, match=r"y: expected shape \(4,\).*got \(4, 1\).*squeeze"):
        lr.Poisson().nll(torch.zeros(4, 1), torch.zeros(4, 1))


@pytest.mark.parametrize(
    "y_shape, shown", [((5,), "(5)"), ((5, 3), "(5, 3)")], ids=["one-column", "one-too-many"]
)
def test_independent_wrong_target_shape(y_shape, shown):
    r = lr.Independent(lr.HeteroscedasticGaussian(), num_dims=2)
    with pytest.raises(ValueError, match=r"y: expected shape \(5, 2\).*got " + re.escape(shown)):
        r.nll(torch.zeros(5, 4), torch.zeros(y_shape))


def test_independent_trailing_one_gets_a_hint():
    r = lr.Independent(lr.Gaussian(sigma=1.0), num_dims=2)
    with pytest.raises(ValueError, match=r"y: expected shape \(5, 2\).*got \(5, 2, 1\).*squeeze"):
        r.nll(torch.zeros(5, 2), torch.zeros(5, 2, 1))


def test_independent_checks_the_base_support():
    r = lr.Independent(lr.Bernoulli(), num_dims=2)
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1, got 2.0"):
        r.nll(torch.zeros(2, 2), torch.tensor([[0.0, 1.0], [1.0, 2.0]]))


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan, math.inf, "wide"])
def test_non_positive_laplace_scale(scale):
    with pytest.raises(ValueError, match="scale: expected a positive"):
        lr.Laplace(scale=scale)


@pytest.mark.parametrize("kappa", [0.0, -2.0, math.nan, math.inf])
def test_non_positive_concentration(kappa):
    with pytest.raises(ValueError, match="concentration: expected a positive"):
        lr.VonMises(concentration=kappa)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_number_of_components(k):
    with pytest.raises(ValueError, match="num_components: expected an integer >= 1"):
        lr.GaussianMixture(num_components=k)


def test_unknown_mixture_variance_link():
    with pytest.raises(ValueError, match="link: expected one of .*got 'relu'"):
        lr.GaussianMixture(2, link="relu")


@pytest.mark.parametrize("d", [0, -2, 1.5, False])
def test_bad_number_of_dimensions(d):
    with pytest.raises(ValueError, match="num_dims: expected an integer >= 1"):
        lr.Independent(lr.Gaussian(), num_dims=d)


def test_independent_of_something_not_a_recipe():
    with pytest.raises(ValueError, match="recipe: expected a Recipe instance, got str"):
        lr.Independent("gaussian", num_dims=2)


def test_independent_of_independent():
    with pytest.raises(ValueError, match="recipe: expected a recipe with one target per example"):
        lr.Independent(lr.Independent(lr.Gaussian(), 2), num_dims=2)


def test_check_count_targets_accepts_integer_dtypes_and_returns_the_outputs_dtype():
    outputs = torch.zeros(3, 2, dtype=torch.float64)
    y = check_count_targets(torch.tensor([[0, 1], [2, 3], [4, 10_000]]), outputs, trailing=(2,))
    assert y.dtype == torch.float64 and y.shape == (3, 2) and float(y[2, 1]) == 1e4


def test_check_positive_integer():
    assert check_positive_integer("num_dims", 3) == 3
    with pytest.raises(ValueError, match="num_dims: expected an integer >= 1, got '3'"):
        check_positive_integer("num_dims", "3")


# --- Supports declared as data, and the validation switch ---------------------------------


def test_a_positive_support_names_the_bad_value():
    outputs = torch.zeros(3, 1)
    torch.testing.assert_close(
        Exponential().nll(outputs, torch.tensor([0.5, 1.0, 2.0])), torch.tensor(3.5)
    )
    with pytest.raises(ValueError, match="y: expected positive values, got -1.0"):
        Exponential().nll(outputs, torch.tensor([0.5, -1.0, 2.0]))


def test_any_other_support_is_checked_by_its_own_constraint():
    class Proportion(lr.Recipe):
        support = torch.distributions.constraints.unit_interval
        parameters = (lr.Parameter("mean", lr.links.Identity()),)

        def distribution(self, outputs):
            return torch.distributions.Normal(outputs[:, 0], 1.0)

        def nll_terms(self, y, *, mean):
            return (y - mean) ** 2

        def predict(self, outputs):
            return outputs[:, 0]

    with pytest.raises(ValueError, match=r"y: expected values in the support .*got 1.5"):
        Proportion().nll(torch.zeros(2, 1), torch.tensor([0.5, 1.5]))


def test_validate_false_skips_the_value_checks_only():
    quiet = lr.Bernoulli(validate=False)
    # a label outside the support and a NaN output pass unchecked ...
    quiet.nll(torch.tensor([[0.0], [math.nan]]), torch.tensor([0.0, 2.0]))
    # ... but shapes are still checked: nothing broadcasts silently
    with pytest.raises(ValueError, match=r"y: expected shape \(2,\).*got \(2, 1\)"):
        quiet.nll(torch.zeros(2, 1), torch.zeros(2, 1))
    with pytest.raises(ValueError, match=r"outputs: expected shape \(N, 1\)"):
        quiet.nll(torch.zeros(2, 2), torch.zeros(2))


def test_fit_checks_x_and_y_once_before_training():
    x, y = lr.data.binary_1d(num_points=6)
    net = lr.ShallowNet(1, 2, 1)
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1, got 2.0"):
        lr.fit(net, lr.Bernoulli(), x, torch.cat([y[:-1], torch.tensor([2.0])]), steps=3)
    with pytest.raises(ValueError, match="x: expected finite values, got 1 NaN"):
        lr.fit(net, lr.Bernoulli(), torch.cat([x[:-1], torch.tensor([[math.nan]])]), y, steps=3)
    # rejected before the seed re-initialised the network
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


def test_fit_trains_without_rechecking(monkeypatch):
    x, y = lr.data.binary_1d(num_points=6)
    calls = []
    original = lr.validation.check_binary_targets

    def counting(*args, **kwargs):
        calls.append(kwargs.get("values", args[3] if len(args) > 3 else True))
        return original(*args, **kwargs)

    monkeypatch.setattr(lr.validation, "check_binary_targets", counting)
    lr.fit(lr.ShallowNet(1, 2, 1), lr.Bernoulli(), x, y, steps=5)
    assert calls.count(True) == 1 and len(calls) == 6  # one full check, then shapes only
