"""The contract every recipe keeps, checked for every recipe in ``REGISTRY``.

To test a new recipe, add one instance to ``REGISTRY`` (one line; add more than one
when its settings change the layout or the link).  Each check below then runs on it,
in float32 and float64 where the dtype matters, and on every device present:

- ``nll`` equals an independent reference in value and gradient, for targets drawn
  from the predicted distribution: ``-log_prob`` of the matching ``torch.distributions``
  object, or, where the distribution is our own code (``Ordinal``, ``PlackettLuce``,
  ``Quantile``), a formula written here from the density by another route;
- the three reductions sum, average and keep the per-example terms;
- the gradient equals finite differences (``torch.autograd.gradcheck``, float64);
- ``distribution(outputs).log_prob(y)`` equals ``-nll`` at the edges of the support and
  for every target dtype ``nll`` accepts, and both refuse the closed ends of an open
  support;
- ``predict`` is the mode: no point of a dense grid (or of the enumerated support,
  for discrete targets) is more probable;
- value and gradient stay finite at extreme raw outputs (``+-1e4``, with targets drawn
  from the distribution; positive-link columns at ``+-30``);
- with every raw output at ``+-1e4``, positive-link columns included, the NLL equals the
  exact one (mpmath, ``exact_nll.py``) to a few ``eps`` with a finite gradient
  wherever the exact one is a float, and is not finite where it is not;
- a recipe rebuilt from its ``repr``, through ``pickle`` and by ``copy.deepcopy`` behaves
  as the original (the same NLL, parameters and prediction);
- bad input (outputs, targets outside the support, a reduction, the switch) is refused
  with a ``ValueError`` that names the argument;
- an empty batch: a sum of nothing is 0, a mean of nothing is refused, and every
  method returns its shapes with 0 rows;
- the layout: widths add up to ``num_outputs``, ``raw`` and ``params`` return one block
  per parameter, and ``nll_terms`` takes each raw block by its name;
- ``validate=False`` changes no value.

Targets at the edges of the support, outside it, and the candidates for the mode are
derived from each recipe's declared ``support``.  The per-domain files
(``test_real.py``, ``test_classes.py``, ...) keep only what is particular to one recipe:
agreement with PyTorch's fused losses, closed forms, the hard cases of its own numerics.
"""

import copy
import inspect
import itertools
import math
import pickle

import mpmath
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import constraints

import lossrecipe as lr
from lossrecipe.validation import Rankings, open_unit_interval

from .conftest import ULPS, as_float64, grad_of, on_device, reduce, tol
from .exact_nll import REFERENCES, exact_nll
from .registry import REGISTRY, N, base_recipe, base_support, draw_batch

# torch's von Mises log-normaliser is a polynomial approximation (error ~5e-7).
APPROXIMATE_REFERENCE = {lr.VonMises: 1e-6}
# torch's negative binomial log-density forms lgamma[y + r] - lgamma[r] as it stands
# (r = 1 / alpha), which keeps only eps lgamma[r] of it, and its gradient in alpha loses
# r^2 eps: at alpha ~ 1e-4 (the square link near 0) float64 keeps six digits of it.
# Its reference is the exact NLL (mpmath, exact_nll.py) and its derivative.
EXACT_REFERENCE = {lr.NegativeBinomial}

recipes = pytest.mark.parametrize("recipe", REGISTRY, ids=repr)


def _conditioning(recipe, outputs):
    """How much the recipe's own arithmetic can amplify a rounding error, at ``outputs``.

    A recipe with a Cholesky factor ``L`` (the multivariate Gaussian) solves ``L z = y -
    mu``, and a triangular solve in a dtype of machine epsilon ``eps`` returns ``z`` to
    about ``n eps kappa[L]`` relative error (``kappa`` the condition number; Higham,
    *Accuracy and Stability of Numerical Algorithms*, ch. 8): the tolerance is ``kappa``
    times the usual one, computed from the float64 factor of the worst row.  1 elsewhere.
    """
    if not isinstance(base_recipe(recipe), lr.MultivariateGaussian):
        return 1.0
    factor = recipe.with_validation(False).params(outputs.detach().double())["scale_tril"]
    return float(torch.linalg.cond(factor).max()) if factor.numel() else 1.0


