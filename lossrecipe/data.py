"""Seeded toy data sets for the chapters.  Nothing is ever downloaded.

Every generator takes ``num_points``, a ``seed`` (its own ``torch.Generator``,
so the global random state is untouched), a ``dtype`` (default: torch's default
dtype, so a chapter that calls ``torch.set_default_dtype(torch.float64)`` gets float64
data) and a ``device`` (default: the CPU; the data are drawn on the CPU and then
moved, so every device gets the same numbers), and returns ``(x, y)``
with ``x`` of shape ``(N, 1)``, ready for a network, and ``y`` of shape ``(N,)``.
The functions that generated the data (the true mean, noise level or class
probabilities) are exported too, so a chapter can compare a fit with the truth.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .recipes._numerics import wrap_angle
from .validation import check_positive, check_positive_integer, check_seed

__all__ = [
    "X_RANGE",
    "regression_mean",
    "growing_sigma",
    "binary_probability",
    "class_probabilities",
    "regression_1d",
    "heteroscedastic_1d",
    "binary_1d",
    "multiclass_1d",
    "count_rate",
    "linear_trend",
    "mean_direction",
    "bimodal_branch",
    "upper_branch_probability",
    "height_weight_mean",
    "HEIGHT_WEIGHT_SIGMA",
    "counts_1d",
    "outliers_1d",
    "directions_1d",
    "bimodal_1d",
    "height_weight",
    "correlated_mean",
    "correlated_scale_tril",
    "correlated_2d",
    "ordinal_location",
    "ORDINAL_CUTPOINTS",
    "ordinal_1d",
    "tag_probabilities",
    "multilabel_1d",
    "item_scores",
    "rankings_1d",
    "mean_waiting_time",
    "WAITING_SHAPE",
    "waiting_times_1d",
    "mean_proportion",
    "PROPORTION_CONCENTRATION",
    "proportions_1d",
]

X_RANGE = (0.0, 2.0)


def _inputs(num_points: int, generator: torch.Generator, dtype: torch.dtype | None) -> Tensor:
    """``num_points`` sorted inputs, uniform on ``X_RANGE``, of shape ``(N, 1)``."""
    check_positive_integer("num_points", num_points)
    low, high = X_RANGE
    x = low + (high - low) * torch.rand(num_points, generator=generator, dtype=torch.float64)
    return torch.sort(x).values.to(_dtype(dtype)).unsqueeze(1)


def _dtype(dtype: torch.dtype | None) -> torch.dtype:
    """The requested dtype, or torch's default (``torch.get_default_dtype()``) for ``None``."""
    return torch.get_default_dtype() if dtype is None else dtype


def _generator(seed: int) -> torch.Generator:
    """The data set's own CPU generator, seeded by ``seed``: every draw comes from it."""
    return torch.Generator().manual_seed(check_seed("seed", seed))


def _placed(x: Tensor, y: Tensor, device: torch.device | str | None) -> tuple[Tensor, Tensor]:
    """``(x, y)`` moved to ``device`` (``None``: left on the CPU, where they are drawn)."""
    return (x, y) if device is None else (x.to(device), y.to(device))


def regression_mean(x: Tensor) -> Tensor:
    """The true regression function ``mu[x] = sin(2x) + 0.3x``."""
    return torch.sin(2.0 * x) + 0.3 * x


def growing_sigma(x: Tensor) -> Tensor:
    """The true noise level of :func:`heteroscedastic_1d`: ``sigma[x] = 0.05 + 0.2x``."""
    return 0.05 + 0.2 * x


def binary_probability(x: Tensor) -> Tensor:
    """The true ``Pr(y = 1 | x) = sig[4 sin(3x)]`` of :func:`binary_1d`."""
    return torch.sigmoid(4.0 * torch.sin(3.0 * x))


def class_probabilities(x: Tensor, num_classes: int = 3) -> Tensor:
    """The true ``Pr(y = k | x)``: softmax over ``k`` of ``-6 (x - c_k)^2``.

    The centres ``c_k`` are evenly spread over ``X_RANGE``.  Returns shape
    ``(N, num_classes)`` for ``x`` of shape ``(N,)`` or ``(N, 1)``.
    """
    check_positive_integer("num_classes", num_classes, minimum=2)
    low, high = X_RANGE
    margin = 0.15 * (high - low)
    centres = torch.linspace(
        low + margin, high - margin, num_classes, dtype=x.dtype, device=x.device
    )
    logits = -6.0 * (x.reshape(-1, 1) - centres) ** 2
    return torch.softmax(logits, dim=1)


