"""Seeded, deterministic training by minimising a recipe's NLL, full batch or in mini-batches."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Literal

import torch
from torch import Tensor, nn

from .models import reset_parameters
from .optimizers import SGD, Adam
from .recipes import Recipe
from .validation import (
    check_choice,
    check_inputs,
    check_positive,
    check_positive_integer,
    check_seed,
)

__all__ = ["fit"]

Optimizer = Literal["adam", "sgd"]
OPTIMIZERS: tuple[Optimizer, ...] = ("adam", "sgd")


def fit(
    model: nn.Module,
    recipe: Recipe,
    x: Tensor,
    y: Tensor,
    steps: int = 2000,
    lr: float = 0.05,
    seed: int | None = 0,
    optimizer: Optimizer = "adam",
    loss: Callable[[Tensor, Tensor], Tensor] | None = None,
    batch_size: int | None = None,
) -> list[float]:
    """Minimise the mean NLL ``(1/B) sum_i -log Pr(y_i | f[x_i, phi])`` over ``phi``.

    By default every step uses the whole training set (full batch, ``B = N``).  With
    ``batch_size=B`` each step uses the next ``B`` examples of a random order of the
    training set, drawn again for every pass through it (the last batch of a pass is
    smaller when ``B`` does not divide ``N``); the order comes from a generator of
    its own, seeded by ``seed``, and each batch keeps its examples in their original
    order, so ``batch_size=N`` is full-batch training, bit for bit.  With an integer
    ``seed`` the global torch generator is seeded and every layer of ``model`` is
    re-initialised first, with the first layer's ReLU kinks between neighbouring
    training inputs (:func:`~lossrecipe.models.reset_parameters`), so the result depends only on
    ``seed``, the data and the settings, not on what ``model`` held before.  With
    ``seed=None`` training continues from the current weights (and the batch order is
    drawn from the global generator).  ``optimizer`` is
    ``"adam"`` or ``"sgd"`` (:mod:`~lossrecipe.optimizers`: the updates of
    ``torch.optim.Adam`` and ``torch.optim.SGD`` with their defaults, bit for bit).
    ``loss(outputs, y)``, if given, replaces the mean NLL as the objective; it must
    return a scalar (for example the mean beta-NLL,
    ``loss=lambda o, t: lr.beta_nll(recipe, o, t, beta=0.5, reduction="mean")``).
    ``model``, ``x`` and ``y`` may live on any device (the same one), and ``x`` has the
    dtype of the model's weights.

    Returns the loss before each step: a list of ``steps`` floats.  Every argument is
    checked before training starts (a ``ValueError`` naming it): ``x`` and ``y`` once,
    after which the steps use ``recipe.with_validation(False)``.  A run whose loss
    becomes NaN or infinite (as it does once the weights or the outputs do) raises
    ``RuntimeError`` naming the step.
    """
    steps = check_positive_integer("steps", steps)
    lr = check_positive("lr", lr)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)  # type: ignore[assignment]
    if batch_size is not None:
        batch_size = check_positive_integer("batch_size", batch_size)
    if seed is not None:
        seed = check_seed("seed", seed)
    if loss is not None and not callable(loss):
        raise ValueError(f"loss: expected a function of (outputs, y), got {loss!r}")
    _check_data(model, recipe, x, y)
    if seed is not None:
        torch.manual_seed(seed)
        reset_parameters(model, x)
    batches = _batches(len(x), batch_size, seed, x.device)
    unchecked = recipe.with_validation(False)
    objective = loss or (lambda outputs, targets: unchecked.nll(outputs, targets, reduction="mean"))
    params = list(model.parameters())
    opt = Adam(params, lr) if optimizer == "adam" else SGD(params, lr)
    history: list[float] = []
    model.train()
    for step in range(steps):
        opt.zero_grad()
        index = next(batches)
        inputs, targets = (x, y) if index is None else (x[index], y[index])
        value = objective(model(inputs), targets)
        if not isinstance(value, Tensor) or value.dim() != 0:
            shape = tuple(value.shape) if isinstance(value, Tensor) else type(value).__name__
            raise ValueError(f"loss: expected a scalar tensor, got {shape}")
        history.append(float(value.detach()))
        if not math.isfinite(history[-1]):
            raise RuntimeError(
                f"training diverged at step {step}: the loss is {history[-1]}; "
                f"try a smaller lr than {lr}"
            )
        value.backward()
        opt.step()
    model.eval()
    return history


def _batches(
    num_examples: int, batch_size: int | None, seed: int | None, device: torch.device
) -> Iterator[Tensor | None]:
    """The indices of each step's batch, without end: ``None`` for the full batch.

    Each pass through the data is a random permutation of ``0..N-1`` from a CPU
    generator of its own (seeded by ``seed``, or from the global generator when it is
    ``None``), cut into consecutive runs of ``batch_size``; each run is sorted, so a
    batch of all ``N`` examples is the data in their own order.
    """
    if batch_size is None:
        while True:
            yield None
    if seed is None:
        seed = int(torch.randint(0, 2**62, (1,)))
    generator = torch.Generator().manual_seed(seed)
    while True:
        order = torch.randperm(num_examples, generator=generator)
        for start in range(0, num_examples, batch_size):
            yield order[start : start + batch_size].sort().values.to(device)


def _check_data(model: object, recipe: object, x: object, y: object) -> None:
    """Check the model, the recipe, ``x`` (finite numbers, at least one row, the weights'
    dtype) and ``y`` (the recipe's support, one target per row of ``x``), once."""
    if not isinstance(model, nn.Module):
        raise ValueError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(recipe, Recipe):
        raise ValueError(f"recipe: expected a Recipe instance, got {type(recipe).__name__}")
    x = check_inputs(x)
    weights = next(iter(model.parameters()), None)
    if weights is not None and x.dtype != weights.dtype:
        raise ValueError(
            f"x: expected dtype {weights.dtype}, the dtype of the model's weights, got "
            f"{x.dtype}; convert one of them (x.to({weights.dtype}) or model.to({x.dtype}))"
        )
    recipe.with_validation(True).check_targets(y, x.shape[:1], x.dtype)  # type: ignore[arg-type]
