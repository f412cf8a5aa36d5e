"""The contract every recipe keeps, checked for every recipe in ``REGISTRY``.

To test a new recipe, add one instance to ``REGISTRY`` (one line; add more than one
when its settings change the layout or the link).  Each check below then runs on it,
in float32 and float64:

- ``nll`` equals ``-distribution(outputs).log_prob(y)`` in value and gradient, for
  targets drawn from that distribution;
- the three reductions sum, average and keep the per-example terms;
- ``predict`` is the mode: no point of a dense grid (or of the enumerated support,
  for discrete targets) is more probable;
- value and gradient stay finite at extreme raw outputs (``+-1e4``, with targets drawn
  from the distribution; positive-link columns at ``+-30``);
- with every raw output at ``+-1e4``, positive-link columns included, the NLL equals the
  exact one (mpmath, ``exact_nll.py``) to a few ``eps`` with a finite gradient
  wherever the exact one is a float, and is not finite where it is not;
- ``repr`` rebuilds an equal recipe;
- the layout: widths add up to ``num_outputs``, ``raw`` and ``params`` return one block
  per parameter, and ``nll_terms`` takes each raw block by its name;
- ``validate=False`` changes no value.

The per-domain files (``test_real.py``, ``test_classes.py``, ...) keep only what is
particular to one recipe: agreement with PyTorch's fused losses, closed forms,
the hard cases of its own numerics.
"""

import inspect
import itertools
import math

import mpmath
import pytest
import torch
from torch.distributions import constraints

import lossrecipe as lr

from .conftest import ULPS, as_float64, grad_of, on_device, reduce, tol
from .exact_nll import REFERENCES, exact_nll
from .registry import REGISTRY, N, base_recipe, draw_batch

# torch's von Mises log-normaliser is a polynomial approximation (error ~5e-7).
APPROXIMATE_REFERENCE = {lr.VonMises: 1e-6}
# torch's negative binomial log-density forms lgamma[y + r] - lgamma[r] as it stands
# (r = 1 / alpha), which keeps only eps lgamma[r] of it, and its gradient in alpha loses
# r^2 eps: at alpha ~ 1e-4 (the square link near 0) float64 keeps six digits of it.
# Its reference is the exact NLL (mpmath, exact_nll.py) and its derivative.
EXACT_REFERENCE = {lr.NegativeBinomial}

recipes = pytest.mark.parametrize("recipe", REGISTRY, ids=repr)


def _assert_matches(recipe, actual, reference):
    """``actual`` (computed in float32 or float64) against the float64 ``reference``."""
    approximate = APPROXIMATE_REFERENCE.get(type(base_recipe(recipe)), 0.0)
    scale = float(reference.abs().max())
    expected = tol(actual.dtype, scale)
    expected = {k: max(v, approximate * max(1.0, scale)) for k, v in expected.items()}
    torch.testing.assert_close(actual.double().cpu(), reference.cpu(), **expected)


def _exact_terms_and_gradient(recipe, outputs, y):
    """Per-example exact NLL ``(N,)`` and its gradient ``(N, num_outputs)`` in float64."""
    rows, targets = outputs.double().cpu().tolist(), y.double().cpu().tolist()
    values, grads = [], []
    for row, target in zip(rows, targets, strict=True):
        values.append(float(exact_nll(recipe, row, target)[0]))

        def along(j, row=row, target=target):
            return lambda v: exact_nll(recipe, [*row[:j], v, *row[j + 1 :]], target)[0]

        grads.append([float(mpmath.diff(along(j), row[j])) for j in range(len(row))])
    return torch.tensor(values, dtype=torch.float64), torch.tensor(grads, dtype=torch.float64)


def _reference(recipe, y, outputs, reduction="none"):
    """The float64 reference value and gradient of ``reduce(-log Pr(y | outputs))``."""
    if type(base_recipe(recipe)) in EXACT_REFERENCE:
        terms, grad = _exact_terms_and_gradient(recipe, outputs, y)
        return reduce(terms, reduction), grad / (len(terms) if reduction == "mean" else 1)
    log_prob = _log_prob_in_float64(recipe, y)
    return grad_of(lambda o: reduce(log_prob(o), reduction), outputs.double())


