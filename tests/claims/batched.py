"""Train one network per seed, all seeds in one batched loop, as ``lr.fit`` trains each.

The claims retrain a chapter's small networks for every seed in ``SEEDS``.  One at a time,
each step of such a network costs little arithmetic and a lot of per-operation overhead,
so ten seeds cost ten times the overhead.  :func:`fit_seeds` stacks the ten networks'
parameters (``torch.func.stack_module_state``), runs the forward pass of all of them at
once (``torch.func.vmap`` of ``functional_call``) and minimises the *sum* over seeds of
each seed's mean NLL.  The gradient of that sum with respect to seed ``s``'s weights is
the gradient of seed ``s``'s own mean NLL, and Adam updates each weight from its own
gradient alone, so every network follows the path that
``lr.fit(net, recipe, x_s, y_s, steps=steps, lr=lr, seed=s)`` gives it, up to rounding
(``tests/claims/test_batched.py`` checks that).  Each network is initialised as
``lr.fit`` initialises it: ``torch.manual_seed(s)``, then
``lossrecipe.models.reset_parameters(net, x_s)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.func import functional_call, stack_module_state, vmap

import lossrecipe as lr
from lossrecipe.models import reset_parameters
from lossrecipe.optimizers import Adam

SEEDS = range(10)


class Fitted(NamedTuple):
    """A trained network and its mean NLL before each step, as ``lr.fit`` returns it."""

    net: nn.Module
    history: list[float]


def fit_seeds(
    make_net: Callable[[], nn.Module],
    recipe: lr.Recipe,
    data: Callable[[int], tuple[Tensor, Tensor]],
    *,
    steps: int,
    lr: float,
    seeds: Iterable[int] = SEEDS,
    after_init: Callable[[nn.Module, Tensor, Tensor], None] | None = None,
) -> dict[int, Fitted]:
    """For each seed ``s``: a fresh ``make_net()`` trained on ``data(s)`` as ``lr.fit`` would.

    ``data(s)`` returns ``(x_s, y_s)``; every seed's data must have the same shapes.
    Adam, full batch, ``steps`` steps of learning rate ``lr``.  ``after_init(net, x, y)``,
    if given, changes a network's initial weights (under ``torch.no_grad``) before
    training, as a chapter does that re-draws the weights itself and then calls
    ``lr.fit(..., seed=None)``.  Raises ``RuntimeError``
    when a seed's loss becomes NaN or infinite, as ``lr.fit`` does.
    """
    seeds = list(seeds)
    pairs = [data(seed) for seed in seeds]
    nets = [make_net() for _ in seeds]
    for net, (x, _), seed in zip(nets, pairs, seeds, strict=True):
        torch.manual_seed(seed)
        reset_parameters(net, x)
    if after_init is not None:
        with torch.no_grad():
            for net, (x, y) in zip(nets, pairs, strict=True):
                after_init(net, x, y)
    stacked, buffers = stack_module_state(nets)
    params = {name: nn.Parameter(value) for name, value in stacked.items()}
    xs = torch.stack([x for x, _ in pairs])
    ys = torch.stack([y for _, y in pairs])
    num_seeds, num_examples = ys.shape[:2]
    template = nets[0]
    forward = vmap(lambda p, b, x: functional_call(template, (p, b), (x,)))
    unchecked = recipe.with_validation(False)
    opt = Adam(params.values(), lr)
    histories: list[list[float]] = [[] for _ in seeds]
    for step in range(steps):
        opt.zero_grad()
        outputs = forward(params, buffers, xs).flatten(0, 1)
        losses = unchecked.nll(outputs, ys.flatten(0, 1), reduction="none")
        means = losses.reshape(num_seeds, num_examples).mean(dim=1)
        for history, value in zip(histories, means.tolist(), strict=True):
            if not math.isfinite(value):
                raise RuntimeError(f"training diverged at step {step}: the loss is {value}")
            history.append(value)
        means.sum().backward()
        opt.step()
    with torch.no_grad():
        for s, net in enumerate(nets):
            for name, param in net.named_parameters():
                param.copy_(params[name][s])
            net.eval()
    return {
        seed: Fitted(net, history)
        for seed, net, history in zip(seeds, nets, histories, strict=True)
    }
