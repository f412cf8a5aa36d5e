"""Every recipe's ``nll`` traces whole under ``torch.compile`` and matches eager mode.

``fullgraph=True`` fails on any graph break: a Python branch on a tensor's value, a read
from the device, a call TorchDynamo cannot follow.  The "eager" backend traces with
TorchDynamo and runs the captured graph as it is, so no C compiler is needed.  (A file of
its own: tracing costs about half a second per recipe, and pytest-xdist then gives it to
one worker while the other runs the rest.)
"""

import pytest
import torch

from .conftest import grad_of
from .registry import REGISTRY, draw_batch


# torch.compile instantiates our autograd.Function (the Bernoulli loss) while tracing it,
# which torch itself deprecates; that is torch's business, not the recipe's.
@pytest.mark.filterwarnings("ignore:.*should not be instantiated:DeprecationWarning")
@pytest.mark.parametrize("recipe", REGISTRY, ids=repr)
def test_nll_compiles_whole_and_matches_eager(recipe):
    # fullgraph=True fails on any graph break: a Python branch on a tensor's value, a
    # read from the device, an unsupported call.  The "eager" backend traces with
    # TorchDynamo and runs the captured graph as it is: no C compiler needed.
    torch._dynamo.reset()
    quiet = recipe.with_validation(False)
    outputs, y = draw_batch(recipe, torch.float64, seed=6)
    compiled = torch.compile(
        lambda o: quiet.nll(o, y, reduction="mean"), backend="eager", fullgraph=True
    )
    value, grad = grad_of(compiled, outputs)
    eager, eager_grad = grad_of(lambda o: quiet.nll(o, y, reduction="mean"), outputs)
    torch.testing.assert_close(value, eager, rtol=1e-14, atol=0)
    torch.testing.assert_close(grad, eager_grad, rtol=1e-14, atol=1e-300)