def _log_prob_in_float64(recipe, y):
    """``o -> -log Pr(y | theta[o])`` from ``torch.distributions``, evaluated in float64."""
    y64 = as_float64(y)
    return lambda o: -recipe.distribution(o.double()).log_prob(y64)


@recipes
def test_nll_is_minus_the_log_prob_of_the_distribution(recipe, dtype, device):
    on_device(device, dtype)
    outputs, y = draw_batch(recipe, dtype, device=device)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = _reference(recipe, y, outputs)
    assert ours.shape == (N,) and recipe.distribution(outputs).batch_shape == (N,)
    assert ours.dtype == ours_grad.dtype == dtype
    assert ours.device == outputs.device and ours_grad.device == outputs.device
    _assert_matches(recipe, ours, ref)
    _assert_matches(recipe, ours_grad, ref_grad)
    if device.type != "cpu":  # the same numbers as on the CPU
        cpu, cpu_grad = grad_of(lambda o: recipe.nll(o, y.cpu(), reduction="none"), outputs.cpu())
        _assert_matches(recipe, ours.cpu(), cpu.double())
        _assert_matches(recipe, ours_grad.cpu(), cpu_grad.double())


@recipes
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_reductions(recipe, dtype, reduction, device):
    on_device(device, dtype)
    outputs, y = draw_batch(recipe, dtype, seed=1, device=device)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction=reduction), outputs)
    ref, ref_grad = _reference(recipe, y, outputs, reduction)
    assert ours.shape == ((N,) if reduction == "none" else ())
    _assert_matches(recipe, ours, ref)
    _assert_matches(recipe, ours_grad, ref_grad)


def _candidates(support, dtype, center):
    """Every value of a discrete support (up to 300 for counts), or a dense grid of reals."""
    while isinstance(support, constraints.independent):
        support = support.base_constraint
    if hasattr(support, "num_items"):  # rankings: all K! permutations, (K!, K)
        return torch.tensor(list(itertools.permutations(range(support.num_items))))
    if support is constraints.boolean:
        return torch.tensor([0.0, 1.0], dtype=dtype)
    if isinstance(support, constraints.integer_interval):
        return torch.arange(int(support.lower_bound), int(support.upper_bound) + 1)
    if support is constraints.nonnegative_integer:
        return torch.arange(0.0, 300.0, dtype=dtype)
    if support is constraints.positive:
        return torch.linspace(0.0, 100.0, 100001, dtype=dtype)[1:]
    if support is lr.recipes.proportions.open_unit_interval:
        return torch.linspace(0.0, 1.0, 10001, dtype=dtype)[1:-1]
    # real: 30001 points 1e-3 apart around the predicted modes
    return center + torch.linspace(-15.0, 15.0, 30001, dtype=dtype)


@recipes
def test_predict_is_the_mode(recipe, dtype, device):
    on_device(device, dtype)
    outputs, _ = draw_batch(recipe, dtype, seed=2, device=device)
    mode = recipe.predict(outputs)
    dist = recipe.distribution(outputs)
    if isinstance(dist, torch.distributions.Independent):
        dist = dist.base_dist  # independent dimensions: each marginal mode, (N, D)
    assert mode.shape == dist.batch_shape + dist.event_shape
    grid = _candidates(recipe.support, dtype, float(mode.float().mean().round())).to(device)
    if grid.dim() > 1:  # grid (P, *event): one candidate event per row (rankings)
        points = grid.unsqueeze(1).expand(-1, *mode.shape)
    else:  # one value per row, repeated over examples (and over a vector's entries)
        points = grid.reshape(-1, *[1] * mode.dim()).expand(-1, *mode.shape)
    best = dist.log_prob(points).amax(dim=0)
    at_mode = dist.log_prob(mode)
    # Both sides are evaluated in dtype: each may round by a few eps of its size.
    slack = ULPS * torch.finfo(dtype).eps * (1.0 + best.abs())
    peaked = _has_a_peak(recipe, outputs)
    assert bool((at_mode >= best - slack)[peaked].all()), float((best - at_mode).max())


