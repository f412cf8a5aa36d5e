"""Shared test helpers: dtypes and tolerances, value-and-gradient, the plotting backend."""

import matplotlib
import pytest
import torch

# Plotting tests draw off screen; set the backend before anything imports pyplot.
matplotlib.use("Agg")

DTYPES = [torch.float32, torch.float64]
# Tolerances for comparing two float implementations of the same formula.
TOL = {torch.float32: dict(rtol=1e-5, atol=1e-5), torch.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request):
    return request.param


def tol(dtype):
    return TOL[dtype]


def scaled(dtype, scale):
    """Tolerances for values whose float rounding error is relative to ``scale``."""
    return dict(rtol=tol(dtype)["rtol"], atol=tol(dtype)["atol"] * max(1.0, scale))


def grad_of(fn, outputs):
    """``fn(outputs)`` and the gradient of its sum with respect to ``outputs``."""
    outputs = outputs.detach().clone().requires_grad_(True)
    value = fn(outputs)
    (grad,) = torch.autograd.grad(value.sum(), outputs)
    return value.detach(), grad


def reduce(terms, reduction):
    """``terms`` summed, averaged or kept, as a recipe's ``reduction`` does."""
    return {"sum": terms.sum, "mean": terms.mean, "none": lambda: terms}[reduction]()


def generator(seed):
    return torch.Generator().manual_seed(seed)
