"""Issue 14.8: ``steward catalog check DIR`` checks the files the catalog_files source reads."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from catalog.check import check_paths
from service.cli import app

REPOS = Path(__file__).parents[2] / "examples" / "org" / "repos"
DELIBERATELY_BROKEN = {
    "feature-flags/catalog-info.yaml",  # no spec.owner
    "recommendations-engine/catalog-info.yaml",  # a YAML syntax error
}


def test_example_org_fails_only_on_its_deliberately_broken_files() -> None:
    report = check_paths([REPOS])
    keys = [f.key for f in report.files]
    assert keys and all(k.rsplit("/", 1)[-1] == "catalog-info.yaml" for k in keys)
    assert {f.key for f in report.files if not f.result.ok} == DELIBERATELY_BROKEN


def test_all_yaml_checks_every_yaml_file_and_named_files_are_always_checked() -> None:
    every = {f.key for f in check_paths([REPOS], all_yaml=True).files}
    assert "billing-service/openapi.yaml" in every and "developer-portal/mkdocs.yml" in every
    named = check_paths([REPOS / "billing-service" / "openapi.yaml"])
    assert [f.key for f in named.files] == [(REPOS / "billing-service" / "openapi.yaml").as_posix()]
    assert not named.ok  # an OpenAPI document is not a catalog entity


def test_cli_exit_code_on_the_example_org() -> None:
    runner = CliRunner()
    broken = runner.invoke(app, ["catalog", "check", str(REPOS), "-f", "json"])
    assert broken.exit_code == 1
    healthy = [str(REPOS / k.split("/")[0]) for k in ("payments-api/", "billing-service/")]
    assert runner.invoke(app, ["catalog", "check", *healthy]).exit_code == 0