def _has_a_peak(recipe, outputs):
    """Where the density has a highest point (a U-shaped Beta, both concentrations < 1,
    has two infinite ends; a flat one, both = 1, has its highest value everywhere)."""
    if isinstance(recipe, lr.Beta):
        theta = recipe.params(outputs)
        return (theta["concentration1"] >= 1.0) | (theta["concentration0"] >= 1.0)
    return torch.ones(len(outputs), dtype=torch.bool)


def _extreme_outputs(recipe, dtype):
    """Every raw output at +-1e4, alternating by row; positive-link columns at +-30.

    A scale or rate at ``h[+-1e4]`` is not representable (``exp[1e4]`` overflows and
    ``softplus[-1e4]`` is 0), so the negative log-likelihood itself is infinite there;
    +-30 is as far as a float32 scale can go without that.  A Cholesky factor's
    diagonal holds standard deviations, not variances: +-15 spans the same variances
    (``h[-15]^2 ~ h[-30]``); its strictly-lower entries stay at 0, since one of +-1e4
    over so small a diagonal puts ``L^{-1} (y - mu)`` beyond float32
    (``test_multivariate.py`` drives them to +-1e4 over a moderate diagonal).
    """
    base = base_recipe(recipe)
    reach = []
    for p in base.parameters:
        if isinstance(p.link, lr.links.LowerCholesky):
            d = p.link.num_dims
            reach += [15.0] * d + [0.0] * (p.width - d)
        else:
            reach += [30.0 if isinstance(p.link, lr.links.PositiveLink) else 1e4] * p.width
    reach = torch.tensor(reach * (recipe.num_outputs // len(reach)), dtype=dtype)
    sign = torch.where(torch.arange(N) % 2 == 0, 1.0, -1.0).to(dtype).unsqueeze(1)
    return sign * reach


@recipes
def test_finite_at_extreme_raw_outputs(recipe, dtype, device):
    on_device(device, dtype)
    _, y = draw_batch(recipe, dtype, seed=3, device=device)
    outputs = _extreme_outputs(recipe, dtype).to(device)
    value, grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
    assert bool(torch.isfinite(recipe.predict(outputs).double()).all())


def _positive_links(recipe):
    links = [p.link for p in base_recipe(recipe).parameters]
    return [
        link.diagonal if isinstance(link, lr.links.LowerCholesky) else link
        for link in links
        if isinstance(link, lr.links.PositiveLink | lr.links.LowerCholesky)
    ]


WITH_POSITIVE_LINKS = [r for r in REGISTRY if _positive_links(r)]


def _sign_rows(width, count=12, seed=0):
    """Rows of +-1: every pattern for up to 3 columns, else all +, all - and random ones."""
    if width <= 3:
        return [list(p) for p in itertools.product([1.0, -1.0], repeat=width)]
    g = torch.Generator().manual_seed(seed)
    signs = torch.where(torch.rand(count, width, generator=g) < 0.5, 1.0, -1.0).tolist()
    return [[1.0] * width, [-1.0] * width, *signs]


def _targets(recipe, row):
    """Targets for one row of raw outputs: where the likelihood is finite (the mode, the
    component means) and off it, so both sides of "finite where it is finite" are met."""
    if isinstance(recipe, lr.Independent):
        width = recipe.recipe.num_outputs
        blocks = [row[d * width : (d + 1) * width] for d in range(recipe.num_dims)]
        per_dim = [_targets(recipe.recipe, block) for block in blocks]
        return [list(t) for t in zip(*per_dim, strict=True)]
    if isinstance(recipe, lr.HeteroscedasticGaussian | lr.StudentT):
        return [row[0], row[0] + 1.0]
    if isinstance(recipe, lr.GaussianMixture):
        k = recipe.num_components
        return [*row[k : 2 * k], 0.0]
    if isinstance(recipe, lr.MultivariateGaussian):
        # offsets whose differences and sums are not 0: no residual cancels exactly
        # against an off-diagonal entry of +-1e4 over a diagonal entry of 1e4
        mean, offsets = row[: recipe.num_dims], [1.0, 2.0, 4.0][: recipe.num_dims]
        return [mean, [m + offset for m, offset in zip(mean, offsets, strict=True)]]
    if isinstance(recipe, lr.Gamma):
        return [1.0, 0.25]
    if isinstance(recipe, lr.Beta):
        return [0.5, 0.25]
    assert isinstance(recipe, lr.Poisson | lr.NegativeBinomial | lr.ZeroInflatedPoisson), recipe
    return [0.0, 3.0]


def _concentration_overflows(recipe, row, dtype):
    """Gamma's and Beta's NLL needs the concentrations themselves, not only their logs:
    where the exp link takes one beyond the largest float, the loss is not finite
    (docs/contract.md), even where the exact one is."""
    base = base_recipe(recipe)
    if not isinstance(base, lr.Gamma | lr.Beta) or not isinstance(base.positive_link, lr.links.Exp):
        return False
    return max(row) > math.log(torch.finfo(dtype).max)


def test_every_recipe_with_a_positive_link_has_an_exact_reference():
    assert all(type(r) in REFERENCES for r in WITH_POSITIVE_LINKS)
    assert {type(base_recipe(r)) for r in WITH_POSITIVE_LINKS} >= {lr.Gamma, lr.Beta, lr.StudentT}


@pytest.mark.parametrize("recipe", WITH_POSITIVE_LINKS, ids=repr)
def test_exact_wherever_the_likelihood_is_finite_at_raw_outputs_of_1e4(recipe, dtype, device):
    # Every raw output at +-1e4, positive-link columns included: a parameter h[-1e4]
    # underflows to 0 (or h[1e4] = e^{1e4} overflows), but the log-likelihood often
    # does not: a Gaussian at zero residual, a Student-t anywhere, a Gamma at y = 1.
    rows = [[1e4 * s for s in signs] for signs in _sign_rows(recipe.num_outputs)]
    cases = [(row, target) for row in rows for target in _targets(recipe, row)]
    on_device(device, dtype)
    outputs = torch.tensor([row for row, _ in cases], dtype=dtype, device=device)
    y = torch.tensor([target for _, target in cases], dtype=dtype, device=device)
    value, grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    value, grad = value.cpu(), grad.cpu()
    info = torch.finfo(dtype)
    for i, (row, target) in enumerate(cases):
        exact, scale = exact_nll(recipe, row, target)
        where = f"raw {row}, y {target}: ours {float(value[i])}, exact {mpmath.nstr(exact, 8)}"
        if abs(exact) >= info.max:
            assert not math.isfinite(value[i]), where
        elif not _concentration_overflows(recipe, row, dtype):
            assert abs(float(value[i]) - exact) <= ULPS * info.eps * (1 + scale), where
            assert bool(torch.isfinite(grad[i]).all()), where


@recipes
def test_repr_rebuilds_an_equal_recipe(recipe):
    text = repr(recipe)
    assert text.startswith(type(recipe).__name__ + "(")
    rebuilt = eval(text, vars(lr))  # noqa: S307 - our own repr, evaluated in the test
    assert type(rebuilt) is type(recipe) and repr(rebuilt) == text
    assert repr(lr.Bernoulli(validate=False)) == "Bernoulli(validate=False)"


@recipes
def test_layout_names_and_widths(recipe):
    base = base_recipe(recipe)
    widths = [width for _, width in recipe.layout]
    names = [name for name, _ in recipe.layout]
    assert sum(widths) == recipe.num_outputs and len(set(names)) == len(names)
    outputs, _ = draw_batch(recipe, torch.float64, seed=4)
    raw = recipe.raw(outputs)
    assert list(raw) == [p.raw for p in base.parameters]
    theta = recipe.params(outputs)
    assert list(theta) == [p.name for p in base.parameters] + list(base.fixed)
    batch = (N,) if recipe is base else (N, recipe.num_dims)
    for p in base.parameters:
        trailing = () if p.size is None else (p.size,)
        assert raw[p.raw].shape == (*batch, *trailing)
        if isinstance(p.link, lr.links.LowerCholesky):  # D (D + 1) / 2 columns -> D x D
            trailing = (p.link.num_dims, p.link.num_dims)
        assert theta[p.name].shape == (*batch, *trailing)
        assert bool(p.link.codomain.check(theta[p.name]).all())
    if recipe is base:
        # the blocks, in layout order, are the columns of the outputs
        columns = [raw[p.raw].reshape(N, p.width) for p in base.parameters]
        assert torch.equal(torch.cat(columns, dim=1), outputs)
        keywords = [
            name
            for name, arg in inspect.signature(recipe.nll_terms).parameters.items()
            if arg.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        assert keywords == [p.raw for p in base.parameters]


@recipes
def test_validate_false_changes_no_value(recipe, dtype, device):
    on_device(device, dtype)
    outputs, y = draw_batch(recipe, dtype, seed=5, device=device)
    quiet = recipe.with_validation(False)
    assert not quiet.validate and recipe.validate
    torch.testing.assert_close(quiet.nll(outputs, y), recipe.nll(outputs, y), rtol=0, atol=0)
    assert torch.equal(quiet.predict(outputs), recipe.predict(outputs))


def test_every_recipe_class_is_in_the_registry():
    classes = {type(r) for r in REGISTRY} | {type(base_recipe(r)) for r in REGISTRY}
    exported = {
        obj
        for obj in vars(lr).values()
        if inspect.isclass(obj) and issubclass(obj, lr.Recipe) and obj is not lr.Recipe
    }
    assert exported <= classes, sorted(c.__name__ for c in exported - classes)


def test_the_extreme_scale_reach_is_where_float32_still_represents_the_nll():
    # softplus[-30] ~ 9e-14 and exp[30] ~ 1e13: a squared error of (2e4)^2 over them fits.
    assert math.isfinite(float(torch.tensor(4e8, dtype=torch.float32) / 9e-14))


@pytest.mark.parametrize(
    "recipe, expected",
    [
        (lr.Gaussian(sigma=0.2), 1),
        (lr.HeteroscedasticGaussian(), 2),
        (lr.Bernoulli(), 1),
        (lr.Categorical(num_classes=3), 3),
        (lr.Poisson(), 1),
        (lr.Laplace(scale=0.3), 1),
        (lr.VonMises(concentration=2.0), 1),
        (lr.GaussianMixture(num_components=4), 12),
        (lr.Independent(lr.HeteroscedasticGaussian(), num_dims=2), 4),
        (lr.Independent(lr.GaussianMixture(2), num_dims=3), 18),
        (lr.MultivariateGaussian(num_dims=2), 5),
        (lr.MultivariateGaussian(num_dims=4), 14),
        (lr.Ordinal(num_classes=5), 5),
        (lr.PlackettLuce(num_items=6), 6),
        (lr.NegativeBinomial(), 2),
        (lr.ZeroInflatedPoisson(), 2),
    ],
    ids=repr,
)
def test_num_outputs(recipe, expected):
    assert recipe.num_outputs == expected


def test_reprs_name_the_settings():
    assert repr(lr.Gaussian(sigma=0.2)) == "Gaussian(sigma=0.2)"
    assert repr(lr.HeteroscedasticGaussian("exp")) == "HeteroscedasticGaussian(link='exp')"
    assert repr(lr.Bernoulli()) == "Bernoulli()"
    assert repr(lr.Categorical(4)) == "Categorical(num_classes=4)"
    assert repr(lr.Poisson()) == "Poisson()"
    assert repr(lr.Laplace(scale=0.5)) == "Laplace(scale=0.5)"
    assert repr(lr.VonMises(concentration=4)) == "VonMises(concentration=4.0)"
    assert repr(lr.GaussianMixture(3, "exp")) == "GaussianMixture(num_components=3, link='exp')"
    assert (
        repr(lr.Independent(lr.HeteroscedasticGaussian(), 2))
        == "Independent(HeteroscedasticGaussian(link='softplus'), num_dims=2)"
    )


def test_recipe_names_are_exported_from_the_package_and_the_recipes_module():
    from lossrecipe import recipes

    names = ["Gaussian", "HeteroscedasticGaussian", "Bernoulli", "Categorical", "Poisson"]
    names += ["Laplace", "VonMises", "GaussianMixture", "Independent", "Quantile"]
    names += ["MultivariateGaussian", "Ordinal", "PlackettLuce", "StudentT", "Gamma", "Beta"]
    names += ["NegativeBinomial", "ZeroInflatedPoisson"]
    for name in names:
        assert name in lr.__all__ and issubclass(getattr(lr, name), lr.Recipe)
        assert getattr(recipes, name) is getattr(lr, name)