def _assert_matches(recipe, actual, reference, conditioning=1.0):
    """``actual`` (computed in float32 or float64) against the float64 ``reference``,
    within :func:`tol` times ``conditioning`` (:func:`_conditioning`)."""
    approximate = APPROXIMATE_REFERENCE.get(type(base_recipe(recipe)), 0.0)
    scale = float(reference.abs().max()) if reference.numel() else 1.0
    expected = {k: conditioning * v for k, v in tol(actual.dtype, scale).items()}
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


# --- independent references where the distribution is our own code ---------------------------


def _ordinal_reference(recipe, outputs, y):
    """``-log Pr(y = k)`` with ``Pr(y = k) = sig[c_{k+1} - eta] - sig[c_k - eta]``.

    The difference is taken in log space, ``log sig[b] + log(1 - e^{log sig[a] - log
    sig[b]})``, and the cutpoints are the running sum of ``log(1 + e^r)``: another route
    than the recipe's product of three log-sigmoids.
    """
    eta, raw = outputs[..., :1], outputs[..., 1:]
    cut = torch.cumsum(torch.cat([raw[..., :1], torch.log1p(torch.exp(raw[..., 1:]))], -1), -1)
    at_most = F.logsigmoid(cut - eta)  # log Pr(y <= k - 1), k = 1..K-1
    top = torch.zeros_like(eta)
    upper = torch.cat([at_most, top], -1)  # log Pr(y <= k), k = 0..K-1
    lower = torch.cat([torch.full_like(eta, -math.inf), at_most], -1)  # log Pr(y <= k - 1)
    log_p = upper + torch.log(-torch.expm1(lower - upper))
    return -log_p.gather(-1, y.unsqueeze(-1)).squeeze(-1)


def _plackett_luce_reference(recipe, outputs, y):
    """``-log Pr(y)``, one softmax over the items left per position, in a loop."""
    total = torch.zeros_like(outputs[..., 0])
    left = torch.ones_like(outputs, dtype=torch.bool)
    for j in range(y.shape[-1]):
        item = y[..., j : j + 1]
        scores_left = outputs.masked_fill(~left, -math.inf)
        total = total + torch.logsumexp(scores_left, -1) - outputs.gather(-1, item).squeeze(-1)
        left = left.scatter(-1, item, False)
    return total


def _asymmetric_laplace_reference(recipe, outputs, y):
    """``-log[q (1 - q) / b] + rate |y - mu|``: an exponential tail of rate ``q / b`` above
    the location and ``(1 - q) / b`` below (scipy's ``laplace_asymmetric`` in
    ``test_quantile.py`` checks the same density)."""
    q, b = recipe.quantile, recipe.scale
    u = y - outputs[..., 0]
    rate = torch.where(u >= 0, u.new_tensor(q / b), u.new_tensor((1 - q) / b))
    return rate * u.abs() - math.log(q * (1 - q) / b)


def _zero_inflated_poisson_reference(recipe, outputs, y):
    """``-log Pr(y)`` straight from the definition: ``Pr(0) = pi + (1 - pi) e^{-lambda}``,
    ``Pr(k) = (1 - pi) lambda^k e^{-lambda} / k!``, with ``pi = sig[w]``, ``lambda = e^z``
    (no log-sum-exp, no log-sigmoid: another route than the recipe's)."""
    pi, lam = torch.sigmoid(outputs[..., 0]), torch.exp(outputs[..., 1])
    zero = pi + (1 - pi) * torch.exp(-lam)
    log_k = torch.log1p(-pi) + y * torch.log(lam) - lam - torch.lgamma(y + 1)
    return -torch.where(y == 0, torch.log(zero), log_k)


OWN_DISTRIBUTIONS = {
    lr.Ordinal: _ordinal_reference,
    lr.PlackettLuce: _plackett_luce_reference,
    lr.Quantile: _asymmetric_laplace_reference,
    lr.ZeroInflatedPoisson: _zero_inflated_poisson_reference,
}


def _reference(recipe, y, outputs, reduction="none"):
    """The float64 reference value and gradient of ``reduce(-log Pr(y | outputs))``."""
    if type(base_recipe(recipe)) in EXACT_REFERENCE:
        terms, grad = _exact_terms_and_gradient(recipe, outputs, y)
        return reduce(terms, reduction), grad / (len(terms) if reduction == "mean" else 1)
    terms = _reference_nll(recipe, y)
    return grad_of(lambda o: reduce(terms(o), reduction), outputs.double())


