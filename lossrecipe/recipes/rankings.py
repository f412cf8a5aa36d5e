"""Rankings: the Plackett-Luce model, a sequence of softmaxes over the items left."""

from __future__ import annotations

from torch import Tensor

from ..distributions import PlackettLuceDistribution, plackett_luce_nll
from ..links import Identity
from ..validation import Rankings, check_positive_integer
from .base import Parameter, Recipe

__all__ = ["PlackettLuce"]


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
        self.parameters = (Parameter("scores", Identity(), size=self.num_items),)
        self.support = Rankings(num_items)
        self.target_shape = (num_items,)  # full rankings; top-k lists (N, k) are taken too

    def distribution(self, outputs: Tensor) -> PlackettLuceDistribution:
        return PlackettLuceDistribution(self.raw(outputs)["scores"], validate_args=False)

    def nll_terms(self, y: Tensor, *, scores: Tensor) -> Tensor:
        return plackett_luce_nll(scores, y)

    def predict(self, outputs: Tensor) -> Tensor:
        return self.distribution(outputs).mode
