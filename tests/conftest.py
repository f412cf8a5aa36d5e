import pytest
import torch

DTYPES = [torch.float32, torch.float64]
# Tolerances for comparing two float implementations of the same formula.
TOL = {torch.float32: dict(rtol=1e-5, atol=1e-5), torch.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request):
    return request.param


def tol(dtype):
    return TOL[dtype]