def _reference_nll(recipe, y):
    """``o -> -log Pr(y | theta[o])`` in float64, independent of the recipe's ``nll``."""
    y64 = as_float64(y)
    base = base_recipe(recipe)
    own = OWN_DISTRIBUTIONS.get(type(base))
    if own is None:
        return lambda o: -recipe.with_validation(False).distribution(o.double()).log_prob(y64)
    if base is recipe:
        return lambda o: own(base, o.double(), y64)
    return lambda o: own(base, o.double().unflatten(-1, (recipe.num_dims, -1)), y64).sum(-1)


def test_the_independent_references_are_the_distributions():
    # The references above against the recipes' own distributions (checked in their
    # domain files against scipy, closed forms and sums over the support).
    own = [lr.Ordinal(4), lr.PlackettLuce(4), lr.Quantile(0.3, scale=0.5)]
    for recipe in [*own, lr.ZeroInflatedPoisson()]:
        outputs, y = draw_batch(recipe, torch.float64, seed=11)
        expected = -recipe.distribution(outputs).log_prob(y)
        torch.testing.assert_close(
            _reference_nll(recipe, y)(outputs), expected, **tol(torch.float64)
        )


@recipes
def test_nll_matches_an_independent_reference(recipe, dtype, device):
    on_device(device, dtype)
    outputs, y = draw_batch(recipe, dtype, device=device)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), outputs)
    ref, ref_grad = _reference(recipe, y, outputs)
    assert ours.shape == (N,) and recipe.distribution(outputs).batch_shape == (N,)
    assert ours.dtype == ours_grad.dtype == dtype
    assert ours.device == outputs.device and ours_grad.device == outputs.device
    kappa = _conditioning(recipe, outputs)
    _assert_matches(recipe, ours, ref, kappa)
    _assert_matches(recipe, ours_grad, ref_grad, kappa)
    if device.type != "cpu":  # the same numbers as on the CPU
        cpu, cpu_grad = grad_of(lambda o: recipe.nll(o, y.cpu(), reduction="none"), outputs.cpu())
        _assert_matches(recipe, ours.cpu(), cpu.double(), kappa)
        _assert_matches(recipe, ours_grad.cpu(), cpu_grad.double(), kappa)


@recipes
@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_reductions(recipe, dtype, reduction, device):
    on_device(device, dtype)
    outputs, y = draw_batch(recipe, dtype, seed=1, device=device)
    ours, ours_grad = grad_of(lambda o: recipe.nll(o, y, reduction=reduction), outputs)
    ref, ref_grad = _reference(recipe, y, outputs, reduction)
    assert ours.shape == ((N,) if reduction == "none" else ())
    kappa = _conditioning(recipe, outputs)
    _assert_matches(recipe, ours, ref, kappa)
    _assert_matches(recipe, ours_grad, ref_grad, kappa)


@recipes
def test_the_gradient_is_the_finite_difference_one(recipe):
    outputs, y = draw_batch(recipe, torch.float64, seed=12, n=5)
    outputs.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda o: recipe.nll(o, y, reduction="none"), (outputs,))


# --- targets derived from the support ----------------------------------------------------------


def _edges(support, y_dtype, dtype):
    """Values at the edges of the support (and one inside) that both ``y_dtype`` and the
    loss's ``dtype`` hold, or ``None`` where ``y_dtype`` holds no such value."""
    floating = y_dtype.is_floating_point
    if support is constraints.boolean:
        return [0, 1]
    if isinstance(support, constraints.integer_interval):
        return [0, int(support.upper_bound)] if y_dtype != torch.bool else None
    if support is constraints.nonnegative_integer:
        return [0, 1, 100] if y_dtype != torch.bool else None
    if isinstance(support, Rankings):
        return "rankings" if y_dtype != torch.bool else None
    if not floating:
        integers = {constraints.real: [-30, 0, 30], constraints.positive: [1, 1000]}
        return integers.get(support) if y_dtype != torch.bool else None
    tiny = max(torch.finfo(y_dtype).tiny, torch.finfo(dtype).tiny)
    eps = max(torch.finfo(y_dtype).eps, torch.finfo(dtype).eps)
    if support is constraints.positive:
        return [tiny, 1.0, 1e3]
    if support is open_unit_interval:
        return [tiny, 0.5, 1.0 - eps]
    return [-30.0, 0.0, 30.0]


