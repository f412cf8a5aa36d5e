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


def _into_range(recipe, y, dtype):
    """Samples moved into what ``dtype`` can hold for the recipe's support.

    Gamma and Beta draws with a concentration near 0.05 fall below float32's smallest
    normal number (or round to 1 - 2^-24 and then to 1), and Student-t draws with
    ``nu`` near 0.05 reach 1e30 and beyond, where torch's own log-density (which squares
    ``(y - mu) / s``) overflows; neither is what the comparison is about.
    """
    inner = base_recipe(recipe)
    info = torch.finfo(dtype)
    if isinstance(inner, lr.StudentT):
        return y.clamp(-1e3, 1e3)
    if isinstance(inner, lr.Gamma):
        return y.clamp(min=info.tiny)
    if isinstance(inner, lr.Beta):
        return y.clamp(info.tiny, 1.0 - info.eps)
    return y


def draw_batch(recipe, dtype, seed=0, device="cpu"):
    """Raw outputs ``(N, num_outputs)`` and targets drawn from the predicted distribution.

    Both are drawn in float64 on the CPU, then rounded to ``dtype`` and moved to
    ``device``: the float32 and float64 runs of a check see the same numbers up to that
    rounding, and every device sees the same numbers.
    """
    g = torch.Generator().manual_seed(seed)
    outputs = torch.randn(N, recipe.num_outputs, generator=g, dtype=torch.float64)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        y = recipe.distribution(outputs).sample()
    y = y if y.dtype == torch.long else _into_range(recipe, y, dtype).to(dtype)
    return outputs.to(dtype).to(device), y.to(device)
