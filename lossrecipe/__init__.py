"""lossrecipe: build a loss from a distribution.

Choose a distribution over the output, let a network predict its parameters
through links, minimise the negative log-likelihood, predict the distribution
or its peak.  See the book *Loss functions from first principles*.
"""

from . import data, datasets, links, metrics, optimizers, plotting, validation
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
    NegativeBinomial,
    Ordinal,
    Parameter,
    PlackettLuce,
    PlackettLuceDistribution,
    Poisson,
    Quantile,
    Recipe,
    StudentT,
    VonMises,
    ZeroInflatedPoisson,
    ZeroInflatedPoissonDistribution,
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
    "NegativeBinomial",
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
    "ZeroInflatedPoisson",
    "ZeroInflatedPoissonDistribution",
    "beta_nll",
    "data",
    "datasets",
    "fit",
    "fit_beta_nll",
    "links",
    "metrics",
    "optimizers",
    "plotting",
    "validation",
]

__version__ = "0.1.0"
