"""Rankings: the Plackett-Luce model, a sequence of softmaxes over the items left."""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.distributions import Distribution, constraints
from torch.distributions.constraints import Constraint

from ..links import Identity
from ..validation import check_outputs, check_positive_integer, require
from .base import Parameter, Recipe

__all__ = ["PlackettLuce", "PlackettLuceDistribution", "plackett_luce_nll"]


class _Rankings(Constraint):
    """Rows of distinct item indices in ``0..K-1`` (a full ranking or a top-k list)."""

    is_discrete = True
    event_dim = 1

    def __init__(self, num_items: int) -> None:
        self.num_items = num_items
        super().__init__()

    def check(self, value: Tensor) -> Tensor:
        inside = ((value >= 0) & (value < self.num_items)).all(dim=-1)
        ordered = value.sort(dim=-1).values
        distinct = (ordered[..., 1:] != ordered[..., :-1]).all(dim=-1)
        return inside & distinct & (value.shape[-1] <= self.num_items)

    def __repr__(self) -> str:
        return f"Rankings(num_items={self.num_items})"


def plackett_luce_nll(scores: Tensor, y: Tensor) -> Tensor:
    """``-log Pr(y | s) = sum_j [logsumexp_{i not in y_1..y_{j-1}} s_i - s_{y_j}]``, shape ``(N,)``.

    ``scores`` ``(N, K)``; ``y`` ``(N, k)`` long, distinct items, best first.  Step ``j``
    is a softmax over the items not yet placed; an item placed at position ``p`` is
    available at steps ``j <= p``, and unranked items at every step.
    """
    num_ranked = y.shape[-1]
    position = torch.full_like(scores, num_ranked, dtype=torch.long)
    steps = torch.arange(num_ranked, device=y.device).expand_as(y)
    position = position.scatter(-1, y, steps)
    available = position.unsqueeze(-2) >= steps.unsqueeze(-1)  # (N, k, K)
    masked = torch.where(available, scores.unsqueeze(-2), -math.inf)
    return (torch.logsumexp(masked, dim=-1) - scores.gather(-1, y)).sum(dim=-1)


class PlackettLuceDistribution(Distribution):
    """Rankings of ``K`` items drawn by picking, best first, each next item with
    probability ``softmax`` of the scores of the items left.

    ``log_prob`` takes full rankings ``(..., K)`` or top-k lists ``(..., k)``, ``k <= K``
    (the probability that these are the first ``k``, in this order: the sum over
    every completion); ``sample`` draws full rankings ``(..., K)`` by the Gumbel trick
    (sorting ``s_i + G_i``, ``G_i`` standard Gumbel, gives a Plackett-Luce ranking);
    ``mode`` is the items sorted by score.
    """

    arg_constraints = {"scores": constraints.real_vector}
    has_rsample = False

    def __init__(self, scores: Tensor, validate_args: bool | None = None) -> None:
        if scores.dim() < 1 or scores.shape[-1] < 1:
            raise ValueError(f"scores: expected shape (..., K), K >= 1, got {tuple(scores.shape)}")
        self.scores = scores
        super().__init__(scores.shape[:-1], scores.shape[-1:], validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Constraint:
        return _Rankings(self.scores.shape[-1])

    @property
    def mode(self) -> Tensor:
        return self.scores.argsort(dim=-1, descending=True, stable=True)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args and not bool(self.support.check(value).all()):
            raise ValueError("value: expected rows of distinct item indices 0..K-1")
        shape = torch.broadcast_shapes(value.shape[:-1], self.batch_shape)
        scores = self.scores.expand(*shape, self.scores.shape[-1])
        value = value.expand(*shape, value.shape[-1])
        flat = plackett_luce_nll(
            scores.reshape(-1, scores.shape[-1]), value.reshape(-1, value.shape[-1])
        )
        return -flat.reshape(shape)

    def sample(self, sample_shape: torch.Size | list[int] | tuple[int, ...] = ()) -> Tensor:
        shape = self._extended_shape(torch.Size(sample_shape))
        with torch.no_grad():
            u = torch.rand(shape, dtype=self.scores.dtype, device=self.scores.device)
            tiny = torch.finfo(u.dtype).tiny
            gumbel = -torch.log(-torch.log(u.clamp(min=tiny)))
            return (self.scores.expand(shape) + gumbel).argsort(dim=-1, descending=True)


class PlackettLuce(Recipe):
    """Rankings of ``K`` items (search results, preferences, race finishes).

    Distribution
        ``Pr(y | s) = prod_j exp[s_{y_j}] / sum_{i not in y_1..y_{j-1}} exp[s_i]``: the
        best item is drawn by a softmax over all scores, the next by a softmax over the
        rest, and so on.  ``y`` ``(N, k)`` long, ``1 <= k <= K`` distinct items, best
        first; ``k < K`` is a top-k list (the product stops after ``k`` factors).
    Parameters and links
        ``K`` outputs: ``scores`` ``s = f[x, phi]`` (identity), shape ``(N, K)``;
        shifting every score by a constant changes no probability.
    NLL
        ``sum_j [logsumexp_{i not yet ranked} s_i - s_{y_j}]``, the listwise
        (ListMLE) loss of learning to rank, each log-sum-exp taken after subtracting
        its maximum (``torch.logsumexp``).
    Mode
        The items sorted by score, best first, ``(N, K)``.
    Derived in
        chapter 13, eq-13-plackett-luce.
    """

    def __init__(self, num_items: int, *, validate: bool = True) -> None:
        super().__init__(validate=validate)
        self.num_items = check_positive_integer("num_items", num_items)
        self.parameters = (Parameter("scores", Identity(), size=num_items),)
        self.support = _Rankings(num_items)

    def distribution(self, outputs: Tensor) -> PlackettLuceDistribution:
        return PlackettLuceDistribution(self.raw(outputs)["scores"], validate_args=False)

    def check_targets(self, y: Tensor, outputs: Tensor) -> Tensor:
        outputs = check_outputs(outputs, self.num_outputs, values=False)
        if not isinstance(y, Tensor):
            raise ValueError(f"y: expected a torch.Tensor, got {type(y).__name__}")
        n, k = outputs.shape[0], self.num_items
        if y.dim() != 2 or y.shape[0] != n or not 1 <= y.shape[1] <= k:
            hint = "; a single ranking needs y.unsqueeze(0)" if y.dim() == 1 else ""
            raise ValueError(
                f"y: expected rankings of shape ({n}, k), 1 <= k <= {k}, item indices best "
                f"first, got shape {tuple(y.shape)}{hint}"
            )
        if y.is_floating_point() or y.dtype == torch.bool or y.is_complex():
            raise ValueError(f"y: expected integer item indices (torch.long), got dtype {y.dtype}")
        y = y.long()
        if self.validate and y.numel():
            low, high = torch.aminmax(y)
            inside = (low >= 0) & (high < k)
            require(inside & self.support.check(y).all(), lambda: self._raise_ranking_error(y))
        return y

    def _raise_ranking_error(self, y: Tensor) -> None:
        k = self.num_items
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= k:
            raise ValueError(
                f"y: expected item indices 0..{k - 1} for {k} items, "
                f"got values from {low} to {high}"
            )
        row = int((~self.support.check(y)).nonzero()[0, 0])
        raise ValueError(
            f"y: expected distinct items in each ranking, got row {row}: {y[row].tolist()}"
        )

    def nll_terms(self, y: Tensor, *, scores: Tensor) -> Tensor:
        return plackett_luce_nll(scores, y)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.distribution(outputs).mode

    def _settings(self) -> list[str]:
        return [f"num_items={self.num_items}"]
