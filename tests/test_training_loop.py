"""The recipes in a real training loop: no host reads, torch.compile, autocast.

- With validation off, ``nll``, ``params``, ``predict`` and ``distribution`` never read a
  value back from the device nor copy one to it from the host (counted here on the CPU;
  on CUDA, run under ``torch.cuda.set_sync_debug_mode("error")``); with validation on,
  a call reads at most once.  (``test_compile.py``: ``nll`` traces whole under
  ``torch.compile``.)
- Under ``torch.autocast`` every recipe's NLL is computed in float32 and agrees with the
  float64 value to float32 accuracy.

Every recipe of the contract registry is checked.  Mini-batches and DistributedDataParallel
are in ``test_training.py`` and ``test_ddp.py``.
"""

import warnings
from contextlib import contextmanager

import pytest
import torch
from torch.distributions import constraints
from torch.overrides import TorchFunctionMode

import lossrecipe as lr

from .conftest import assert_near, grad_of
from .registry import REGISTRY, draw_batch

recipes = pytest.mark.parametrize("recipe", REGISTRY, ids=repr)

# What makes the host wait for the device: a tensor turned into a Python value.
READS = {"__bool__", "__int__", "__float__", "__index__", "item", "tolist", "numpy", "equal"}
READS |= {"nonzero", "masked_select"}  # their result's size depends on the values
# torch.tensor(0.5, device=...) copies a Python value from the host: on a GPU the copy
# waits for every queued kernel too (torch's own StudentT made one).
READS |= {"tensor"}


class CountReads(TorchFunctionMode):
    """Count the calls that read a tensor's values back to the host."""

    def __init__(self):
        super().__init__()
        self.reads = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in READS:
            self.reads.append(func.__name__)
        return func(*args, **(kwargs or {}))


def _reads(call):
    with CountReads() as counter:
        call()
    return counter.reads


@recipes
def test_no_read_from_the_device_without_validation_and_one_with(recipe):
    outputs, y = draw_batch(recipe, torch.float64)
    outputs.requires_grad_(True)
    quiet = recipe.with_validation(False)
    for method in (quiet.params, quiet.predict, quiet.distribution):
        assert _reads(lambda m=method: m(outputs)) == [], method.__name__
    assert _reads(lambda: quiet.nll(outputs, y).backward()) == []
    checked = recipe.with_validation(True)
    assert len(_reads(lambda: checked.nll(outputs, y))) <= 1
    for method in (checked.params, checked.predict, checked.distribution):
        assert len(_reads(lambda m=method: m(outputs))) <= 1, method.__name__


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@recipes
def test_no_synchronisation_on_cuda_without_validation(recipe):
    outputs, y = draw_batch(recipe, torch.float32, device="cuda")
    outputs.requires_grad_(True)
    quiet = recipe.with_validation(False)
    torch.cuda.synchronize()
    with _synchronisations_raise():
        quiet.nll(outputs, y).backward()
        quiet.params(outputs)
        quiet.predict(outputs)
        quiet.distribution(outputs)


@contextmanager
def _synchronisations_raise():
    """Any operation that makes the host wait for the GPU raises, until the block ends.

    Setting the mode warns that it is a prototype (an error under this suite's
    ``filterwarnings``, which would leave the mode on for every later test)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Synchronization debug mode", UserWarning)
        try:
            torch.cuda.set_sync_debug_mode("error")
            yield
        finally:
            torch.cuda.set_sync_debug_mode("default")


def _autocast_dtypes(device):
    return [torch.bfloat16] if device.type == "cpu" else [torch.bfloat16, torch.float16]


@recipes
def test_nll_under_autocast_is_float32_and_agrees_with_float64(recipe, device):
    outputs, y = draw_batch(recipe, torch.float32, seed=7, device=device)
    for half in _autocast_dtypes(device):
        low = outputs.to(half)  # what a network under autocast hands the loss
        with torch.autocast(device.type, dtype=half):
            value, grad = grad_of(lambda o: recipe.nll(o, y, reduction="none"), low)
        exact = recipe.nll(low.double(), y if y.dtype == torch.long else y.double(), "none")
        assert value.dtype == torch.float32 and grad.dtype == half
        assert bool(torch.isfinite(value).all()) and bool(torch.isfinite(grad).all())
        assert_near(value, exact)


# --- a stand-in device on any machine ------------------------------------------------------
#
# A tensor on PyTorch's "meta" device has a shape, a dtype and a device but no values:
# every operation runs on the shapes only.  An operation that meets a tensor on another
# device fails, as it would on a GPU: so a tensor the package creates without following
# its inputs' device (a CPU tensor meeting a meta one) fails here, on every machine, and
# so does any read of a value, which a meta tensor does not have.


def _meta_targets(recipe, n):
    """Targets in the recipe's support (by shape and dtype), on the meta device."""
    support, shape = recipe.support, (n, *recipe.target_shape)
    while isinstance(support, constraints.independent):
        support = support.base_constraint
    if hasattr(support, "num_items"):
        return torch.empty(n, support.num_items, dtype=torch.long, device="meta")
    if isinstance(support, constraints.integer_interval):
        return torch.empty(shape, dtype=torch.long, device="meta")
    return torch.empty(shape, device="meta")


@recipes
def test_every_recipe_stays_on_the_device_of_its_inputs_without_reading(recipe):
    quiet = recipe.with_validation(False)
    outputs = torch.empty(8, recipe.num_outputs, device="meta", requires_grad=True)
    y = _meta_targets(recipe, 8)
    for reduction in ("sum", "mean", "none"):
        assert quiet.nll(outputs, y, reduction=reduction).device.type == "meta"
    quiet.nll(outputs, y).backward()
    assert outputs.grad.device.type == "meta"
    assert all(v.device.type == "meta" for v in quiet.params(outputs).values())
    assert quiet.predict(outputs).device.type == "meta"
    assert quiet.distribution(outputs).log_prob(y).device.type == "meta"


def test_a_training_step_stays_on_the_device_of_its_inputs():
    # reset_parameters draws the first layer's kinks (the draw that used to land on the
    # CPU whatever the device), then one Adam step of a recipe's loss.
    recipe = lr.HeteroscedasticGaussian().with_validation(False)
    with torch.device("meta"):
        x, y = torch.empty(16, 1), torch.empty(16)
        net = lr.MLP(1, (8,), recipe.num_outputs)
        lr.models.reset_parameters(net, x)
        opt = lr.optimizers.Adam(list(net.parameters()), 0.01)
        recipe.nll(net(x), y, reduction="mean").backward()
        opt.step()
    assert all(p.device.type == "meta" for p in net.parameters())
