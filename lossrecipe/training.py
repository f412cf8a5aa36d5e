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
from .validation import check_inputs, check_positive, check_positive_integer

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
    ``loss(outputs, y)``, if given, replaces the mean NLL as the objective (for
    example a weighted NLL such as :func:`~lossrecipe.beta_nll`).  ``model``, ``x``
    and ``y`` may live on any device (the same one).

    Returns the loss before each step: a list of ``steps`` floats.  Bad ``x`` or
    ``y`` raises ``ValueError`` before training starts: they are checked once, and
    the steps then use ``recipe.with_validation(False)``; a run whose loss becomes
    NaN or infinite (as it does once the weights or the outputs do) raises
    ``RuntimeError`` naming the step.
    """
    check_positive_integer("steps", steps)
    check_positive("lr", lr)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: expected one of {OPTIMIZERS}, got {optimizer!r}")
    if batch_size is not None:
        check_positive_integer("batch_size", batch_size)
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


def _check_data(model: nn.Module, recipe: Recipe, x: Tensor, y: Tensor) -> None:
    """Check ``x`` (finite numbers, one row per example) and ``y`` (the recipe's support).

    ``y`` is checked against an empty stand-in for the network's outputs, of the
    shape and dtype the network will produce, so no forward pass is spent on it.
    """
    x = check_inputs(x)
    weights = next(iter(model.parameters()), None)
    dtype = x.dtype if weights is None else weights.dtype
    stand_in = x.new_empty((x.shape[0], recipe.num_outputs), dtype=dtype)
    recipe.with_validation(True).check_targets(y, stand_in)
