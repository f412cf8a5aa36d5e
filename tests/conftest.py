"""Shared test helpers: dtypes and tolerances, value-and-gradient, the plotting backend.

Also: one torch thread in every test process, and the table of the claims test's pass
counts at the end of a run (the claims record them as user properties, which reach the
controller of a ``pytest -n`` run).
"""

import matplotlib
import pytest
import torch

# One thread: the same arithmetic on every run, and no oversubscription when pytest-xdist
# runs one worker per core.
torch.set_num_threads(1)

# Plotting tests draw off screen; set the backend before anything imports pyplot.
matplotlib.use("Agg")

DTYPES = [torch.float32, torch.float64]
# Tolerances for comparing two float implementations of the same formula.
TOL = {torch.float32: dict(rtol=1e-5, atol=1e-5), torch.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request):
    return request.param


def _devices():
    """The devices of this machine: the CPU always, CUDA and MPS where present."""
    found = ["cpu"]
    if torch.cuda.is_available():
        found.append("cuda")
    if torch.backends.mps.is_available():
        found.append("mps")
    return found


DEVICES = _devices()


@pytest.fixture(params=DEVICES)
def device(request):
    """Each device present: a test taking it runs once per device (only "cpu" here if
    there is no GPU; a machine with CUDA or MPS runs the same test there too)."""
    return torch.device(request.param)


def on_device(device, dtype):
    """Skip float64 on MPS, which has no float64."""
    if device.type == "mps" and dtype == torch.float64:
        pytest.skip("MPS has no float64")


def tol(dtype):
    return TOL[dtype]


def scaled(dtype, scale):
    """Tolerances for values whose float rounding error is relative to ``scale``."""
    return dict(rtol=tol(dtype)["rtol"], atol=tol(dtype)["atol"] * max(1.0, scale))


def grad_of(fn, outputs):
    """``fn(outputs)`` and the gradient of its sum with respect to ``outputs``."""
    outputs = outputs.detach().clone().requires_grad_(True)
    value = fn(outputs)
    (grad,) = torch.autograd.grad(value.sum(), outputs)
    return value.detach(), grad


def reduce(terms, reduction):
    """``terms`` summed, averaged or kept, as a recipe's ``reduction`` does."""
    return {"sum": terms.sum, "mean": terms.mean, "none": lambda: terms}[reduction]()


def generator(seed):
    return torch.Generator().manual_seed(seed)


_CLAIMS: list[tuple[str, int, int]] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        for key, value in report.user_properties:
            if key == "claim":
                sentence, passed, total = value
                module = report.nodeid.split("::")[0].split("/")[-1]
                _CLAIMS.append((f"{module}: {sentence}", passed, total))


def pytest_terminal_summary(terminalreporter):
    if _CLAIMS:
        terminalreporter.section("claims: seeds for which each holds")
        for sentence, passed, total in sorted(_CLAIMS):
            terminalreporter.write_line(f"{passed:2d}/{total}  {sentence}")