def _closed_ends(support):
    """The ends an open support leaves out, where the density is 0 or infinite."""
    return {constraints.positive: [0.0], open_unit_interval: [0.0, 1.0]}.get(support, [])


def _edge_targets(recipe, y_dtype, dtype):
    """Targets of shape ``(n, *target_shape)`` made of the edge values, or ``None``."""
    values = _edges(base_support(recipe), y_dtype, dtype)
    if values is None:
        return None
    if values == "rankings":  # each full ranking in order and reversed
        k = recipe.num_items
        return torch.stack([torch.arange(k), torch.arange(k).flip(0)]).to(y_dtype)
    shape = recipe.target_shape
    rows = [torch.full(shape, v, dtype=torch.float64) for v in values]
    return torch.stack(rows).to(y_dtype)


TARGET_DTYPES = [
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
    torch.int64,
    torch.int32,
    torch.uint8,
    torch.bool,
]


@recipes
def test_log_prob_is_minus_the_nll_at_the_edges_and_for_every_target_dtype(recipe, dtype):
    checked = 0
    for y_dtype in TARGET_DTYPES:
        y = _edge_targets(recipe, y_dtype, dtype)
        if y is None:
            with pytest.raises(ValueError, match="^y: "):
                recipe.nll(draw_batch(recipe, dtype, n=2)[0], torch.zeros(2, dtype=y_dtype))
            continue
        outputs, _ = draw_batch(recipe, dtype, seed=13, n=len(y))
        nll = recipe.nll(outputs, y, reduction="none")
        minus_log_prob = -recipe.distribution(outputs).log_prob(y)
        _assert_matches(recipe, nll, minus_log_prob.double(), _conditioning(recipe, outputs))
        checked += 1
    assert checked >= 4
    for end in _closed_ends(base_support(recipe)):
        outputs, _ = draw_batch(recipe, dtype, seed=13, n=2)
        y = torch.full((2, *recipe.target_shape), end, dtype=dtype)
        with pytest.raises(ValueError, match="y: expected"):
            recipe.nll(outputs, y)
        with pytest.raises(ValueError, match="value"):
            recipe.distribution(outputs).log_prob(y)
        quiet = recipe.with_validation(False)  # unchecked: the same value, as elsewhere
        torch.testing.assert_close(
            -quiet.distribution(outputs).log_prob(y), quiet.nll(outputs, y, "none")
        )


def _candidates(support, dtype, center):
    """Every value of a discrete support (up to 300 for counts), or a dense grid of reals."""
    if isinstance(support, Rankings):  # all K! permutations, (K!, K)
        return torch.tensor(list(itertools.permutations(range(support.num_items))))
    if support is constraints.boolean:
        return torch.tensor([0.0, 1.0], dtype=dtype)
    if isinstance(support, constraints.integer_interval):
        return torch.arange(int(support.lower_bound), int(support.upper_bound) + 1)
    if support is constraints.nonnegative_integer:
        return torch.arange(0.0, 300.0, dtype=dtype)
    if support is constraints.positive:
        return torch.linspace(0.0, 100.0, 100001, dtype=dtype)[1:]
    if support is open_unit_interval:
        return torch.linspace(0.0, 1.0, 10001, dtype=dtype)[1:-1]
    # real: 30001 points 1e-3 apart around the predicted modes
    return center + torch.linspace(-15.0, 15.0, 30001, dtype=dtype)


@recipes
def test_predict_is_the_mode(recipe, dtype, device):
    on_device(device, dtype)
    outputs, _ = draw_batch(recipe, dtype, seed=2, device=device)
    mode = recipe.predict(outputs)
    # unchecked: a mode may sit on the closed end of an open support (a Gamma with
    # alpha < 1 peaks at 0)
    dist = recipe.with_validation(False).distribution(outputs)
    if isinstance(dist, torch.distributions.Independent):
        dist = dist.base_dist  # independent dimensions: each marginal mode, (N, D)
    assert mode.shape == dist.batch_shape + dist.event_shape
    center = float(mode.float().mean().round())
    grid = _candidates(base_support(recipe), dtype, center).to(device)
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


# --- extreme raw outputs ------------------------------------------------------------------------


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


