"""Recipes: a distribution over the output domain, its links, its loss, its prediction.

One module per output domain, on the common base in :mod:`.base`:

- :mod:`.real`: ``Gaussian``, ``HeteroscedasticGaussian``, ``Laplace``, ``Quantile``;
- :mod:`.classes`: ``Bernoulli``, ``Categorical``, ``Ordinal``;
- :mod:`.counts`: ``Poisson``;
- :mod:`.circular`: ``VonMises``;
- :mod:`.mixture`: ``GaussianMixture``;
- :mod:`.independent`: ``Independent`` (several outputs at once);
- :mod:`.multivariate`: ``MultivariateGaussian`` (correlated outputs).
- :mod:`.rankings`: ``PlackettLuce`` (rankings of items).

Each recipe's ``nll_terms`` writes the closed form the book derives, in a numerically
stable form; the tests check it against ``torch.distributions`` and PyTorch's losses.
"""

from ._numerics import normal_nll
from .base import Parameter, Recipe, Reduction, reduce_terms
from .circular import VonMises
from .classes import Bernoulli, Categorical, Ordinal
from .counts import Poisson
from .independent import Independent
from .mixture import GaussianMixture
from .multivariate import MultivariateGaussian
from .rankings import PlackettLuce, PlackettLuceDistribution
from .real import AsymmetricLaplace, Gaussian, HeteroscedasticGaussian, Laplace, Quantile

__all__ = [
    "Parameter",
    "Recipe",
    "Reduction",
    "Gaussian",
    "HeteroscedasticGaussian",
    "Bernoulli",
    "Categorical",
    "Poisson",
    "Laplace",
    "VonMises",
    "GaussianMixture",
    "Independent",
    "MultivariateGaussian",
    "Ordinal",
    "PlackettLuce",
    "PlackettLuceDistribution",
    "Quantile",
    "AsymmetricLaplace",
    "normal_nll",
    "reduce_terms",
]
