"""Files the site and CI rely on: the vendored MathJax, the workflow, CITATION.cff."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import vendor_mathjax  # noqa: E402

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def test_vendored_mathjax_matches_its_manifest():
    assert vendor_mathjax.check(vendor_mathjax.TARGET) == []
    header = (vendor_mathjax.TARGET / vendor_mathjax.MANIFEST).read_text().splitlines()[0]
    assert f"mathjax@{vendor_mathjax.VERSION}" in header
    assert "Apache License" in (vendor_mathjax.TARGET / "LICENSE").read_text()


def test_manifest_check_catches_a_changed_or_extra_file(tmp_path):
    copy = tmp_path / "mathjax"
    shutil.copytree(vendor_mathjax.TARGET, copy)
    with (copy / "tex-chtml.js").open("a") as f:
        f.write("\n")
    (copy / "extra.js").write_text("")
    assert vendor_mathjax.check(copy) == ["not in the manifest: extra.js", "changed: tex-chtml.js"]


def test_site_config_serves_mathjax_from_the_site():
    sphinx = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert sphinx["html_extra_path"] == ["book/_extra"]
    # Sphinx puts mathjax_path under _static/, where html_extra_path delivers it.
    assert (ROOT / "book/_extra/_static" / sphinx["mathjax_path"]).is_file()


def _validate(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "schema, path",
    [("vendor.github-workflows", WORKFLOW), ("vendor.citation-file-format", ROOT / "CITATION.cff")],
)
def test_file_is_valid_against_its_schema(schema, path):
    result = _validate(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    workflow = yaml.safe_load(WORKFLOW.read_text())
    del workflow["jobs"]["test"]["runs-on"]
    broken = tmp_path / "ci.yml"
    broken.write_text(yaml.safe_dump(workflow))
    assert _validate("vendor.github-workflows", broken).returncode != 0


def test_workflow_runs_ci_on_pushes_pull_requests_weekly_and_publishes_main():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    steps = workflow["jobs"]["test"]["steps"]
    assert any(step.get("run") == ".ci/run" for step in steps)
    assert any(step.get("with", {}).get("path") == "_build/html" for step in steps)
    publish = workflow["jobs"]["publish"]
    assert "refs/heads/main" in publish["if"]
    assert publish["steps"][-1]["uses"].startswith("actions/deploy-pages@")


def test_the_version_has_one_source():
    # pyproject.toml reads it from lossrecipe.__version__; CITATION.cff must say the same
    import tomllib

    import lossrecipe

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "lossrecipe.__version__"}
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["version"] == lossrecipe.__version__
