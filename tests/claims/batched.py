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

:func:`fit_further` trains networks on from the weights they hold, as
``lr.fit(..., seed=None)`` does (a fresh Adam): a chapter that trains twice, say 250 steps
at learning rate 0.1 and then 100 at 0.01, calls :func:`fit_seeds` and then
:func:`fit_further`.  Both take ``loss``, the objective ``lr.fit(..., loss=loss)`` takes
in place of the mean NLL, mapped over the seeds by ``vmap`` as the network is: each seed's
value is ``loss(outputs_s, y_s)``.  ``vmap`` cannot run a loss that branches on its
inputs' values, as a recipe's validation does, so hand it a recipe built
``with_validation(False)``, as ``lr.fit`` uses for its own NLL (checks change no value).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.func import functional_call, stack_module_state, vmap

import lossrecipe as lr
from lossrecipe.models import reset_parameters
from lossrecipe.optimizers import Adam

SEEDS = range(10)

Loss = Callable[[Tensor, Tensor], Tensor]


class Fitted(NamedTuple):
    """A trained network and its loss before each step, as ``lr.fit`` returns it."""

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
    loss: Loss | None = None,
) -> dict[int, Fitted]:
    """For each seed ``s``: a fresh ``make_net()`` trained on ``data(s)`` as ``lr.fit`` would.

    ``data(s)`` returns ``(x_s, y_s)``; every seed's data must have the same shapes.
    Adam, full batch, ``steps`` steps of learning rate ``lr``, minimising ``loss`` if
    given (as ``lr.fit(..., loss=loss)``; see the module's docstring), else the mean
    NLL.  ``after_init(net, x, y)``, if given, changes a network's initial weights
    (under ``torch.no_grad``) before training, as a chapter does that re-draws the
    weights itself and then calls ``lr.fit(..., seed=None)``.  Raises ``RuntimeError``
    when a seed's loss becomes NaN or infinite, as ``lr.fit`` does.
    """
    seeds = list(seeds)
    pairs = {seed: data(seed) for seed in seeds}
    nets = {seed: make_net() for seed in seeds}
    for seed, net in nets.items():
        torch.manual_seed(seed)
        reset_parameters(net, pairs[seed][0])
    if after_init is not None:
        with torch.no_grad():
            for seed, net in nets.items():
                after_init(net, *pairs[seed])
    return _train(nets, recipe, pairs, steps, lr, loss)


def fit_further(
    nets: Mapping[int, nn.Module],
    recipe: lr.Recipe,
    data: Callable[[int], tuple[Tensor, Tensor]],
    *,
    steps: int,
    lr: float,
    loss: Loss | None = None,
) -> dict[int, Fitted]:
    """Train each seed's network ``nets[s]`` on from its weights, as ``lr.fit`` would with
    ``seed=None``: ``steps`` full-batch steps of a fresh Adam on ``data(s)``.

    The networks (of one architecture) are updated in place and returned with their
    histories; ``data`` and ``loss`` are as for :func:`fit_seeds`.
    """
    pairs = {seed: data(seed) for seed in nets}
    return _train(dict(nets), recipe, pairs, steps, lr, loss)


def _train(
    nets: dict[int, nn.Module],
    recipe: lr.Recipe,
    pairs: dict[int, tuple[Tensor, Tensor]],
    steps: int,
    lr: float,
    loss: Loss | None,
) -> dict[int, Fitted]:
    """The batched loop: each seed's loss, their sum's gradient, one Adam for all."""
    stacked, buffers = stack_module_state(list(nets.values()))
    params = {name: nn.Parameter(value) for name, value in stacked.items()}
    xs = torch.stack([x for x, _ in pairs.values()])
    ys = torch.stack([y for _, y in pairs.values()])
    num_seeds, num_examples = ys.shape[:2]
    template = next(iter(nets.values()))
    forward = vmap(lambda p, b, x: functional_call(template, (p, b), (x,)))
    unchecked = recipe.with_validation(False)
    opt = Adam(params.values(), lr)
    histories: list[list[float]] = [[] for _ in nets]
    for step in range(steps):
        opt.zero_grad()
        outputs = forward(params, buffers, xs)
        if loss is None:
            terms = unchecked.nll(outputs.flatten(0, 1), ys.flatten(0, 1), reduction="none")
            values = terms.reshape(num_seeds, num_examples).mean(dim=1)
        else:
            values = vmap(loss)(outputs, ys)
            if values.shape != (num_seeds,):
                raise ValueError(f"loss: expected a scalar tensor, got {tuple(values.shape[1:])}")
        for history, value in zip(histories, values.tolist(), strict=True):
            if not math.isfinite(value):
                raise RuntimeError(f"training diverged at step {step}: the loss is {value}")
            history.append(value)
        values.sum().backward()
        opt.step()
    with torch.no_grad():
        for s, net in enumerate(nets.values()):
            for name, param in net.named_parameters():
                param.copy_(params[name][s])
            net.eval()
    return {
        seed: Fitted(net, history)
        for (seed, net), history in zip(nets.items(), histories, strict=True)
    }
