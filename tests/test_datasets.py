"""The vendored data sets: each file byte for byte the one its source distributes, the
loaders' shapes, columns and dtypes, the split, and that the files ship in the wheel."""

import hashlib
import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest
import torch

import lossrecipe as lr

# file: (SHA-256 of the statsmodels 0.14.6 copy, data rows, header columns)
FILES = {
    "engel.csv": (
        "796c3da0406291dd324c51901b51386be12b5f52e330afaf69584f57c06ad45c",
        235,
        ["income", "foodexp"],
    ),
    "randhie.csv": (
        "9f6c87d05aef087a82cc4465310c8cd3f38327be6eafa43bd81fb98c4f3d088c",
        20190,
        ["mdvis", "lncoins", "idp", "lpi", "fmde", "physlm", "disea", "hlthg", "hlthf", "hlthp"],
    ),
    "anes96.csv": (
        "c124d8556d6f8c4329b1fea61e3dc6891c5e663f15b7fe5791235963420ba896",
        944,
        ["popul", "TVnews", "selfLR", "ClinLR", "DoleLR", "PID", "age", "educ", "income", "vote"],
    ),
}
DATA = resources.files("lossrecipe.datasets") / "data"


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_checksum_shape_and_columns(name):
    digest, rows, columns = FILES[name]
    raw = (DATA / name).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == digest
    lines = raw.decode("utf-8").splitlines()
    separator = "\t" if name == "anes96.csv" else ","
    header = [field.strip("'\"") for field in lines[0].split(separator)]
    assert header == columns
    assert len(lines) - 1 == rows
    assert all(len(line.split(separator)) == len(columns) for line in lines[1:])


@pytest.mark.parametrize("name", ["engel", "rand_hie", "anes96"])
def test_description_states_source_licence_variables_and_checksum(name):
    text = lr.datasets.describe(name)
    for heading in ("## Variables", "## Source", "## Licence", "public domain"):
        assert heading.lower() in text.lower()
    csv_name = lr.datasets.FILES[name]
    assert FILES[csv_name][0] in text
    for column in FILES[csv_name][2]:
        assert f"`{column}`" in text


def test_engel():
    x, y = lr.datasets.engel()
    assert x.shape == (235, 1) and y.shape == (235,)
    assert x.dtype == y.dtype == torch.float64
    # the first household, as the file writes it
    assert float(x[0, 0]) == 420.157650843928 and float(y[0]) == 255.839424594576
    assert bool((y > 0).all()) and bool((y < x[:, 0]).all())  # food is part of income


def test_rand_hie():
    x, y = lr.datasets.rand_hie()
    assert x.shape == (20190, 9) and y.shape == (20190,)
    assert x.dtype == y.dtype == torch.float64
    assert lr.datasets.RAND_HIE_COLUMNS[0] == "lncoins" and len(lr.datasets.RAND_HIE_COLUMNS) == 9
    torch.testing.assert_close(
        x[0], torch.tensor([4.61512, 1, 6.907755, 0, 0, 13.73189, 1, 0, 0], dtype=torch.float64)
    )
    assert bool((y == torch.round(y)).all()) and int(y.min()) == 0 and int(y.max()) == 77
    health = x[:, 6:]  # good, fair, poor: at most one of them
    assert bool(((health == 0) | (health == 1)).all()) and int(health.sum(1).max()) == 1


def test_anes96():
    x, y = lr.datasets.anes96()
    assert x.shape == (944, 4) and y.shape == (944,)
    assert x.dtype == torch.float64 and y.dtype == torch.int64
    assert lr.datasets.ANES96_COLUMNS == ("age", "educ", "income", "TVnews")
    # first respondent: PID 6, age 36, educ 3, income 1, TVnews 7
    assert int(y[0]) == 6 and x[0].tolist() == [36.0, 3.0, 1.0, 7.0]
    assert torch.equal(torch.unique(y), torch.arange(7))
    assert torch.bincount(y).tolist() == [200, 180, 108, 37, 94, 150, 175]


def test_loaders_return_fresh_tensors():
    x, y = lr.datasets.engel()
    x += 1.0
    y.zero_()
    x2, y2 = lr.datasets.engel()
    assert float(x2[0, 0]) == 420.157650843928 and float(y2[0]) == 255.839424594576


def test_train_test_split_is_a_seeded_partition():
    x = torch.arange(20.0).unsqueeze(1)
    y = torch.arange(20)
    x_tr, y_tr, x_te, y_te = lr.datasets.train_test_split(x, y, test_fraction=0.25, seed=3)
    assert x_tr.shape == (15, 1) and y_te.shape == (5,)
    assert torch.equal(x_tr[:, 0].long(), y_tr) and torch.equal(x_te[:, 0].long(), y_te)
    assert sorted(torch.cat([y_tr, y_te]).tolist()) == list(range(20))
    again = lr.datasets.train_test_split(x, y, test_fraction=0.25, seed=3)
    assert torch.equal(again[3], y_te)
    other = lr.datasets.train_test_split(x, y, test_fraction=0.25, seed=4)
    assert not torch.equal(other[3], y_te)
    state = torch.get_rng_state()
    lr.datasets.train_test_split(x, y, seed=5)
    assert torch.equal(torch.get_rng_state(), state)  # the global generator is untouched


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, 0.01])
def test_train_test_split_refuses_a_fraction_that_empties_a_part(fraction):
    with pytest.raises(ValueError, match="test_fraction: expected"):
        lr.datasets.train_test_split(torch.zeros(20, 1), torch.zeros(20), test_fraction=fraction)


def test_train_test_split_refuses_mismatched_rows():
    with pytest.raises(ValueError, match=r"y: expected 20 rows to match x of shape \(20, 1\)"):
        lr.datasets.train_test_split(torch.zeros(20, 1), torch.zeros(19))


def test_describe_refuses_an_unknown_name():
    with pytest.raises(
        ValueError, match=r"name: expected one of \['anes96', 'engel', 'rand_hie'\]"
    ):
        lr.datasets.describe("iris")


def test_the_data_files_ship_in_the_wheel():
    # setuptools builds the wheel from pyproject.toml: every subpackage of lossrecipe is
    # found, and the data globs name every file in the data folder
    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "lossrecipe.*" in config["packages"]["find"]["include"]
    globs = config["package-data"]["lossrecipe.datasets"]
    shipped = sorted(p.name for p in (root / "lossrecipe" / "datasets" / "data").iterdir())
    assert shipped == sorted(f[:-4] + e for f in FILES for e in (".csv", ".md"))
    assert all(any(fnmatch(f"data/{name}", g) for g in globs) for name in shipped)