def regression_1d(
    num_points: int = 40,
    sigma: float = 0.2,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """``y = mu[x] + sigma * eps`` with constant noise, ``x`` uniform on ``X_RANGE``."""
    sigma = check_positive("sigma", sigma)
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    eps = torch.randn(num_points, generator=g, dtype=torch.float64).to(x.dtype)
    return _placed(x, regression_mean(x[:, 0]) + sigma * eps, device)


def heteroscedastic_1d(
    num_points: int = 400,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """``y = mu[x] + sigma[x] * eps`` whose noise ``sigma[x] = 0.05 + 0.2x`` grows with ``x``."""
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    eps = torch.randn(num_points, generator=g, dtype=torch.float64).to(x.dtype)
    return _placed(x, regression_mean(x[:, 0]) + growing_sigma(x[:, 0]) * eps, device)


def binary_1d(
    num_points: int = 200,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Labels ``y`` in ``{0, 1}`` (as floats) drawn with ``Pr(y = 1 | x) = sig[4 sin(3x)]``."""
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    u = torch.rand(num_points, generator=g, dtype=torch.float64)
    return _placed(x, (u < binary_probability(x[:, 0].double())).to(x.dtype), device)


def multiclass_1d(
    num_points: int = 300,
    num_classes: int = 3,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Class indices ``y`` in ``0..K-1`` (int64) drawn from :func:`class_probabilities`."""
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    probs = class_probabilities(x[:, 0].double(), num_classes)
    return _placed(x, torch.multinomial(probs, 1, generator=g).squeeze(1), device)


HEIGHT_WEIGHT_SIGMA = (0.07, 8.0)


def count_rate(x: Tensor) -> Tensor:
    """The true rate of :func:`counts_1d`: ``lambda[x] = exp(1 + sin(2x))``, between 1 and e^2."""
    return torch.exp(1.0 + torch.sin(2.0 * x))


def linear_trend(x: Tensor) -> Tensor:
    """The true line of :func:`outliers_1d`: ``mu[x] = 0.5 + 0.8x``."""
    return 0.5 + 0.8 * x


def mean_direction(x: Tensor) -> Tensor:
    """The true mean direction of :func:`directions_1d`: ``2 + 1.5x`` wrapped into ``(-pi, pi]``.

    It turns steadily with ``x`` and crosses from ``pi`` to ``-pi`` at
    ``x = (pi - 2) / 1.5 ~ 0.76``: a model that ignored the wrap would see a jump.
    """
    return wrap_angle(2.0 + 1.5 * x)


def bimodal_branch(x: Tensor) -> Tensor:
    """The upper branch ``g[x] = 1 + 0.5 sin(3x)`` of :func:`bimodal_1d`; the lower is ``-g[x]``."""
    return 1.0 + 0.5 * torch.sin(3.0 * x)


def upper_branch_probability(x: Tensor) -> Tensor:
    """``Pr(upper branch | x) = 0.3 + 0.2x``: the lower branch is likelier for ``x < 1``."""
    return 0.3 + 0.2 * x


def height_weight_mean(x: Tensor) -> Tensor:
    """The true means of :func:`height_weight`, shape ``(N, 2)`` for ``x`` of shape ``(N,)``.

    Height ``1.55 + 0.15x`` metres and weight ``55 + 15x`` kilograms.
    """
    x = x.reshape(-1)
    return torch.stack([1.55 + 0.15 * x, 55.0 + 15.0 * x], dim=1)


def counts_1d(
    num_points: int = 200,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Counts (pedestrians per minute, say): ``y ~ Poisson(lambda[x])``.

    The rate ``lambda[x] = exp(1 + sin(2x))`` is :func:`count_rate`.  ``y`` holds
    whole numbers ``0, 1, 2, ...`` in the floating-point ``dtype``.
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    return _placed(x, torch.poisson(count_rate(x[:, 0].double()), generator=g).to(x.dtype), device)


def outliers_1d(
    num_points: int = 100,
    outlier_fraction: float = 0.1,
    sigma: float = 0.1,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """A line ``0.5 + 0.8x`` with Gaussian noise ``sigma``, and a few gross errors.

    ``round(outlier_fraction * N)`` points, chosen at random, are shifted upwards
    by 2 to 5 (a sensor glitch).  Least squares (a Gaussian fit) follows the mean
    and is pulled up by them; an L1 fit (Laplace) follows the median and is not.
    """
    if isinstance(outlier_fraction, bool) or not (
        isinstance(outlier_fraction, int | float) and 0 <= outlier_fraction < 1
    ):
        raise ValueError(f"outlier_fraction: expected a number in [0, 1), got {outlier_fraction!r}")
    sigma = check_positive("sigma", sigma)
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    y = linear_trend(x[:, 0].double()) + sigma * torch.randn(
        num_points, generator=g, dtype=torch.float64
    )
    chosen = torch.randperm(num_points, generator=g)[: round(outlier_fraction * num_points)]
    shift = 2.0 + 3.0 * torch.rand(len(chosen), generator=g, dtype=torch.float64)
    y[chosen] += shift
    return _placed(x, y.to(x.dtype), device)


def _von_mises_noise(num: int, concentration: float, generator: torch.Generator) -> Tensor:
    """``num`` exact draws from the von Mises distribution with mean 0 (float64).

    Best and Fisher's (1979) rejection sampler, vectorised: each round proposes for
    every draw still pending, from a wrapped Cauchy envelope, and keeps the accepted.
    """
    kappa = concentration
    tau = 1.0 + math.sqrt(1.0 + 4.0 * kappa**2)
    rho = (tau - math.sqrt(2.0 * tau)) / (2.0 * kappa)
    r = (1.0 + rho**2) / (2.0 * rho)
    draws = torch.empty(num, dtype=torch.float64)
    pending = torch.arange(num)
    while len(pending):
        u1, u2, u3 = torch.rand(3, len(pending), generator=generator, dtype=torch.float64)
        z = torch.cos(math.pi * u1)
        f = (1.0 + r * z) / (r + z)
        c = kappa * (r - f)
        accept = (c * (2.0 - c) > u2) | (torch.log(c / u2) + 1.0 - c >= 0)
        draws[pending[accept]] = torch.sign(u3 - 0.5)[accept] * torch.acos(f[accept])
        pending = pending[~accept]
    return draws


def _gamma_draws(shape: Tensor, generator: torch.Generator) -> Tensor:
    """One exact draw from ``Gamma(shape_i, rate 1)`` for each entry (float64, shapes >= 1).

    Marsaglia and Tsang's (2000) rejection sampler, vectorised: with ``d = a - 1/3`` and
    ``c = 1 / sqrt(9d)``, propose ``d v``, ``v = (1 + c z)^3``, ``z`` standard normal, and
    accept when ``v > 0`` and ``log u < z^2 / 2 + d - d v + d log v``, ``u`` uniform.
    Each round proposes for every draw still pending.
    """
    d = shape - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    draws = torch.empty_like(shape)
    pending = torch.arange(len(shape))
    while len(pending):
        z = torch.randn(len(pending), generator=generator, dtype=torch.float64)
        u = torch.rand(len(pending), generator=generator, dtype=torch.float64)
        dp, v = d[pending], (1.0 + c[pending] * z) ** 3
        log_v = torch.log(torch.where(v > 0, v, 1.0))
        accept = (v > 0) & (torch.log(u) < 0.5 * z * z + dp - dp * v + dp * log_v)
        draws[pending[accept]] = (dp * v)[accept]
        pending = pending[~accept]
    return draws


def directions_1d(
    num_points: int = 200,
    concentration: float = 4.0,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Angles ``y = wrap(mean_direction[x] + eps)`` in ``(-pi, pi]``, ``eps ~ vonMises(0, kappa)``.

    The noise is drawn exactly (Best and Fisher's rejection sampler, seeded with
    the generator's own stream, not ``torch.distributions.VonMises.sample``, which
    uses the global random state).  The mean direction crosses ``pi``, so the
    targets jump from near ``pi`` to near ``-pi``.
    """
    concentration = check_positive("concentration", concentration)
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    noise = _von_mises_noise(num_points, concentration, g)
    return _placed(x, wrap_angle(mean_direction(x[:, 0].double()) + noise).to(x.dtype), device)


def bimodal_1d(
    num_points: int = 300,
    sigma: float = 0.1,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Two plausible answers at each ``x``: ``y = +g[x]`` or ``y = -g[x]``, plus noise ``sigma``.

    The upper branch ``g[x] = 1 + 0.5 sin(3x)`` is taken with probability
    ``0.3 + 0.2x``, the lower ``-g[x]`` otherwise: ``Pr(y | x)`` is a mixture of two
    Gaussians whose mean, ``(0.4x - 0.4) g[x]``, lies where there is hardly any data.
    """
    sigma = check_positive("sigma", sigma)
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    x64 = x[:, 0].double()
    upper = torch.rand(num_points, generator=g, dtype=torch.float64) < upper_branch_probability(x64)
    sign = torch.where(upper, 1.0, -1.0).double()
    eps = torch.randn(num_points, generator=g, dtype=torch.float64)
    return _placed(x, (sign * bimodal_branch(x64) + sigma * eps).to(x.dtype), device)


def height_weight(
    num_points: int = 200,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Two outputs on very different scales: ``y[:, 0]`` height (m), ``y[:, 1]`` weight (kg).

    ``x`` plays the role of age (rescaled to ``X_RANGE``); the means are
    :func:`height_weight_mean` and the noise is independent Gaussian with standard
    deviations ``HEIGHT_WEIGHT_SIGMA = (0.07, 8.0)``.  One shared variance cannot
    fit both columns: ``y`` has shape ``(N, 2)``.
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    eps = torch.randn(num_points, 2, generator=g, dtype=torch.float64)
    sigma = torch.tensor(HEIGHT_WEIGHT_SIGMA, dtype=torch.float64)
    return _placed(x, (height_weight_mean(x[:, 0].double()) + sigma * eps).to(x.dtype), device)


def correlated_mean(x: Tensor) -> Tensor:
    """The true means of :func:`correlated_2d`: ``(sin 2x, cos 2x)``, shape ``(N, 2)``."""
    return torch.stack([torch.sin(2.0 * x), torch.cos(2.0 * x)], dim=-1)


def correlated_scale_tril(x: Tensor) -> Tensor:
    """The true Cholesky factor of :func:`correlated_2d`'s noise, shape ``(N, 2, 2)``.

    Both outputs have standard deviation ``0.3``; their correlation
    ``rho[x] = 0.9 (x - 1)`` runs from ``-0.9`` at ``x = 0`` to ``0.9`` at ``x = 2``.
    So ``L = 0.3 [[1, 0], [rho, sqrt(1 - rho^2)]]`` and ``Sigma = L L^T =
    0.09 [[1, rho], [rho, 1]]``.
    """
    rho = 0.9 * (x - 1.0)
    zero = torch.zeros_like(x)
    rows = [
        torch.stack([torch.ones_like(x), zero], -1),
        torch.stack([rho, torch.sqrt(1 - rho**2)], -1),
    ]
    return 0.3 * torch.stack(rows, dim=-2)


def correlated_2d(
    num_points: int = 300,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Two outputs whose noise is correlated, the correlation changing with ``x``.

    ``y = m[x] + L[x] eps`` with ``eps`` two independent standard normals,
    ``m = correlated_mean`` and ``L = correlated_scale_tril``: each output has
    standard deviation 0.3, and their correlation is ``0.9 (x - 1)``.  ``y`` has
    shape ``(N, 2)``.
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    x64 = x[:, 0].double()
    eps = torch.randn(num_points, 2, 1, generator=g, dtype=torch.float64)
    noise = (correlated_scale_tril(x64) @ eps)[..., 0]
    return _placed(x, (correlated_mean(x64) + noise).to(x.dtype), device)


ORDINAL_CUTPOINTS = (-2.0, -0.7, 0.7, 2.0)


def ordinal_location(x: Tensor) -> Tensor:
    """The latent location of :func:`ordinal_1d`: ``eta[x] = 3 sin(1.5 (x - 1))``, in (-3, 3)."""
    return 3.0 * torch.sin(1.5 * (x - 1.0))


def ordinal_1d(
    num_points: int = 100,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Ratings ``0..4``: a latent ``eta[x] + logistic noise`` cut at :data:`ORDINAL_CUTPOINTS`.

    ``y`` counts the cutpoints ``(-2, -0.7, 0.7, 2)`` below the latent value, so
    ``Pr(y <= k - 1 | x) = sig[c_k - eta[x]]`` exactly (the cumulative logit model).
    ``y`` holds class indices (int64).
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    u = torch.rand(num_points, generator=g, dtype=torch.float64)
    latent = ordinal_location(x[:, 0].double()) + torch.log(u) - torch.log1p(-u)
    cut = torch.tensor(ORDINAL_CUTPOINTS, dtype=torch.float64)
    return _placed(x, (latent.unsqueeze(1) > cut).sum(dim=1), device)


def tag_probabilities(x: Tensor) -> Tensor:
    """``Pr(tag_l = 1 | x)`` of :func:`multilabel_1d`, shape ``(N, 3)`` for ``x`` ``(N,)``.

    Tag 0 ``sig[3 (x - 1)]``; tag 1, a near copy of tag 0, ``0.9 p_0 + 0.05``; tag 2
    ``0.2 + 0.6 sig[-3 (x - 1)]``.
    """
    x = x.reshape(-1)
    p0 = torch.sigmoid(3.0 * (x - 1.0))
    return torch.stack([p0, 0.9 * p0 + 0.05, 0.2 + 0.6 * torch.sigmoid(-3.0 * (x - 1.0))], dim=1)


def multilabel_1d(
    num_points: int = 300,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Three 0/1 tags per example, ``y`` of shape ``(N, 3)`` in ``dtype``.

    Tag 0 is drawn with probability ``sig[3 (x - 1)]``; tag 1 copies tag 0 nine times
    in ten and is a fair coin otherwise (so it is strongly dependent on tag 0 even
    given ``x``); tag 2 is drawn on its own.  The marginals are
    :func:`tag_probabilities`.
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    p = tag_probabilities(x[:, 0].double())
    u = torch.rand(num_points, 4, generator=g, dtype=torch.float64)
    tag0 = u[:, 0] < p[:, 0]
    tag1 = torch.where(u[:, 1] < 0.9, tag0, u[:, 2] < 0.5)
    tag2 = u[:, 3] < p[:, 2]
    return _placed(x, torch.stack([tag0, tag1, tag2], dim=1).to(x.dtype), device)


def item_scores(x: Tensor) -> Tensor:
    """The true Plackett-Luce scores of :func:`rankings_1d`, shape ``(N, 4)`` for ``x`` ``(N,)``.

    ``(2 - 2x, 0.5, 2x - 2, sin(3x))``, shifted to mean 0 across the items: the
    best item changes with ``x``.
    """
    x = x.reshape(-1)
    s = torch.stack([2.0 - 2.0 * x, torch.full_like(x, 0.5), 2.0 * x - 2.0, torch.sin(3.0 * x)], 1)
    return s - s.mean(dim=1, keepdim=True)


def rankings_1d(
    num_points: int = 200,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Full rankings of 4 items, best first, ``y`` of shape ``(N, 4)`` (int64).

    Each ranking is drawn from the Plackett-Luce distribution with the scores
    :func:`item_scores` by the Gumbel trick: sort ``s_i + G_i`` in decreasing order,
    ``G_i`` independent standard Gumbel.
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    u = torch.rand(num_points, 4, generator=g, dtype=torch.float64)
    gumbel = -torch.log(-torch.log(u))
    return _placed(
        x, (item_scores(x[:, 0].double()) + gumbel).argsort(dim=1, descending=True), device
    )


def mean_waiting_time(x: Tensor) -> Tensor:
    """The mean of :func:`waiting_times_1d` at ``x``: ``1 + 2 x^2`` (minutes, say)."""
    return 1.0 + 2.0 * x**2


#: The shape ``alpha`` of every waiting time in :func:`waiting_times_1d`.
WAITING_SHAPE = 2.0


def waiting_times_1d(
    num_points: int = 200,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Positive waiting times: ``y ~ Gamma(alpha = 2, rate = alpha / m[x])``.

    The mean ``m[x] = 1 + 2x^2`` is :func:`mean_waiting_time`; the shape ``alpha``
    is :data:`WAITING_SHAPE`, so the standard deviation ``m[x] / sqrt(2)`` grows with
    the mean.  Every ``y`` is positive.
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    rate = WAITING_SHAPE / mean_waiting_time(x[:, 0].double())
    # a Gamma(2) draw is the sum of two unit exponentials, each -log(uniform)
    u = torch.rand(num_points, 2, generator=g, dtype=torch.float64)
    draws = -torch.log1p(-u).sum(dim=1)
    return _placed(x, (draws / rate).to(x.dtype), device)


def mean_proportion(x: Tensor) -> Tensor:
    """The mean of :func:`proportions_1d` at ``x``: ``sig[2x - 2]``, from 0.12 to 0.88."""
    return torch.sigmoid(2.0 * x - 2.0)


#: The concentration ``alpha + beta`` of every proportion in :func:`proportions_1d`.
PROPORTION_CONCENTRATION = 20.0


def proportions_1d(
    num_points: int = 200,
    seed: int = 0,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor]:
    """Proportions in ``(0, 1)``: ``y ~ Beta(kappa m[x], kappa (1 - m[x]))``, ``kappa = 20``.

    ``m[x]`` is :func:`mean_proportion` and ``kappa`` is
    :data:`PROPORTION_CONCENTRATION`.  Drawn as ``G_1 / (G_1 + G_0)`` from two Gamma
    draws (:func:`_gamma_draws`, from the data set's own generator).
    """
    g = _generator(seed)
    x = _inputs(num_points, g, dtype)
    m = mean_proportion(x[:, 0].double())
    kappa = PROPORTION_CONCENTRATION
    g1 = _gamma_draws(kappa * m, g)
    g0 = _gamma_draws(kappa * (1.0 - m), g)
    y = g1 / (g1 + g0)
    return _placed(x, y.clamp(1e-6, 1.0 - 1e-6).to(x.dtype), device)
