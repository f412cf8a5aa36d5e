"""Three small public-domain data sets, shipped inside the package.  Nothing is downloaded.

Each CSV file lies in ``lossrecipe/datasets/data/`` beside a description of the same
name (``engel.md``): its source, licence and variables.  The files are copies, byte for
byte, of those the ``statsmodels`` wheel distributes; ``tests/test_datasets.py`` checks
their SHA-256.  A loader returns ``(x, y)`` tensors, ``x`` with one row per example:

- :func:`engel`: Engel's (1857) Belgian household budgets, food expenditure against
  income (235 rows): a positive output whose spread grows with the input;
- :func:`rand_hie`: the RAND Health Insurance Experiment, doctor visits per year with
  nine covariates (20,190 rows): over-dispersed counts with many zeros;
- :func:`anes96`: the 1996 American National Election Study, party identification on
  a 7-point scale with four covariates (944 rows): ordered classes.

:func:`train_test_split` shuffles the rows with a seed and cuts them in two;
:func:`describe` returns a data set's description.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np
import torch
from torch import Tensor

from ..validation import check_unit_open

__all__ = [
    "ANES96_COLUMNS",
    "ENGEL_COLUMNS",
    "RAND_HIE_COLUMNS",
    "anes96",
    "describe",
    "engel",
    "rand_hie",
    "train_test_split",
]

#: The file of each data set, in ``lossrecipe/datasets/data/``.
FILES = {"engel": "engel.csv", "rand_hie": "randhie.csv", "anes96": "anes96.csv"}

#: The columns of ``x`` each loader returns, in order.
ENGEL_COLUMNS = ("income",)
RAND_HIE_COLUMNS = (
    "lncoins",
    "idp",
    "lpi",
    "fmde",
    "physlm",
    "disea",
    "hlthg",
    "hlthf",
    "hlthp",
)
ANES96_COLUMNS = ("age", "educ", "income", "TVnews")


def _path(name: str) -> Traversable:
    if name not in FILES:
        raise ValueError(f"name: expected one of {sorted(FILES)}, got {name!r}")
    return resources.files(__package__) / "data" / FILES[name]


def _columns(name: str, names: tuple[str, ...]) -> Tensor:
    """The named columns of a data set, ``(N, len(names))`` float64."""
    delimiter = None if name == "anes96" else ","  # anes96: tabs, names in single quotes
    with _path(name).open("r", encoding="utf-8") as file:
        header = [field.strip("'\"") for field in file.readline().strip().split(delimiter)]
        table = np.loadtxt(file, delimiter=delimiter, dtype=np.float64, ndmin=2)
    index = [header.index(column) for column in names]
    return torch.from_numpy(np.ascontiguousarray(table[:, index]))


def engel() -> tuple[Tensor, Tensor]:
    """Engel's food expenditure data: ``x`` income ``(235, 1)``, ``y`` food expenditure ``(235,)``.

    Annual income and annual food expenditure of 235 working-class Belgian households
    in 1857, both in Belgian francs, float64 (Koenker and Bassett 1982).
    """
    table = _columns("engel", ("income", "foodexp"))
    return table[:, :1].clone(), table[:, 1].clone()


def rand_hie() -> tuple[Tensor, Tensor]:
    """RAND HIE doctor visits: ``x`` ``(20190, 9)`` covariates, ``y`` visits ``(20190,)``.

    ``x`` columns, in order (:data:`RAND_HIE_COLUMNS`): ``lncoins`` (log of coinsurance
    rate + 1), ``idp`` (individual deductible plan), ``lpi`` (log participation
    incentive), ``fmde`` (log maximum expenditure), ``physlm`` (physical limitation),
    ``disea`` (chronic diseases), ``hlthg``, ``hlthf``, ``hlthp`` (self-rated health
    good, fair, poor; excellent is the omitted category).  ``y`` is ``mdvis``, the number
    of outpatient doctor visits in the year, as whole-number float64 (Cameron and
    Trivedi 2005).
    """
    table = _columns("rand_hie", ("mdvis", *RAND_HIE_COLUMNS))
    return table[:, 1:].clone(), table[:, 0].clone()


def anes96() -> tuple[Tensor, Tensor]:
    """ANES 1996 party identification: ``x`` ``(944, 4)``, ``y`` classes 0..6 ``(944,)``.

    ``x`` columns, in order (:data:`ANES96_COLUMNS`): ``age`` (years), ``educ``
    (education, 1 to 7), ``income`` (household income bracket, 1 to 24), ``TVnews``
    (TV news per week, 0 to 7); float64.  ``y`` is ``PID``, party identification from
    0 (strong Democrat) to 6 (strong Republican), int64.
    """
    table = _columns("anes96", ("PID", *ANES96_COLUMNS))
    return table[:, 1:].clone(), table[:, 0].round().long()


def describe(name: str) -> str:
    """The description of a data set (``"engel"``, ``"rand_hie"`` or ``"anes96"``):
    source, licence and variables, as Markdown."""
    description = _path(name).name.replace(".csv", ".md")
    return (resources.files(__package__) / "data" / description).read_text(encoding="utf-8")


def train_test_split(
    x: Tensor, y: Tensor, test_fraction: float = 0.3, seed: int = 0
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Shuffle the rows with ``seed`` and cut them in two: ``(x_train, y_train, x_test, y_test)``.

    The last ``round(test_fraction * N)`` rows of the seeded permutation are the test
    set.  ``seed`` has its own ``torch.Generator``, so the global random state is
    untouched and each seed gives one fixed split.
    """
    fraction = check_unit_open("test_fraction", test_fraction)
    if not isinstance(x, Tensor) or not isinstance(y, Tensor) or x.dim() == 0:
        raise ValueError(
            f"x, y: expected tensors with one row per example, got {type(x).__name__} "
            f"and {type(y).__name__}"
        )
    if y.dim() == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"y: expected {x.shape[0]} rows to match x of shape {tuple(x.shape)}, "
            f"got shape {tuple(y.shape)}"
        )
    n = x.shape[0]
    num_test = round(fraction * n)
    if not 0 < num_test < n:
        raise ValueError(
            f"test_fraction: expected a fraction that leaves both parts non-empty for "
            f"{n} rows, got {test_fraction!r}"
        )
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    train, test = order[: n - num_test].to(x.device), order[n - num_test :].to(x.device)
    return x[train], y[train.to(y.device)], x[test], y[test.to(y.device)]