# --- a recipe rebuilt, copied, pickled ---------------------------------------------------------

REBUILD = {
    "repr": lambda r: eval(repr(r), vars(lr)),  # noqa: S307 - our own repr
    "pickle": lambda r: pickle.loads(pickle.dumps(r)),  # noqa: S301 - our own bytes
    "deepcopy": copy.deepcopy,
}


@recipes
@pytest.mark.parametrize("how", list(REBUILD))
def test_a_rebuilt_recipe_behaves_as_the_original(recipe, how):
    # What a DataLoader with workers, DistributedDataParallel and copy.deepcopy of a model
    # and its loss rely on, and what repr promises: the same recipe, judged by what it does.
    outputs, y = draw_batch(recipe, torch.float64, seed=14)
    for original in (recipe, recipe.with_validation(False)):
        twin = REBUILD[how](original)
        assert type(twin) is type(original) and twin is not original
        assert twin.validate is original.validate and repr(twin) == repr(original)
        assert twin.layout == original.layout and repr(twin.support) == repr(original.support)
        assert torch.equal(twin.nll(outputs, y, "none"), original.nll(outputs, y, "none"))
        theta, twin_theta = original.params(outputs), twin.params(outputs)
        assert list(twin_theta) == list(theta)
        assert all(torch.equal(twin_theta[k], v) for k, v in theta.items())
        assert torch.equal(twin.predict(outputs), original.predict(outputs))


def test_repr_shows_every_setting_by_its_name():
    # a setting left out of repr rebuilds a different recipe (the behaviour test above
    # fails then); the names are __init__'s
    assert repr(lr.StudentT(df=2.5, link="square")) == "StudentT(df=2.5, link='square')"
    assert repr(lr.Bernoulli(validate=False)) == "Bernoulli(validate=False)"
    assert (
        repr(lr.Independent(lr.Categorical(3), 2, validate=False))
        == "Independent(recipe=Categorical(num_classes=3, validate=False), num_dims=2, "
        "validate=False)"
    )


# --- bad input, one check over the registry -----------------------------------------------------


def _outside(recipe, dtype):
    """Target entries outside the support (each put into one position of a valid ``y``),
    with the dtype they are given in: some only a float64 ``y`` holds (``1 + 1e-9`` for a
    label; ``1 - 1e-10`` or ``1e-50``, which round onto the closed end in float32)."""
    support = base_support(recipe)
    nan, inf = math.nan, math.inf
    wide = torch.float64
    if support is constraints.boolean:
        cases = [(2.0, dtype), (0.5, dtype), (-1.0, dtype), (nan, dtype), (1 + 1e-9, wide)]
    elif isinstance(support, constraints.integer_interval):
        k = int(support.upper_bound) + 1
        cases = [(-1.0, dtype), (float(k), dtype), (0.5, dtype), (nan, dtype), (1e-9, wide)]
    elif support is constraints.nonnegative_integer:
        cases = [(-1.0, dtype), (0.5, dtype), (nan, dtype), (inf, dtype), (1 + 1e-9, wide)]
    elif isinstance(support, Rankings):
        cases = [(-1.0, torch.long), (float(support.num_items), torch.long), (0.5, dtype)]
        cases += [("repeat", torch.long)] if support.num_items > 1 else []
    elif support is constraints.positive:
        cases = [(0.0, dtype), (-1.0, dtype), (nan, dtype), (inf, dtype)]
        cases += [(1e-50, wide)] if dtype == torch.float32 else []
    elif support is open_unit_interval:
        cases = [(0.0, dtype), (1.0, dtype), (1.5, dtype), (nan, dtype)]
        cases += [(1 - 1e-10, wide)] if dtype == torch.float32 else []
    else:
        cases = [(nan, dtype), (inf, dtype), (-inf, dtype)]
        cases += [(1e39, wide)] if dtype == torch.float32 else []
    return cases


def _with_entry(y, value, y_dtype):
    bad = y.to(torch.float64 if y_dtype.is_floating_point else y.dtype).clone()
    flat = bad.view(-1)
    if value == "repeat":
        flat[1] = flat[0]
    else:
        flat[min(3, len(flat) - 1)] = value
    return bad.to(y_dtype)


