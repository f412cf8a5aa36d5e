"""The claims test: what the chapters say about trained models holds for seeds 0-9.

Each module ``test_chNN_name.py`` retrains a chapter's models exactly as the chapter
does, but with every training seed in ``SEEDS`` in place of the chapter's own, and
checks each sentence the prose states about them with the ``claim`` fixture.  A summary
table of every claim and its pass count is printed at the end of the run (by the hooks
in ``tests/conftest.py``, which also run in the controller of a ``pytest -n`` run).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from .batched import SEEDS

MINIMUM = 9  # a claim must hold for at least 9 of the 10 seeds


@pytest.fixture(autouse=True)
def _one_thread_float64():
    threads, dtype = torch.get_num_threads(), torch.get_default_dtype()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_num_threads(threads)
    torch.set_default_dtype(dtype)


@pytest.fixture
def claim(request: pytest.FixtureRequest) -> Callable[..., list[int]]:
    """``claim(sentence, holds)``: assert ``holds(seed)`` for at least ``MINIMUM`` seeds.

    ``sentence`` quotes (or closely paraphrases) the prose; ``holds`` takes a seed and
    returns a bool.  Returns the seeds for which the claim held.
    """

    def check(sentence: str, holds: Callable[[int], bool], minimum: int = MINIMUM) -> list[int]:
        passed = [seed for seed in SEEDS if bool(holds(seed))]
        request.node.user_properties.append(("claim", (sentence, len(passed), len(SEEDS))))
        assert len(passed) >= minimum, (
            f"{sentence!r} holds for seeds {passed} only: {len(passed)} of {len(SEEDS)}, "
            f"needs {minimum}"
        )
        return passed

    return check
