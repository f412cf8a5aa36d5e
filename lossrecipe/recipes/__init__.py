"""Recipes: a distribution over the output domain, its links, its loss, its prediction.

One module per output domain, on the common base in :mod:`.base`:

- :mod:`.real`: ``Gaussian``, ``HeteroscedasticGaussian``, ``Laplace``;
- :mod:`.classes`: ``Bernoulli``, ``Categorical``;
- :mod:`.counts`: ``Poisson``;
- :mod:`.circular`: ``VonMises``;
- :mod:`.mixture`: ``GaussianMixture``;
- :mod:`.independent`: ``Independent`` (several outputs at once).

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
from .real import Gaussian, HeteroscedasticGaussian, Laplace

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
    "normal_nll",
    "reduce_terms",
]
