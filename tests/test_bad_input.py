"""Mistakes that need more than "expected X, got Y": hints in the messages, settings parsed
strictly where they enter, and ``fit``'s arguments.

The checks every recipe shares (outputs, targets outside the support, reductions, empty
batches, complex or mistyped targets) run over the whole registry in
``test_contract.py`` (``test_bad_input_is_refused_naming_the_argument``).
"""

import math

import numpy as np
import pytest
import torch

import lossrecipe as lr

from .user_recipes import Exponential

# --- messages that say how to fix the mistake -------------------------------------------------


def test_one_dimensional_outputs_get_a_hint():
    with pytest.raises(
        ValueError, match=r"outputs: expected shape \(N, 1\).*got \(5,\).*unsqueeze"
    ):
        lr.Gaussian(sigma=1.0).nll(torch.zeros(5), torch.zeros(5))


@pytest.mark.parametrize(
    "recipe, outputs, y",
    [
        (lr.Gaussian(sigma=1.0), torch.zeros(5, 1), torch.zeros(5, 1)),
        (lr.Poisson(), torch.zeros(4, 1), torch.zeros(4, 1)),
        (
            lr.Independent(lr.Gaussian(sigma=1.0), num_dims=2),
            torch.zeros(5, 2),
            torch.zeros(5, 2, 1),
        ),
    ],
    ids=["gaussian", "poisson", "independent"],
)
def test_a_trailing_one_that_would_broadcast_gets_a_hint(recipe, outputs, y):
    with pytest.raises(ValueError, match=r"y: expected shape \(\d+,( 2)?\).*squeeze"):
        recipe.nll(outputs, y)


def test_probabilities_where_labels_belong():
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1.*not probabilities"):
        lr.Bernoulli().nll(torch.zeros(2, 1), torch.tensor([0.7, 0.2]))


def test_categorical_labels_one_to_k():
    with pytest.raises(
        ValueError, match=r"y: expected class indices 0\.\.2.*from 1 to 3.*shifted to 0\.\.K-1"
    ):
        lr.Categorical(num_classes=3).nll(torch.zeros(3, 3), torch.tensor([1, 2, 3]))


def test_categorical_one_hot_targets():
    with pytest.raises(ValueError, match=r"y: expected class indices of shape \(3,\).*argmax"):
        lr.Categorical(num_classes=3).nll(torch.zeros(3, 3), torch.eye(3))


def test_fractional_count():
    with pytest.raises(ValueError, match="counts, got the fractional value 2.5.*not rates"):
        lr.Poisson().nll(torch.zeros(3, 1), torch.tensor([0.0, 2.5, 2.0]))


def test_a_float64_target_that_rounds_onto_the_edge_in_float32_is_named():
    with pytest.raises(ValueError, match=r"y: expected .* in torch.float32.*got 1e-50.*0.0 there"):
        lr.Gamma().nll(torch.zeros(2, 2), torch.tensor([1.0, 1e-50], dtype=torch.float64))


def test_network_input_shape():
    net = lr.ShallowNet(num_inputs=1, num_hidden=3, num_outputs=1)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 1\), got \(5,\).*unsqueeze"):
        net(torch.zeros(5))


# --- supports declared as data, and the validation switch ---------------------------------------


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


def test_a_distribution_checks_its_values_when_its_recipe_validates():
    outputs = torch.zeros(3, 2)
    with pytest.raises(ValueError, match="value: expected probabilities in"):
        lr.Quantile(0.3).distribution(outputs[:, :1]).icdf(torch.tensor(1.5))
    with pytest.raises(ValueError, match="value"):
        lr.Beta().distribution(outputs).log_prob(torch.zeros(3))
    unchecked = lr.Gamma(validate=False).distribution(outputs).log_prob(torch.zeros(3))
    assert bool(torch.isinf(unchecked).all())


# --- settings, parsed where they enter ---------------------------------------------------------

NUMBERS = [
    ("sigma", lambda v: lr.Gaussian(sigma=v)),
    ("scale", lambda v: lr.Laplace(scale=v)),
    ("concentration", lambda v: lr.VonMises(concentration=v)),
    ("df", lambda v: lr.StudentT(df=v)),
    ("quantile", lambda v: lr.Quantile(quantile=v)),
    ("scale", lambda v: lr.Quantile(quantile=0.5, scale=v)),
]
SIZES = [
    ("num_classes", lambda v: lr.Categorical(num_classes=v)),
    ("num_classes", lambda v: lr.Ordinal(num_classes=v)),
    ("num_components", lambda v: lr.GaussianMixture(num_components=v)),
    ("num_dims", lambda v: lr.MultivariateGaussian(num_dims=v)),
    ("num_items", lambda v: lr.PlackettLuce(num_items=v)),
    ("num_dims", lambda v: lr.Independent(lr.Gaussian(), num_dims=v)),
]


