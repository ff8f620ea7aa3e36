from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from service.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


@pytest.fixture()
def org(tmp_path: Path) -> Path:
    repos = tmp_path / "repos"
    (repos / "a").mkdir(parents=True)
    (repos / "a" / "catalog-info.yaml").write_text(COMPONENT.format(name="svc-a"))
    (repos / "b").mkdir()
    (repos / "b" / "catalog-info.yaml").write_text(COMPONENT.format(name="svc-b"))
    config = tmp_path / "steward.yaml"
    config.write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    return config


def test_catalog_check_json_contract(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(
        COMPONENT.format(name="svc") + "  dependsOn: [resource:db]\n"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.yml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: -bad-\nspec: {}\n"
    )
    result = runner.invoke(
        app, ["catalog", "check", str(tmp_path), "--all-yaml", "--format", "json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"files", "relations", "conflicts"}
    assert report["files"]["good.yaml"] == {
        "ok": True,
        "errors": [],
        "entities": ["component:default/svc"],
    }
    bad = report["files"]["sub/bad.yml"]
    assert bad["ok"] is False and bad["entities"] == []
    assert all(set(e) == {"line", "message"} for e in bad["errors"])
    assert any(e["line"] == 4 for e in bad["errors"])
    assert report["relations"] == sorted(report["relations"])
    assert ["component:default/svc", "dependsOn", "resource:default/db"] in report["relations"]
    assert ["resource:default/db", "dependencyOf", "component:default/svc"] in report["relations"]
    assert report["conflicts"] == []


def test_catalog_check_text_and_exit_zero_when_all_ok(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(COMPONENT.format(name="one"))
    result = runner.invoke(app, ["catalog", "check", str(tmp_path / "a.yaml")])
    assert result.exit_code == 0, result.output
    assert "1 files, 0 not ok, 1 entities accepted" in result.stdout


def test_catalog_check_reports_conflicts(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(COMPONENT.format(name="dup"))
    (tmp_path / "a.yaml").write_text(COMPONENT.format(name="dup"))
    result = runner.invoke(app, ["catalog", "check", str(tmp_path), "--all-yaml", "-f", "json"])
    report = json.loads(result.stdout)
    assert report["conflicts"] == [["component:default/dup", "a.yaml", "b.yaml"]]
    assert report["files"]["b.yaml"]["entities"] == []


def test_catalog_check_missing_path(tmp_path: Path) -> None:
    result = runner.invoke(app, ["catalog", "check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_ingest_then_sql(org: Path) -> None:
    result = runner.invoke(app, ["ingest", "--config", str(org)])
    assert result.exit_code == 0, result.output
    assert "ingest summary" in result.stdout
    sql = runner.invoke(
        app,
        [
            "sql",
            "select kind, count(*) as n from entities group by 1",
            "--config",
            str(org),
            "--format",
            "json",
        ],
    )
    assert sql.exit_code == 0, sql.output
    assert json.loads(sql.stdout) == [{"kind": "component", "n": 2}]
    csv_out = runner.invoke(
        app, ["sql", "select name from entities order by 1", "-c", str(org), "-f", "csv"]
    )
    assert csv_out.stdout.splitlines() == ["name", "svc-a", "svc-b"]


def test_ingest_unknown_source(org: Path) -> None:
    result = runner.invoke(app, ["ingest", "--config", str(org), "--source", "nope"])
    assert result.exit_code == 2
    assert "unknown source nope" in result.stderr


def test_sql_refuses_writes(org: Path) -> None:
    runner.invoke(app, ["ingest", "--config", str(org)])
    result = runner.invoke(app, ["sql", "drop view entities", "--config", str(org)])
    assert result.exit_code == 2
    assert "only read-only SELECT" in result.stderr
    still = runner.invoke(
        app, ["sql", "select count(*) from entities", "-c", str(org), "-f", "csv"]
    )
    assert still.stdout.splitlines()[1] == "2"


def test_bad_config_is_reported_with_line(tmp_path: Path) -> None:
    config = tmp_path / "steward.yaml"
    config.write_text("database: x\nsourcez: {}\n")
    result = runner.invoke(app, ["ingest", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:2: sourcez: unknown key" in result.stderr.replace("\n", "")


def test_demo_ingests_the_example_org(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    result = runner.invoke(
        app, ["demo", "--no-serve", "--config", str(tmp_path / "examples/steward.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "example organisation" in result.stdout
    for kind in ("component", "group", "user", "system", "domain", "api", "resource"):
        assert f"entities: {kind}" in result.stdout
    # the local AWS and PagerDuty stand-ins were ingested too, with their deliberate gaps
    for line in (
        "cloud resources",
        "pagerduty services",
        "gaps: untagged_resource",
        "gaps: production_without_oncall",
        "gaps: unknown_owner",
    ):
        assert line in result.stdout
    # and scored: both example scorecards, with a mix of levels
    con = duckdb.connect(str(tmp_path / ".steward" / "demo.duckdb"), read_only=True)
    levels: dict[str, set[str]] = {}
    for card, level in con.execute(
        "SELECT DISTINCT scorecard, coalesce(level, 'none') FROM scorecard_scores"
    ).fetchall():
        levels.setdefault(card, set()).add(level)
    con.close()
    assert levels == {
        "production-readiness": {"none", "bronze", "silver", "gold"},
        "ownership-hygiene": {"none", "basic", "consistent", "aligned"},
    }


def test_demo_starts_again_on_its_own_database(tmp_path: Path) -> None:
    """The stand-ins are new at each start (moto gives new EC2 ids): a second `make run`
    must not be held by the mass-delete guard."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    args = ["demo", "--no-serve", "--config", str(tmp_path / "examples/steward.yaml")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    con = duckdb.connect(str(tmp_path / ".steward" / "demo.duckdb"), read_only=True)
    statuses = con.execute(
        "SELECT source, status FROM ingest_runs WHERE source = 'aws' ORDER BY started_at"
    ).fetchall()
    con.close()
    assert [status for _, status in statuses][-1] != "failed", statuses


def test_console_script_is_installed() -> None:
    steward = Path(sys.executable).parent / "steward"
    result = subprocess.run([str(steward), "--help"], capture_output=True, text=True, check=True)
    for command in ("catalog", "ingest", "sql", "demo"):
        assert command in result.stdout


def test_table_cells_and_errors_are_data_not_markup(org: Path) -> None:
    runner.invoke(app, ["ingest", "--config", str(org)])
    result = runner.invoke(
        app, ["sql", "select '[tier-1] [bold]x' as cell", "-c", str(org), "-f", "table"]
    )
    assert result.exit_code == 0, result.output
    assert "[tier-1] [bold]x" in result.stdout
    refused = runner.invoke(app, ["sql", "select * from [nope", "-c", str(org)])
    assert refused.exit_code == 2
    assert "[nope" in refused.stderr


def test_error_lines_keep_line_numbers_that_look_like_emoji_codes(tmp_path: Path) -> None:
    """rich would turn ':100:' into an emoji; a file:line must print as written."""
    config = tmp_path / "steward.yaml"
    config.write_text("database: x\n" + "\n" * 98 + "sourcez: {}\n")
    result = runner.invoke(app, ["ingest", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:100: sourcez: unknown key" in result.stderr.replace("\n", "")
