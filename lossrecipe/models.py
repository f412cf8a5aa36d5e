"""Small networks ``f[x, phi]`` that produce a recipe's raw outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn

from .validation import check_positive_integer

__all__ = ["ShallowNet", "MLP"]


class _Network(nn.Module):
    """Checks the input shape before the layers see it."""

    num_inputs: int
    layers: nn.Sequential

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != self.num_inputs:
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            one_d = isinstance(x, Tensor) and x.dim() == 1
            hint = "; use x.unsqueeze(-1) for one input" if one_d else ""
            raise ValueError(f"x: expected shape (N, {self.num_inputs}), got {shape}{hint}")
        return self.layers(x)


class ShallowNet(_Network):
    """One hidden layer of ReLU units.

    ``f_k[x, phi] = phi_k0 + sum_d phi_kd a[theta_d0 + sum_j theta_dj x_j]`` with
    ``a[z] = max(0, z)``, ``D = num_hidden`` hidden units and one such sum per
    raw output ``k``.
    """

    def __init__(self, num_inputs: int = 1, num_hidden: int = 3, num_outputs: int = 1) -> None:
        super().__init__()
        self.num_inputs = check_positive_integer("num_inputs", num_inputs)
        self.layers = nn.Sequential(
            nn.Linear(num_inputs, check_positive_integer("num_hidden", num_hidden)),
            nn.ReLU(),
            nn.Linear(num_hidden, check_positive_integer("num_outputs", num_outputs)),
        )


class MLP(_Network):
    """Several hidden ReLU layers of the given sizes, then a linear output layer."""

    def __init__(
        self,
        num_inputs: int = 1,
        hidden: Sequence[int] = (32, 32),
        num_outputs: int = 1,
    ) -> None:
        super().__init__()
        self.num_inputs = check_positive_integer("num_inputs", num_inputs)
        if len(hidden) == 0:
            raise ValueError("hidden: expected at least one hidden layer size, got ()")
        sizes = [num_inputs, *(check_positive_integer("hidden", h) for h in hidden)]
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], check_positive_integer("num_outputs", num_outputs)))
        self.layers = nn.Sequential(*layers)


def reset_parameters(model: nn.Module, x: Tensor | None = None) -> None:
    """Re-draw every layer's parameters; with inputs ``x``, put the first kinks in the data.

    Every layer first gets PyTorch's default initialisation.  Then, if ``x`` (shape
    ``(N, D)``) is given and ``model`` is a :class:`ShallowNet` or :class:`MLP`, each unit
    of the first hidden layer gets its kink (the hyperplane where
    ``theta_d0 + theta_d . x = 0``) between two neighbouring training inputs
    (:func:`place_kinks_between_inputs`).  With PyTorch's default biases most kinks of a
    small network can fall outside the data, where the units are always on or always
    off, and the network starts, and often stays, a straight line.
    """
    with torch.no_grad():
        for module in model.modules():
            reset = getattr(module, "reset_parameters", None)
            if callable(reset):
                reset()
        if x is not None and isinstance(model, _Network):
            place_kinks_between_inputs(cast(nn.Linear, model.layers[0]), x)


def place_kinks_between_inputs(layer: nn.Linear, x: Tensor) -> None:
    """Put each unit's kink midway between two neighbouring inputs, along its direction.

    For unit ``d`` with weights ``theta_d``, the projections ``s_i = theta_d . x_i`` are
    sorted; a pair of neighbours ``s_(i) < s_(i+1)`` is drawn at random (the global torch
    generator, so a seeded caller gets the same kinks) and the bias becomes
    ``theta_d0 = -(s_(i) + s_(i+1)) / 2``.  The kink is then as far from the two inputs as
    it can be: it never sits *on* a training input, where the ReLU's gradient (0 or 1)
    would hang on the last bit of a rounding, and so on the processor's kernels.
    Units whose projections are all equal keep their bias.
    """
    if not isinstance(x, Tensor) or x.dim() != 2 or x.shape[1] != layer.in_features:
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f"x: expected shape (N, {layer.in_features}), got {shape}")
    with torch.no_grad():
        projections = (x.to(layer.weight.dtype) @ layer.weight.T).sort(dim=0).values
        midpoints = (projections[1:] + projections[:-1]) / 2  # (N - 1, units)
        distinct = projections[1:] > projections[:-1]
        if midpoints.shape[0] == 0:
            return
        draws = torch.rand(midpoints.shape, dtype=midpoints.dtype, device=midpoints.device)
        draws = draws * distinct
        choice = draws.argmax(dim=0)  # a random distinct pair per unit
        usable = distinct.any(dim=0)
        kinks = midpoints.gather(0, choice.unsqueeze(0)).squeeze(0)
        layer.bias.copy_(torch.where(usable, -kinks, layer.bias))