@pytest.mark.parametrize("name, make", NUMBERS, ids=[n for n, _ in NUMBERS])
def test_a_number_setting_is_a_number(name, make):
    assert repr(make(np.float64(0.25))) == repr(make(0.25))
    for bad in [True, "0.5", None if name != "df" else "4", 0.0, -1.0, math.nan, math.inf, 1j]:
        with pytest.raises(ValueError, match=f"^{name}: expected .*got {bad!r}"):
            make(bad)


@pytest.mark.parametrize("name, make", SIZES, ids=[n for n, _ in SIZES])
def test_a_size_setting_is_an_integer(name, make):
    assert repr(make(np.int64(2))) == repr(make(2))
    for bad in [True, "2", 2.0, 0, -1, None]:
        with pytest.raises(ValueError, match=f"^{name}: expected an integer >= "):
            make(bad)


SWITCHED = {
    "Gaussian": lambda v: lr.Gaussian(validate=v),
    "Categorical": lambda v: lr.Categorical(3, validate=v),
    "Independent": lambda v: lr.Independent(lr.Poisson(), 2, validate=v),
}


@pytest.mark.parametrize("make", SWITCHED.values(), ids=list(SWITCHED))
def test_validate_is_a_bool(make):
    for bad in [None, 0, 1, "no"]:
        with pytest.raises(ValueError, match="^validate: expected True or False"):
            make(bad)
        with pytest.raises(ValueError, match="^validate: expected True or False"):
            make(True).with_validation(bad)


@pytest.mark.parametrize(
    "recipe", [lr.MultivariateGaussian(2), lr.PlackettLuce(3), lr.Independent(lr.Gaussian(), 2)]
)
def test_independent_refuses_a_recipe_with_vector_targets(recipe):
    with pytest.raises(ValueError, match="^recipe: expected a recipe with one number per target"):
        lr.Independent(recipe, num_dims=2)


def test_independent_of_something_not_a_recipe():
    with pytest.raises(ValueError, match="^recipe: expected a Recipe instance, got str"):
        lr.Independent("gaussian", num_dims=2)


# --- fit --------------------------------------------------------------------------------------


def _fit_case():
    x, y = lr.data.regression_1d(num_points=6)
    return lr.ShallowNet(1, 2, 1), lr.Gaussian(), x, y


FIT_MISTAKES = {
    "model": lambda net, r, x, y: lr.fit(None, r, x, y, steps=1),
    "recipe": lambda net, r, x, y: lr.fit(net, "gaussian", x, y, steps=1),
    "seed": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, seed="0"),
    "seed ": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, seed=1.5),
    "x": lambda net, r, x, y: lr.fit(net.float(), r, x.double(), y, steps=1),
    "x ": lambda net, r, x, y: lr.fit(net, r, x[:0], y[:0], steps=1),
    "loss": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, loss=lambda o, t: o - t[:, None]),
    "loss ": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, loss="nll"),
    "lr": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, lr="0.1"),
    "lr ": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, lr=True),
    "steps": lambda net, r, x, y: lr.fit(net, r, x, y, steps=np.float64(3)),
    "optimizer": lambda net, r, x, y: lr.fit(net, r, x, y, steps=1, optimizer="lbfgs"),
    "y": lambda net, r, x, y: lr.fit(net, r, x, y.unsqueeze(1), steps=1),
}


@pytest.mark.parametrize("argument", list(FIT_MISTAKES))
def test_fit_names_the_argument_before_training(argument):
    net, recipe, x, y = _fit_case()
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(ValueError, match=f"^{argument.strip()}: expected"):
        FIT_MISTAKES[argument](net, recipe, x, y)
    if argument.strip() != "loss":  # refused before the seed re-initialised the network
        assert all(torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


def test_fit_accepts_numpy_integers_and_a_numpy_seed():
    net, recipe, x, y = _fit_case()
    assert len(lr.fit(net, recipe, x, y, steps=np.int64(2), seed=np.int64(0))) == 2


def test_fit_checks_x_and_y_once_then_trains_without_rechecking(monkeypatch):
    x, y = lr.data.binary_1d(num_points=6)
    with pytest.raises(ValueError, match="y: expected binary labels 0 or 1, got 2.0"):
        lr.fit(lr.ShallowNet(1, 2, 1), lr.Bernoulli(), x, torch.cat([y[:-1], y.new([2.0])]))
    with pytest.raises(ValueError, match="x: expected finite values, got 1 NaN"):
        lr.fit(lr.ShallowNet(1, 2, 1), lr.Bernoulli(), torch.cat([x[:-1], x.new([[math.nan]])]), y)
    checks = []
    original = lr.Recipe.check_targets

    def counting(self, *args, **kwargs):
        checks.append(self.validate)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(lr.Recipe, "check_targets", counting)
    lr.fit(lr.ShallowNet(1, 2, 1), lr.Bernoulli(), x, y, steps=5)
    assert checks == [True] + [False] * 5  # one full check, then shapes only
