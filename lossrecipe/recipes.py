"""Recipes: a distribution over the output domain, its links, its loss, its prediction.

The recipe for building a loss function has four steps:

1. choose a distribution ``Pr(y | theta)`` over the domain of the output ``y``;
2. let the network ``f[x, phi]`` predict ``theta``, passing each raw output
   through a link that respects the parameter's constraint;
3. train by minimising the negative log-likelihood
   ``L[phi] = -sum_i log Pr(y_i | theta_i)``, ``theta_i`` computed from ``f[x_i, phi]``;
4. infer by returning the whole distribution, or the ``y`` where it peaks.

A :class:`Recipe` declares step 1 as :meth:`Recipe.distribution`, step 2 as its
tuple of :class:`Parameter` (each with a link and a number of raw columns),
step 3 as :meth:`Recipe.nll` and step 4 as :meth:`Recipe.predict`.  ``nll``
writes the closed form the book derives, in a numerically stable form; the
tests check it against PyTorch's own losses and ``torch.distributions``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import Distribution

from .links import POSITIVE_LINKS, Exp, Identity, Link, PositiveLink, Sigmoid, Softmax
from .validation import (
    check_binary_targets,
    check_class_targets,
    check_count_targets,
    check_outputs,
    check_positive,
    check_positive_integer,
    check_real_targets,
    check_reduction,
    check_target_shape,
)

__all__ = [
    "Parameter",
    "Recipe",
    "Gaussian",
    "HeteroscedasticGaussian",
    "Bernoulli",
    "Categorical",
    "Poisson",
    "Laplace",
    "VonMises",
    "GaussianMixture",
    "Independent",
    "normal_nll",
    "reduce_terms",
]

LOG_2PI = math.log(2.0 * math.pi)


def normal_nll(
    y: Tensor, mean: Tensor, variance: Tensor | float, log_variance: Tensor | float
) -> Tensor:
    """``-log Norm_y[mu, sigma^2] = ((y - mu)^2 / sigma^2 + log sigma^2 + log 2 pi) / 2``.

    ``log_variance`` is passed in, so each caller supplies it from a stable source
    (a link's ``log``, or ``log sigma^2`` of a fixed ``sigma``).
    """
    return 0.5 * ((y - mean) ** 2 / variance + log_variance + LOG_2PI)


def reduce_terms(terms: Tensor, reduction: str) -> Tensor:
    """Per-example loss terms, summed (``"sum"``), averaged (``"mean"``) or kept (``"none"``)."""
    if reduction == "sum":
        return terms.sum()
    if reduction == "mean":
        return terms.mean()
    return terms


@dataclass(frozen=True)
class Parameter:
    """One distribution parameter predicted by the network.

    A scalar parameter (``size=None``) takes one raw output column and has shape
    ``(N,)``; a vector parameter takes ``size`` columns, passed through ``link``
    together, and has shape ``(N, size)``.
    """

    name: str
    link: Link
    size: int | None = None

    @property
    def width(self) -> int:
        """How many raw output columns the parameter consumes."""
        return 1 if self.size is None else self.size


class Recipe(ABC):
    """A loss built from a distribution: declare the parameters, write the NLL and the mode."""

    parameters: tuple[Parameter, ...] = ()

    @property
    def num_outputs(self) -> int:
        """How many raw outputs the network must produce per example."""
        return sum(p.width for p in self.parameters)

    def raw(self, outputs: Tensor) -> dict[str, Tensor]:
        """Split validated ``(N, num_outputs)`` outputs into each parameter's raw columns."""
        outputs = check_outputs(outputs, self.num_outputs)
        widths = [p.width for p in self.parameters]
        blocks = torch.split(outputs, widths, dim=1) if len(widths) > 1 else (outputs,)
        return {
            p.name: block.squeeze(1) if p.size is None else block
            for p, block in zip(self.parameters, blocks, strict=True)
        }

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        """The distribution's parameters ``theta``: each raw block through its link."""
        raw = self.raw(outputs)
        return {p.name: p.link(raw[p.name]) for p in self.parameters}

    @abstractmethod
    def distribution(self, outputs: Tensor) -> Distribution:
        """The predicted distribution ``Pr(y | theta)``, one per example (batch shape ``(N,)``)."""

    def nll(self, outputs: Tensor, y: Tensor, reduction: str = "sum") -> Tensor:
        """The negative log-likelihood ``-sum_i log Pr(y_i | theta_i)``.

        ``reduction="sum"`` returns the sum over examples, ``"mean"`` the mean and
        ``"none"`` the ``(N,)`` vector of per-example terms.
        """
        check_reduction(reduction)
        raw = self.raw(outputs)
        y = self.check_targets(y, outputs)
        return reduce_terms(self.nll_terms(raw, y), reduction)

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        """Validate ``y`` against the support and the batch; return it ready for ``nll_terms``.

        By default the support is the real line: one finite number per example.
        """
        return check_real_targets(y, outputs)

    @abstractmethod
    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        """Per-example ``-log Pr(y_i | theta_i)`` from the raw outputs, in a stable form."""

    @abstractmethod
    def predict(self, outputs: Tensor) -> Tensor:
        """The most probable output ``argmax_y Pr(y | theta)`` for each example, shape ``(N,)``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Gaussian(Recipe):
    """Regression with a fixed standard deviation ``sigma``: one output, the mean.

    ``Pr(y | mu) = exp(-(y - mu)^2 / (2 sigma^2)) / sqrt(2 pi sigma^2)`` and
    ``-log Pr(y | mu) = (y - mu)^2 / (2 sigma^2) + log(2 pi sigma^2) / 2``:
    least squares, scaled and shifted by constants that do not depend on ``mu``.
    """

    def __init__(self, sigma: float = 1.0) -> None:
        self.sigma = check_positive("sigma", sigma)
        self.parameters = (Parameter("mean", Identity()),)

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        mean = super().params(outputs)["mean"]
        return {"mean": mean, "variance": torch.full_like(mean, self.sigma**2)}

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        mean = self.params(outputs)["mean"]
        return torch.distributions.Normal(mean, torch.full_like(mean, self.sigma))

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        variance = self.sigma**2
        return normal_nll(y, raw["mean"], variance, math.log(variance))

    def predict(self, outputs: Tensor) -> Tensor:
        return self.params(outputs)["mean"]

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma!r})"


class HeteroscedasticGaussian(Recipe):
    """Regression whose noise depends on ``x``: two outputs, the mean and the variance.

    ``mu = f_1[x, phi]`` (identity link) and ``sigma^2 = h[f_2[x, phi]]`` for a
    positive link ``h`` (``"softplus"``, ``"square"`` or ``"exp"``), and
    ``-log Pr(y | mu, sigma^2) = (y - mu)^2 / (2 sigma^2) + log(sigma^2) / 2 + log(2 pi) / 2``,
    with ``log sigma^2`` taken from the link's stable ``log``.
    """

    def __init__(self, link: str = "softplus") -> None:
        if link not in POSITIVE_LINKS:
            raise ValueError(f"link: expected one of {sorted(POSITIVE_LINKS)}, got {link!r}")
        self.link_name = link
        self.variance_link: PositiveLink = POSITIVE_LINKS[link]()
        self.parameters = (
            Parameter("mean", Identity()),
            Parameter("variance", self.variance_link),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.Normal:
        theta = self.params(outputs)
        return torch.distributions.Normal(theta["mean"], torch.sqrt(theta["variance"]))

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        variance, log_variance = self.variance_link.value_and_log(raw["variance"])
        return normal_nll(y, raw["mean"], variance, log_variance)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.params(outputs)["mean"]

    def __repr__(self) -> str:
        return f"HeteroscedasticGaussian(link={self.link_name!r})"


class Bernoulli(Recipe):
    """Binary classification: one output, the logit ``z``; ``lambda = sig[z]``.

    ``Pr(y | lambda) = lambda^y (1 - lambda)^(1 - y)`` for ``y`` in ``{0, 1}``, so
    ``-log Pr(y | lambda) = -y log sig[z] - (1 - y) log sig[-z]``, the binary
    cross-entropy (using ``1 - sig[z] = sig[-z]``).  Only one of the two terms is
    non-zero, so it equals ``-log sig[s z] = log(1 + exp[-s z])`` with the sign
    ``s = 2y - 1``: one softplus of ``(1 - 2y) z``, exact for both labels at any logit.
    """

    def __init__(self) -> None:
        self.parameters = (Parameter("probability", Sigmoid()),)

    def distribution(self, outputs: Tensor) -> torch.distributions.Bernoulli:
        return torch.distributions.Bernoulli(logits=self.raw(outputs)["probability"])

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_binary_targets(y, outputs)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        z = raw["probability"]
        flipped = torch.addcmul(z, y, z, value=-2.0)  # (1 - 2y) z = -s z, in one pass
        # softplus returns its input above the threshold; at 40 that drops exp(-40).
        return F.softplus(flipped, threshold=40.0)

    def predict(self, outputs: Tensor) -> Tensor:
        z = self.raw(outputs)["probability"]
        return (z > 0).to(z.dtype)


class Categorical(Recipe):
    """Multiclass classification: ``K`` outputs, the logits ``z``; ``lambda = softmax[z]``.

    ``Pr(y = k | lambda) = lambda_k`` and
    ``-log Pr(y | lambda) = -(z_y - log sum_k exp z_k)``, with the log-sum-exp
    computed after subtracting ``max_k z_k`` (``torch.logsumexp``).
    """

    def __init__(self, num_classes: int) -> None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes: expected an integer >= 1, got {num_classes!r}")
        self.num_classes = num_classes
        self.parameters = (Parameter("probabilities", Softmax(), size=num_classes),)

    def distribution(self, outputs: Tensor) -> torch.distributions.Categorical:
        return torch.distributions.Categorical(logits=self.raw(outputs)["probabilities"])

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_class_targets(y, outputs, self.num_classes)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        z = raw["probabilities"]
        z_y = z.gather(1, y.unsqueeze(1)).squeeze(1)
        return torch.logsumexp(z, dim=1) - z_y

    def predict(self, outputs: Tensor) -> Tensor:
        return self.raw(outputs)["probabilities"].argmax(dim=1)

    def __repr__(self) -> str:
        return f"Categorical(num_classes={self.num_classes})"


class Poisson(Recipe):
    """Counts ``y = 0, 1, 2, ...``: one output, the log-rate ``z``; ``lambda = exp z``.

    ``Pr(y | lambda) = lambda^y exp(-lambda) / y!`` and
    ``-log Pr(y | lambda) = lambda - y z + log y!``, with ``log lambda = z`` taken
    from the raw output itself (never ``log(exp z)``) and ``log y! = lgamma(y + 1)``.
    Counts may be given as integers or as whole floating-point numbers.
    """

    def __init__(self) -> None:
        self.parameters = (Parameter("rate", Exp()),)

    def distribution(self, outputs: Tensor) -> torch.distributions.Poisson:
        return torch.distributions.Poisson(self.params(outputs)["rate"])

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        return check_count_targets(y, outputs)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        log_rate = raw["rate"]
        return torch.exp(log_rate) - y * log_rate + torch.lgamma(y + 1.0)

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode ``floor(lambda)``, as a float count.

        When ``lambda`` is a whole number both ``lambda - 1`` and ``lambda`` are
        modes (``Pr(lambda) / Pr(lambda - 1) = lambda / lambda = 1``); this returns
        the larger, ``lambda``.
        """
        return torch.floor(self.params(outputs)["rate"])


class Laplace(Recipe):
    """Regression with L1 loss: one output, the location ``mu``; the scale ``b`` is fixed.

    ``Pr(y | mu) = exp(-|y - mu| / b) / (2b)`` and
    ``-log Pr(y | mu) = |y - mu| / b + log(2b)``: the absolute error, up to the
    constants ``1 / b`` and ``log(2b)`` that do not depend on ``mu``.  The
    prediction is the location, which is the median of the distribution.
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = check_positive("scale", scale)
        self.parameters = (Parameter("location", Identity()),)

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        location = super().params(outputs)["location"]
        return {"location": location, "scale": torch.full_like(location, self.scale)}

    def distribution(self, outputs: Tensor) -> torch.distributions.Laplace:
        theta = self.params(outputs)
        return torch.distributions.Laplace(theta["location"], theta["scale"])

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        return torch.abs(y - raw["location"]) / self.scale + math.log(2.0 * self.scale)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.params(outputs)["location"]

    def __repr__(self) -> str:
        return f"Laplace(scale={self.scale!r})"


def _wrap_angle(angle: Tensor) -> Tensor:
    """``angle`` modulo ``2 pi``, in ``(-pi, pi]``: both ``pi`` and ``-pi`` map to ``pi``.

    Angles already in ``(-pi, pi]`` are returned unchanged, without rounding.
    """
    wrapped = math.pi - torch.remainder(math.pi - angle, 2.0 * math.pi)
    # remainder can round up to exactly 2 pi, which would give -pi.
    wrapped = torch.where(wrapped <= -math.pi, wrapped + 2.0 * math.pi, wrapped)
    return torch.where((angle > -math.pi) & (angle <= math.pi), angle, wrapped)


class VonMises(Recipe):
    """Directions (angles in radians): one output, the mean direction ``mu``; ``kappa`` is fixed.

    ``Pr(y | mu) = exp(kappa cos(y - mu)) / (2 pi I_0(kappa))``, with ``I_0`` the
    modified Bessel function of order 0, so
    ``-log Pr(y | mu) = -kappa cos(y - mu) + log(2 pi) + log I_0(kappa)``.
    It is evaluated as ``2 kappa sin^2((y - mu) / 2) + log(2 pi) + log i0e(kappa)``
    (``1 - cos t = 2 sin^2(t / 2)`` and ``log I_0(kappa) = log i0e(kappa) + kappa``
    with the scaled Bessel function ``i0e(kappa) = exp(-kappa) I_0(kappa)``), which
    neither overflows nor cancels for large ``kappa``.

    Angles are periodic: ``y`` may be any finite real number and ``y + 2 pi k``
    has the same likelihood; the raw output ``mu`` (identity link) is likewise
    meaningful only modulo ``2 pi``.  :meth:`predict` wraps it into ``(-pi, pi]``.
    """

    def __init__(self, concentration: float = 1.0) -> None:
        self.concentration = check_positive("concentration", concentration)
        kappa = torch.tensor(self.concentration, dtype=torch.float64)
        # log(2 pi) + log i0e(kappa): the terms of the NLL that do not depend on mu
        self._constant = LOG_2PI + float(torch.log(torch.special.i0e(kappa)))
        self.parameters = (Parameter("mean_direction", Identity()),)

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        direction = super().params(outputs)["mean_direction"]
        return {
            "mean_direction": direction,
            "concentration": torch.full_like(direction, self.concentration),
        }

    def distribution(self, outputs: Tensor) -> torch.distributions.VonMises:
        theta = self.params(outputs)
        return torch.distributions.VonMises(theta["mean_direction"], theta["concentration"])

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        half_gap = torch.sin(0.5 * (y - raw["mean_direction"]))
        return 2.0 * self.concentration * half_gap**2 + self._constant

    def predict(self, outputs: Tensor) -> Tensor:
        """The mode, the mean direction wrapped into ``(-pi, pi]``."""
        return _wrap_angle(self.params(outputs)["mean_direction"])

    def __repr__(self) -> str:
        return f"VonMises(concentration={self.concentration!r})"


class GaussianMixture(Recipe):
    """Multimodal regression: a mixture of ``K`` Gaussians, ``3K`` outputs.

    The outputs are laid out as ``K`` logits ``z``, then ``K`` means ``mu_k``
    (identity link), then ``K`` raw variances passed through a positive link
    (``"softplus"``, ``"square"`` or ``"exp"``).  The weights are
    ``w = softmax[z]`` and

    ``Pr(y | theta) = sum_k w_k N(y | mu_k, sigma_k^2)``,
    ``-log Pr(y | theta) = -logsumexp_k [log w_k + log N(y | mu_k, sigma_k^2)]``

    with ``log w_k = z_k - logsumexp_j z_j`` and
    ``log N(y | mu, sigma^2) = -((y - mu)^2 / sigma^2 + log sigma^2 + log 2 pi) / 2``,
    ``log sigma^2`` from the link's stable ``log``.  No exponential is taken
    before the log-sum-exp, so components far from ``y`` cannot underflow it.
    """

    FIXED_POINT_STEPS = 30
    NEWTON_STEPS = 8

    def __init__(self, num_components: int, link: str = "softplus") -> None:
        self.num_components = check_positive_integer("num_components", num_components)
        if link not in POSITIVE_LINKS:
            raise ValueError(f"link: expected one of {sorted(POSITIVE_LINKS)}, got {link!r}")
        self.link_name = link
        self.variance_link: PositiveLink = POSITIVE_LINKS[link]()
        k = self.num_components
        self.parameters = (
            Parameter("weights", Softmax(), size=k),
            Parameter("means", Identity(), size=k),
            Parameter("variances", self.variance_link, size=k),
        )

    def distribution(self, outputs: Tensor) -> torch.distributions.MixtureSameFamily:
        raw = self.raw(outputs)
        scales = torch.sqrt(self.variance_link(raw["variances"]))
        return torch.distributions.MixtureSameFamily(
            torch.distributions.Categorical(logits=raw["weights"]),
            torch.distributions.Normal(raw["means"], scales),
        )

    def _log_joint(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        """``log w_k + log N(y | mu_k, sigma_k^2)`` for each component ``k`` (last dimension).

        ``y`` must broadcast against the ``(..., K)`` raw blocks.
        """
        z = raw["weights"]
        log_weights = z - torch.logsumexp(z, dim=-1, keepdim=True)
        variances, log_variances = self.variance_link.value_and_log(raw["variances"])
        return log_weights - normal_nll(y, raw["means"], variances, log_variances)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        return -torch.logsumexp(self._log_joint(raw, y.unsqueeze(-1)), dim=-1)

    def predict(self, outputs: Tensor) -> Tensor:
        """The highest mode of the mixture density, found numerically (no gradient flows).

        There is no closed form: a stationary point solves
        ``sum_k w_k N(y | mu_k, sigma_k^2) (mu_k - y) / sigma_k^2 = 0``, a sum of
        Gaussians times polynomials, which is transcendental in ``y``.  The mode need
        not lie at any component mean (two overlapping components have one mode
        between their means), nor at the mean of the heaviest component (a light,
        narrow component can be the tallest).

        The search starts from every component mean.  ``FIXED_POINT_STEPS`` steps of
        the fixed-point iteration ``y <- sum_k r_k mu_k / sigma_k^2 / sum_k r_k / sigma_k^2``
        (``r_k`` the responsibility of component ``k`` at ``y``; the stationarity
        condition solved for ``y``, i.e. Gaussian mean shift, Carreira-Perpinan 2000)
        climb towards a mode; ``NEWTON_STEPS`` Newton steps on ``log Pr(y)``, each
        kept only where it raises the density, then polish it where the iteration is
        slow (nearly merged components).  Of the ``K`` candidates, the one with the
        largest density wins.  This finds every mode that has a component mean in
        its basin, which is what the tests check against a dense grid; it is not a
        proof that no higher mode exists elsewhere.  Vectorised over examples.
        """
        raw = self.raw(outputs)
        with torch.no_grad():
            # Candidates along dimension 1, components along the last: (N, K, 1) against (N, 1, K).
            blocks = {name: value.detach().unsqueeze(1) for name, value in raw.items()}
            means = blocks["means"]
            variances = self.variance_link(blocks["variances"])
            log_variances = self.variance_link.log(blocks["variances"])
            y = means.transpose(1, 2)
            for _ in range(self.FIXED_POINT_STEPS):
                pull = torch.softmax(self._log_joint(blocks, y) - log_variances, dim=-1)
                y = (pull * means).sum(dim=-1, keepdim=True)
            log_density = torch.logsumexp(self._log_joint(blocks, y), dim=-1, keepdim=True)
            for _ in range(self.NEWTON_STEPS):
                responsibility = torch.softmax(self._log_joint(blocks, y), dim=-1)
                slope_k = (means - y) / variances
                slope = (responsibility * slope_k).sum(dim=-1, keepdim=True)
                curvature = (responsibility * (slope_k**2 - 1.0 / variances)).sum(
                    dim=-1, keepdim=True
                ) - slope**2
                step = torch.where(curvature < 0, -slope / curvature, torch.zeros_like(slope))
                trial = y + step
                trial_log_density = torch.logsumexp(
                    self._log_joint(blocks, trial), dim=-1, keepdim=True
                )
                better = trial_log_density > log_density
                y = torch.where(better, trial, y)
                log_density = torch.where(better, trial_log_density, log_density)
            best = log_density.argmax(dim=1, keepdim=True)
            return y.gather(1, best).reshape(-1)

    def __repr__(self) -> str:
        return f"GaussianMixture(num_components={self.num_components}, link={self.link_name!r})"


def _unflatten(dist: Distribution, shape: tuple[int, ...]) -> Distribution:
    """Rebuild ``dist``, of batch shape ``(M,)``, with batch shape ``shape`` (``M = prod(shape)``).

    Each parameter the distribution was built from (``loc``, ``scale``, ``logits``,
    ``rate``, ...) is reshaped, and the distribution is constructed again from them.
    """
    if isinstance(dist, torch.distributions.MixtureSameFamily):
        return torch.distributions.MixtureSameFamily(
            _unflatten(dist.mixture_distribution, shape),
            _unflatten(dist.component_distribution, shape),
        )
    given = {name: value for name, value in vars(dist).items() if name in dist.arg_constraints}
    if not given:
        raise TypeError(f"cannot reshape a {type(dist).__name__} distribution")
    return type(dist)(**{k: v.reshape(*shape, *v.shape[1:]) for k, v in given.items()})


class Independent(Recipe):
    """``D`` outputs at once, each following the same base recipe, independently.

    ``Pr(y | theta) = prod_d Pr(y_d | theta_d)``, so
    ``-log Pr(y | theta) = sum_d -log Pr(y_d | theta_d)``: the per-example loss is
    the base recipe's loss summed over the ``D`` dimensions.  For example
    ``Independent(HeteroscedasticGaussian(), 2)`` is multivariate regression with
    a diagonal covariance, one mean and one variance per output.

    Layout: ``num_outputs = D * recipe.num_outputs``, in ``D`` consecutive blocks;
    block ``d`` (columns ``d * P`` to ``(d + 1) * P - 1``, ``P = recipe.num_outputs``)
    holds the base recipe's raw outputs for dimension ``d``, in the base recipe's
    own order.  ``y`` has shape ``(N, D)``; :meth:`params` returns each parameter
    with shape ``(N, D)`` (``(N, D, size)`` for vector parameters); :meth:`predict`
    returns ``(N, D)``, the mode of each dimension (independence makes the joint
    mode the vector of the marginal modes).  :attr:`parameters` are those of one
    dimension.
    """

    def __init__(self, recipe: Recipe, num_dims: int) -> None:
        if not isinstance(recipe, Recipe):
            raise ValueError(f"recipe: expected a Recipe instance, got {type(recipe).__name__}")
        if isinstance(recipe, Independent):
            raise ValueError(
                f"recipe: expected a recipe with one target per example, got {recipe!r}; "
                "use a single Independent with more dimensions"
            )
        self.recipe = recipe
        self.num_dims = check_positive_integer("num_dims", num_dims)
        self.parameters = recipe.parameters

    @property
    def num_outputs(self) -> int:
        return self.num_dims * self.recipe.num_outputs

    def _flat(self, outputs: Tensor) -> Tensor:
        """``(N, D * P)`` outputs as ``(N * D, P)``: one row per example and dimension."""
        outputs = check_outputs(outputs, self.num_outputs)
        return outputs.reshape(-1, self.recipe.num_outputs)

    def _unflat(self, values: Tensor, num_examples: int) -> Tensor:
        """Per-row results ``(N * D, ...)`` as ``(N, D, ...)``."""
        return values.reshape(num_examples, self.num_dims, *values.shape[1:])

    def raw(self, outputs: Tensor) -> dict[str, Tensor]:
        flat = self._flat(outputs)
        return {k: self._unflat(v, len(outputs)) for k, v in self.recipe.raw(flat).items()}

    def params(self, outputs: Tensor) -> dict[str, Tensor]:
        flat = self._flat(outputs)
        return {k: self._unflat(v, len(outputs)) for k, v in self.recipe.params(flat).items()}

    def distribution(self, outputs: Tensor) -> torch.distributions.Independent:
        base = self.recipe.distribution(self._flat(outputs))
        return torch.distributions.Independent(_unflatten(base, (len(outputs), self.num_dims)), 1)

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        y = check_target_shape(y, outputs, (self.num_dims,))
        checked = self.recipe.check_targets(y.reshape(-1), self._flat(outputs))
        return checked.reshape(y.shape)

    def nll_terms(self, raw: dict[str, Tensor], y: Tensor) -> Tensor:
        flat_raw = {k: v.reshape(v.shape[0] * v.shape[1], *v.shape[2:]) for k, v in raw.items()}
        terms = self.recipe.nll_terms(flat_raw, y.reshape(-1))
        return terms.reshape(y.shape).sum(dim=1)

    def predict(self, outputs: Tensor) -> Tensor:
        flat = self._flat(outputs)
        return self._unflat(self.recipe.predict(flat), len(outputs))

    def __repr__(self) -> str:
        return f"Independent({self.recipe!r}, num_dims={self.num_dims})"
