"""Recipes: a distribution over the output domain, its links, its loss, its prediction.

One module per output domain, on the common base in :mod:`.base`:

- :mod:`.real`: ``Gaussian``, ``HeteroscedasticGaussian``, ``Laplace``, ``StudentT``;
- :mod:`.classes`: ``Bernoulli``, ``Categorical``;
- :mod:`.counts`: ``Poisson``;
- :mod:`.circular`: ``VonMises``;
- :mod:`.mixture`: ``GaussianMixture``;
- :mod:`.independent`: ``Independent`` (several outputs at once);
- :mod:`.positive`: ``Gamma`` (positive outputs);
- :mod:`.proportions`: ``Beta`` (proportions in (0, 1)).

Each recipe's ``nll_terms`` writes the closed form the book derives, in a numerically
stable form; the tests check it against ``torch.distributions`` and PyTorch's losses.
"""

from ._numerics import normal_nll
from .base import Parameter, Recipe, Reduction, reduce_terms
from .circular import VonMises
from .classes import Bernoulli, Categorical
from .counts import Poisson
from .independent import Independent
from .mixture import GaussianMixture
from .positive import Gamma
from .proportions import Beta
from .real import Gaussian, HeteroscedasticGaussian, Laplace, StudentT

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
    "StudentT",
    "Gamma",
    "Beta",
    "normal_nll",
    "reduce_terms",
]
