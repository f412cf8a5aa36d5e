"""What ``import lossrecipe`` loads and what it exports."""

import importlib
import subprocess
import sys

import lossrecipe as lr
from lossrecipe import models, recipes, training

LAZY = ["lossrecipe.data", "lossrecipe.datasets", "lossrecipe.metrics", "lossrecipe.plotting"]
LAZY += ["matplotlib", "scipy"]


def test_import_loads_no_plotting_library_and_the_lazy_modules_on_first_use():
    probe = (
        "import sys, lossrecipe as lr\n"
        f"print([m for m in {LAZY!r} if m in sys.modules])\n"
        "lr.metrics\n"
        "print('lossrecipe.metrics' in sys.modules, 'lossrecipe.plotting' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True False"]


def test_all_is_built_from_the_subpackages_lists_without_private_names():
    modules = ["data", "datasets", "distributions", "links", "metrics", "optimizers", "plotting"]
    modules += ["validation"]
    own = [
        *recipes.__all__,
        *models.__all__,
        *training.__all__,
        *importlib.import_module("lossrecipe.beta_nll").__all__,
    ]
    assert sorted(lr.__all__) == sorted(own + modules)
    assert not [name for name in lr.__all__ if name.startswith("_")]
    assert all(getattr(lr, name) is not None for name in lr.__all__)
    assert {"data", "datasets", "metrics", "plotting"} <= set(dir(lr))
