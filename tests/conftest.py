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

#: How far a short formula evaluated in a float dtype may land from the exact value, in
#: units of that dtype's machine epsilon times the problem's scale.  Each of a loss's few
#: dozen operations rounds once, by at most eps / 2 relative to the largest term in play;
#: 64 bounds their sum with room to spare (the largest error of every recipe's NLL and
#: gradient in the contract test is 12, in float32 and float64 alike).  The same count
#: serves both dtypes: only eps differs, so no tolerance is tuned to one machine's kernels.
ULPS = 64


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


def tol(dtype, scale=1.0):
    """``rtol`` and ``atol`` for a result computed in ``dtype`` against an exact reference.

    ``ULPS`` roundings of ``eps(dtype)``, relative to the value itself and to ``scale``,
    the magnitude of the largest term the formula added or cancelled on the way (a
    value near 0 that came from cancelling terms of size 1e3 keeps an absolute error of
    about 1e3 eps).
    """
    eps = torch.finfo(dtype).eps
    return dict(rtol=ULPS * eps, atol=ULPS * eps * max(1.0, scale))


def as_float64(t):
    """A floating-point tensor in float64; integer tensors (labels, rankings) as they are."""
    return t.double() if t.is_floating_point() else t


def assert_near(actual, reference, scale=None):
    """``actual`` (computed in its own dtype) within :func:`tol` of a float64 ``reference``.

    The reference is evaluated in float64 from the same inputs (rounded to ``actual``'s
    dtype first), so it carries no float32 error of its own and the difference is
    ``actual``'s alone.  ``scale`` defaults to the reference's largest magnitude.
    """
    reference = as_float64(reference).cpu()
    if scale is None:
        scale = float(reference.abs().max()) if reference.numel() else 1.0
    torch.testing.assert_close(actual.double().cpu(), reference, **tol(actual.dtype, scale))


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