def _bad_calls(recipe, dtype):
    """``(argument, call)``: each call makes one mistake and must raise a ``ValueError``
    that names the argument."""
    outputs, y = draw_batch(recipe, dtype, seed=10, n=6)
    nan_outputs = outputs.clone()
    nan_outputs[1, 0] = math.nan
    calls = [
        ("outputs", lambda: recipe.nll(outputs.tolist(), y)),
        ("outputs", lambda: recipe.nll(outputs[:, 0], y)),
        ("outputs", lambda: recipe.nll(torch.cat([outputs, outputs[:, :1]], 1), y)),
        ("outputs", lambda: recipe.nll(outputs.long(), y)),
        ("outputs", lambda: recipe.nll(nan_outputs, y)),
        ("outputs", lambda: recipe.params(nan_outputs)),
        ("outputs", lambda: recipe.predict(nan_outputs)),
        ("outputs", lambda: recipe.distribution(nan_outputs)),
        ("y", lambda: recipe.nll(outputs, y.tolist())),
        ("y", lambda: recipe.nll(outputs, y[:-1])),
        ("y", lambda: recipe.nll(outputs, y.unsqueeze(-1))),
        ("y", lambda: recipe.nll(outputs, y.to(torch.complex128))),
        ("reduction", lambda: recipe.nll(outputs, y, reduction="avg")),
        ("reduction", lambda: recipe.nll(outputs[:0], y[:0], reduction="mean")),
        ("validate", lambda: recipe.with_validation(None)),
    ]
    for value, y_dtype in _outside(recipe, dtype):
        bad = _with_entry(y, value, y_dtype)
        calls.append(("y", lambda bad=bad: recipe.nll(outputs, bad)))
    return calls


@recipes
def test_bad_input_is_refused_naming_the_argument(recipe, dtype):
    for argument, call in _bad_calls(recipe, dtype):
        with pytest.raises(ValueError, match=f"^{argument}: expected"):
            call()


@recipes
def test_an_empty_batch(recipe):
    outputs, y = draw_batch(recipe, torch.float64, n=0)
    assert outputs.shape == (0, recipe.num_outputs)
    total = recipe.nll(outputs, y)
    assert total.shape == () and float(total) == 0.0
    assert recipe.nll(outputs, y, reduction="none").shape == (0,)
    for name, value in recipe.params(outputs).items():
        assert value.shape[0] == 0, name
    dist = recipe.distribution(outputs)
    assert dist.batch_shape == (0,) and dist.log_prob(y).shape == (0,)
    assert recipe.predict(outputs).shape == (0, *dist.event_shape)


# --- layout, switch, registry -------------------------------------------------------------------


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
        # nll_terms takes each raw block by name (a keyword with a default is a block
        # that only some settings have: StudentT's raw_df)
        keywords = {
            name: arg.default is inspect.Parameter.empty
            for name, arg in inspect.signature(recipe.nll_terms).parameters.items()
            if arg.kind is inspect.Parameter.KEYWORD_ONLY
        }
        required = [name for name, needed in keywords.items() if needed]
        assert required == [p.raw for p in base.parameters if keywords.get(p.raw)]
        assert {p.raw for p in base.parameters} <= set(keywords)


@recipes
def test_validate_false_changes_no_value(recipe, dtype, device):
    on_device(device, dtype)
    outputs, y = draw_batch(recipe, dtype, seed=5, device=device)
    quiet = recipe.with_validation(False)
    assert not quiet.validate and recipe.validate
    if isinstance(recipe, lr.Independent):  # the switch reaches the base recipe
        assert not quiet.recipe.validate and recipe.recipe.validate
        assert not lr.Independent(recipe.recipe, 2, validate=False).recipe.validate
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


@pytest.mark.parametrize(
    "recipe, expected",
    [
        (lr.GaussianMixture(num_components=4), 12),
        (lr.Independent(lr.GaussianMixture(2), num_dims=3), 18),
        (lr.MultivariateGaussian(num_dims=4), 14),
        (lr.Ordinal(num_classes=5), 5),
        (lr.PlackettLuce(num_items=6), 6),
        (lr.NegativeBinomial(), 2),
        (lr.ZeroInflatedPoisson(), 2),
        (lr.StudentT(df=None), 3),
    ],
    ids=repr,
)
def test_num_outputs_is_the_contract_count(recipe, expected):
    assert recipe.num_outputs == expected
