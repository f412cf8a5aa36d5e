"""Run by ``test_install.py`` in a fresh environment holding the installed package.

``python check_installed.py REGISTRY_FILE SITE_PACKAGES``, from a folder outside the
repository.  It fails (a non-zero exit and a traceback) unless ``lossrecipe`` is imported
from ``SITE_PACKAGES`` (the installed wheel, not the repository), every name in
``lossrecipe.__all__`` imports, every recipe of the contract registry (``REGISTRY_FILE``,
``tests/registry.py``, loaded by path) computes a finite NLL, and ``lr.fit`` trains for
20 steps.  It uses only what a user has: the package and its dependencies.
"""

import importlib.util
import math
import sys
from pathlib import Path


def _load(path: str):
    spec = importlib.util.spec_from_file_location("registry", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(registry_file: str, site: str) -> None:
    import torch

    import lossrecipe as lr

    where = Path(lr.__file__).resolve()
    assert Path(site).resolve() in where.parents, f"lossrecipe imported from {where}"

    namespace: dict = {}
    exec("from lossrecipe import *", namespace)  # noqa: S102 - the star import a user writes
    missing = sorted(set(lr.__all__) - set(namespace))
    assert not missing, f"names in lossrecipe.__all__ that do not import: {missing}"

    registry = _load(registry_file)
    for recipe in registry.REGISTRY:
        outputs, y = registry.draw_batch(recipe, torch.float64)
        value = float(recipe.nll(outputs, y))
        assert math.isfinite(value), f"{recipe!r}: nll = {value}"

    x, y = lr.data.heteroscedastic_1d(num_points=64, seed=0)
    recipe = lr.HeteroscedasticGaussian()
    net = lr.MLP(num_inputs=1, hidden=(8,), num_outputs=recipe.num_outputs)
    history = lr.fit(net, recipe, x, y, steps=20, lr=0.01, seed=0)
    assert len(history) == 20 and all(map(math.isfinite, history)), history
    assert history[-1] < history[0], history

    print(
        f"lossrecipe {lr.__version__} from {where.parent.parent.name}: "
        f"{len(lr.__all__)} names, {len(registry.REGISTRY)} recipes, 20 steps of fit"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
