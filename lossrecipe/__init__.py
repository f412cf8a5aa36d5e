"""lossrecipe: build a loss from a distribution.

Choose a distribution over the output, let a network predict its parameters
through links, minimise the negative log-likelihood, predict the distribution
or its peak.  See the book *Loss functions from first principles*.
"""

from . import data, links, metrics, optimizers, plotting, validation
from .beta_nll import beta_nll, fit_beta_nll
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
    Ordinal,
    Parameter,
    PlackettLuce,
    PlackettLuceDistribution,
    Poisson,
    Quantile,
    Recipe,
    StudentT,
    VonMises,
)
from .training import fit

__all__ = [
    "Bernoulli",
    "Beta",
    "Categorical",
    "Gamma",
    "Gaussian",
    "GaussianMixture",
    "HeteroscedasticGaussian",
    "Independent",
    "Laplace",
    "MLP",
    "MultivariateGaussian",
    "Ordinal",
    "Parameter",
    "PlackettLuce",
    "PlackettLuceDistribution",
    "Poisson",
    "Quantile",
    "Recipe",
    "ShallowNet",
    "StudentT",
    "VonMises",
    "beta_nll",
    "data",
    "fit",
    "fit_beta_nll",
    "links",
    "metrics",
    "optimizers",
    "plotting",
    "validation",
]

__version__ = "0.1.0"
