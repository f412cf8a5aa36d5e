"""lossrecipe: build a loss from a distribution.

Choose a distribution over the output, let a network predict its parameters
through links, minimise the negative log-likelihood, predict the distribution
or its peak.  See the book *Loss functions from first principles*.

``lossrecipe.data``, ``lossrecipe.datasets``, ``lossrecipe.metrics`` and
``lossrecipe.plotting`` are imported on first use (plotting brings matplotlib, a good
part of a second; datasets reads its files only when a loader is called).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from . import beta_nll as _beta_nll
from . import distributions, links, models, optimizers, recipes, training, validation
from .beta_nll import beta_nll
from .models import MLP, ShallowNet
from .recipes import (
    Bernoulli,
    Beta,
    Categorical,
    Gamma,
    Gaussian,
    GaussianMixture,
    HeteroscedasticGaussian,
    Independent,
    Laplace,
    MultivariateGaussian,
    NegativeBinomial,
    Ordinal,
    Parameter,
    PlackettLuce,
    Poisson,
    Quantile,
    Recipe,
    StudentT,
    VonMises,
    ZeroInflatedPoisson,
)
from .training import fit

if TYPE_CHECKING:
    from . import data, datasets, metrics, plotting

_LAZY = ("data", "datasets", "metrics", "plotting")

__all__ = [
    *recipes.__all__,
    *models.__all__,
    *training.__all__,
    *_beta_nll.__all__,
    "data",
    "datasets",
    "distributions",
    "links",
    "metrics",
    "optimizers",
    "plotting",
    "validation",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> ModuleType:
    """``lossrecipe.data``, ``.datasets``, ``.metrics`` and ``.plotting``, on first use."""
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
