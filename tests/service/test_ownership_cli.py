"""The example organisation's deliberate ownership problems, through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def example_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(EXAMPLES, root / "examples")
    config = root / "examples" / "steward.yaml"
    result = runner.invoke(
        app, ["ingest", "--config", str(config), "--source", "catalog", "--source", "codeowners"]
    )
    assert result.exit_code == 0, result.output
    return config


def _gaps(config: Path, *extra: str) -> set[tuple[str, str]]:
    result = runner.invoke(app, ["ownership", "gaps", "-c", str(config), "-f", "json", *extra])
    assert result.exit_code == 0, result.output
    return {(g["subject"], g["gap"]) for g in json.loads(result.stdout)}


def test_deliberate_gaps_of_the_example_org(example_config: Path) -> None:
    gaps = _gaps(example_config)
    assert {
        ("component:default/feature-flags-service", "no_owner"),
        ("component:default/shipping-rates-service", "unknown_owner"),
        ("group:default/team-data-quality", "group_without_members"),
        ("repository:legacy-batch-jobs", "repo_without_catalog_info"),
        ("repository:api-gateway", "codeowners_unknown_owner"),
        ("repository:payments-api", "codeowners_rule_without_owners"),
        ("component:default/search-indexer", "codeowners_disagree"),
    } <= gaps


def test_team_filter_rolls_up_the_group_tree(example_config: Path) -> None:
    platform = _gaps(example_config, "--team", "dept-platform")
    assert ("group:default/team-data-quality", "group_without_members") in platform
    assert ("component:default/shipping-rates-service", "unknown_owner") not in platform
    csv_out = runner.invoke(
        app,
        [
            "ownership",
            "gaps",
            "-c",
            str(example_config),
            "-f",
            "csv",
            "--team",
            "group:default/team-search",
        ],
    )
    assert csv_out.stdout.splitlines()[0].startswith("subject,gap,detail,evidence,owner")
    assert "component:default/search-indexer,codeowners_disagree" in csv_out.stdout


def test_ownership_show_lists_every_claim(example_config: Path) -> None:
    result = runner.invoke(
        app, ["ownership", "show", "search-indexer", "-c", str(example_config), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["ref"] == "component:default/search-indexer"
    assert shown["owner"] == "group:default/team-search"
    assert shown["agreeing_sources"] == ["catalog"]
    assert shown["disagreeing_sources"] == ["codeowners"]
    roles = {(c["role"], c["owner"], c["evidence"]) for c in shown["claims"]}
    assert ("codeowner", "group:default/team-data-platform", "search-indexer:CODEOWNERS:2") in roles
    assert [g["gap"] for g in shown["gaps"]] == ["codeowners_disagree"]


def test_unknown_ref_suggests_close_names(example_config: Path) -> None:
    result = runner.invoke(app, ["ownership", "show", "serch-indexer", "-c", str(example_config)])
    assert result.exit_code == 2
    assert "did you mean" in result.stderr
    assert "component:default/search-indexer" in result.stderr.replace("\n", "")
