"""Claims of chapter 08 (cross-entropy and KL) about its trained constant model, seeds 0-9.

The chapter trains a ``ShallowNet(1, 2, 3)`` whose input is always 0 on the labels
(2, 0, 2, 1, 2) with the Categorical recipe, in 16 bursts of 4 Adam steps (learning rate
0.01), seeding only the first burst.
"""

from __future__ import annotations

from functools import cache

import torch

import lossrecipe as lr

LABELS = (2, 0, 2, 1, 2)


@cache
def _kl_after_each_burst(seed: int) -> tuple[float, ...]:
    torch.set_default_dtype(torch.float64)
    labels = torch.tensor(LABELS)
    q_hat = torch.bincount(labels, minlength=3).double() / len(labels)
    recipe = lr.Categorical(num_classes=3)
    inputs = torch.zeros(len(labels), 1)
    net = lr.ShallowNet(num_inputs=1, num_hidden=2, num_outputs=3)
    kls = []
    for burst in range(16):
        lr.fit(net, recipe, inputs, labels, steps=4, lr=0.01, seed=seed if burst == 0 else None)
        with torch.no_grad():
            p_model = recipe.params(net(inputs[:1]))["probabilities"][0]
        kls.append(float((q_hat * torch.log(q_hat / p_model)).sum()))
    return tuple(kls)


def test_kl_approaches_zero(claim):
    claim(
        "the KL divergence from q_hat approaches 0 (below 0.05 after 64 steps)",
        lambda seed: _kl_after_each_burst(seed)[-1] < 0.05,
    )


def test_kl_falls(claim):
    claim(
        "the KL divergence falls during training (last below first)",
        lambda seed: _kl_after_each_burst(seed)[-1] < _kl_after_each_burst(seed)[0],
    )
