"""Recipes: a distribution over the output domain, its links, its loss, its prediction.

One module per output domain, on the common base in :mod:`.base`:

- :mod:`.real`: ``Gaussian``, ``HeteroscedasticGaussian``, ``Laplace``, ``StudentT``,
  ``Quantile``;
- :mod:`.classes`: ``Bernoulli``, ``Categorical``, ``Ordinal``;
- :mod:`.counts`: ``Poisson``, ``NegativeBinomial``, ``ZeroInflatedPoisson``;
- :mod:`.circular`: ``VonMises``;
- :mod:`.mixture`: ``GaussianMixture``;
- :mod:`.independent`: ``Independent`` (several outputs at once);
- :mod:`.multivariate`: ``MultivariateGaussian`` (correlated outputs);
- :mod:`.rankings`: ``PlackettLuce`` (rankings of items);
- :mod:`.positive`: ``Gamma`` (positive outputs);
- :mod:`.proportions`: ``Beta`` (proportions in (0, 1)).

Each recipe's ``nll_terms`` writes the closed form the book derives, in a numerically
stable form; the tests check it against ``torch.distributions`` and PyTorch's losses.
The distributions of our own that two recipes return live in
:mod:`lossrecipe.distributions`.
"""

from .base import Parameter, Recipe
from .circular import VonMises
from .classes import Bernoulli, Categorical, Ordinal
from .counts import NegativeBinomial, Poisson, ZeroInflatedPoisson
from .independent import Independent
from .mixture import GaussianMixture
from .multivariate import MultivariateGaussian
from .positive import Gamma
from .proportions import Beta
from .rankings import PlackettLuce
from .real import Gaussian, HeteroscedasticGaussian, Laplace, Quantile, StudentT

__all__ = [
    "Parameter",
    "Recipe",
    "Gaussian",
    "HeteroscedasticGaussian",
    "Bernoulli",
    "Categorical",
    "Poisson",
    "NegativeBinomial",
    "ZeroInflatedPoisson",
    "Laplace",
    "VonMises",
    "GaussianMixture",
    "Independent",
    "MultivariateGaussian",
    "Ordinal",
    "PlackettLuce",
    "Quantile",
    "StudentT",
    "Gamma",
    "Beta",
]
