"""The registry of recipe instances every contract check runs on, and how a batch is drawn.

It imports only ``torch`` and ``lossrecipe``, so the install test
(``tests/install/``) can load it by path in an environment that has the installed
wheel and no view of this repository.  To test a new recipe, add one instance to
``REGISTRY`` (more than one when its settings change the layout or the link).
"""

import torch

import lossrecipe as lr

REGISTRY = [
    lr.Gaussian(sigma=0.7),
    lr.HeteroscedasticGaussian(link="softplus"),
    lr.HeteroscedasticGaussian(link="exp"),
    lr.HeteroscedasticGaussian(link="square"),
    lr.Bernoulli(),
    lr.Categorical(num_classes=1),
    lr.Categorical(num_classes=4),
    lr.Poisson(),
    lr.Laplace(scale=0.5),
    lr.Quantile(quantile=0.2, scale=0.5),
    lr.Quantile(quantile=0.9),
    lr.VonMises(concentration=3.0),
    lr.GaussianMixture(num_components=1),
    lr.GaussianMixture(num_components=3, link="exp"),
    lr.Independent(lr.HeteroscedasticGaussian(), num_dims=2),
    lr.Independent(lr.Bernoulli(), num_dims=3),
    lr.Independent(lr.Categorical(3), num_dims=2),
    lr.Independent(lr.Poisson(), num_dims=2),
    lr.Independent(lr.GaussianMixture(2), num_dims=2),
    lr.MultivariateGaussian(num_dims=1),
    lr.MultivariateGaussian(num_dims=3),
    lr.MultivariateGaussian(num_dims=2, link="exp"),
    lr.Ordinal(num_classes=2),
    lr.Ordinal(num_classes=5),
    lr.Independent(lr.Ordinal(3), num_dims=2),
    lr.PlackettLuce(num_items=1),
    lr.PlackettLuce(num_items=4),
    lr.StudentT(df=4.0),
    lr.StudentT(df=2.5, link="square"),
    lr.StudentT(df=None),
    lr.StudentT(df=None, link="exp"),
    lr.Independent(lr.StudentT(df=None), num_dims=2),
    lr.Gamma(),
    lr.Gamma(link="exp"),
    lr.Beta(),
    lr.Beta(link="exp"),
    lr.NegativeBinomial(),
    lr.NegativeBinomial(link="exp"),
    lr.NegativeBinomial(link="square"),
    lr.ZeroInflatedPoisson(),
    lr.Independent(lr.NegativeBinomial(), num_dims=2),
    lr.Independent(lr.ZeroInflatedPoisson(), num_dims=2),
]

N = 48


def base_recipe(recipe):
    """The recipe an ``Independent`` wraps, or the recipe itself."""
    return recipe.recipe if isinstance(recipe, lr.Independent) else recipe


def base_support(recipe):
    """The support of one target entry (an ``independent`` support unwrapped)."""
    support = recipe.support
    while isinstance(support, torch.distributions.constraints.independent):
        support = support.base_constraint
    return support


def _into_range(recipe, y, dtype):
    """Samples moved into what ``dtype`` can hold of the recipe's support.

    Draws from a positive or (0, 1) support can fall below float32's smallest normal
    number (or round to 1), and real draws with a Student-t's tiny ``nu`` reach 1e30 and
    beyond, where torch's own log-density (which squares ``(y - mu) / s``) overflows;
    neither is what a comparison is about.
    """
    support, info = base_support(recipe), torch.finfo(dtype)
    if support is torch.distributions.constraints.real:
        return y.clamp(-1e3, 1e3)
    if support is torch.distributions.constraints.positive:
        return y.clamp(min=info.tiny)
    if support is lr.validation.open_unit_interval:
        return y.clamp(info.tiny, 1.0 - info.eps)
    return y


def draw_batch(recipe, dtype, seed=0, device="cpu", n=N, scale=1.0):
    """Raw outputs ``(n, num_outputs)`` (standard normal times ``scale``) and targets drawn
    from the distribution they predict.

    Both are drawn in float64 on the CPU, then rounded to ``dtype`` and moved to
    ``device``: the float32 and float64 runs of a check see the same numbers up to that
    rounding, and every device sees the same numbers.
    """
    g = torch.Generator().manual_seed(seed)
    outputs = scale * torch.randn(n, recipe.num_outputs, generator=g, dtype=torch.float64)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        y = recipe.distribution(outputs).sample()
    y = y if y.dtype == torch.long else _into_range(recipe, y, dtype).to(dtype)
    return outputs.to(dtype).to(device), y.to(device)
