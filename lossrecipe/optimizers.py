"""The two optimisers :func:`~lossrecipe.fit` offers, Adam and plain gradient descent.

Each performs the same tensor operations, in the same order, as its ``torch.optim``
counterpart with default settings (``torch.optim.Adam(params, lr)`` and
``torch.optim.SGD(params, lr)``), so the weights after any number of steps agree bit
for bit (``tests/test_optimizers.py``).  They exist for speed on the book's small
networks: creating the first ``torch.optim`` optimiser in a process imports
``torch._dynamo`` (over a second), and ``torch.optim``'s per-step bookkeeping costs
about as much as a forward pass here.  Neither handles sparse or complex parameters,
weight decay or parameter groups.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn

from .validation import check_positive

__all__ = ["Adam", "SGD"]


class _FullBatchOptimizer:
    """Parameters that receive gradients, and a step that updates them in place."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("params: expected at least one parameter, got none")
        self.lr = check_positive("lr", lr)

    def zero_grad(self) -> None:
        """Drop the gradients (``grad = None``), as ``torch.optim`` does by default."""
        for param in self.params:
            param.grad = None

    def step(self) -> None:
        raise NotImplementedError


class SGD(_FullBatchOptimizer):
    """Gradient descent: ``phi <- phi - lr * g``, with ``g`` the gradient of the loss."""

    @torch.no_grad()
    def step(self) -> None:
        for param in self.params:
            if param.grad is not None:
                param.add_(param.grad, alpha=-self.lr)


class Adam(_FullBatchOptimizer):
    """Adam (Kingma and Ba, 2015) with PyTorch's default ``betas`` and ``eps``.

    At step ``t = 1, 2, ...``, with gradient ``g_t``::

        m_t = beta1 m_{t-1} + (1 - beta1) g_t
        v_t = beta2 v_{t-1} + (1 - beta2) g_t**2
        phi_t = phi_{t-1} - lr / (1 - beta1**t) * m_t / (sqrt(v_t / (1 - beta2**t)) + eps)

    starting from ``m_0 = v_0 = 0``, elementwise for every parameter;
    ``sqrt(v_t / (1 - beta2**t))`` is computed as ``sqrt(v_t) / sqrt(1 - beta2**t)``,
    as ``torch.optim.Adam`` computes it.
    """

    betas = (0.9, 0.999)
    eps = 1e-8

    def __init__(self, params: Iterable[nn.Parameter], lr: float) -> None:
        super().__init__(params, lr)
        # One count per parameter: a parameter without a gradient skips the step.
        self.steps = [0] * len(self.params)
        self.exp_avg: list[Tensor] = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq: list[Tensor] = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2 = self.betas
        for i, param in enumerate(self.params):
            grad = param.grad
            if grad is None:
                continue
            self.steps[i] += 1
            # torch.optim.Adam counts in a floating-point tensor and reads it back.
            t = float(self.steps[i])
            step_size = self.lr / (1 - beta1**t)
            bias_correction2_sqrt = (1 - beta2**t) ** 0.5
            exp_avg, exp_avg_sq = self.exp_avg[i], self.exp_avg_sq[i]
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(self.eps)
            param.addcdiv_(exp_avg, denom, value=-step_size)
