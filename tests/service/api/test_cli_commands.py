"""steward report ownership-gaps, ownership suggest, scorecard gate and sql on a copy of the
example org's published snapshot (this process holds the live database read-write)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.store.snapshot import snapshot_path
from service.cli import app
from service.steward_service import StewardService

runner = CliRunner()


@pytest.fixture(scope="module")
def cli_config(org: StewardService, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    shutil.copy(snapshot_path(org.config.database), root / "steward.duckdb")
    (root / "steward.yaml").write_text(f"database: {root / 'steward.duckdb'}\n")
    return root / "steward.yaml"


def _config(path: Path) -> list[str]:
    return ["--config", str(path)]


def test_gate_exit_codes(cli_config: Path) -> None:
    ok = runner.invoke(
        app,
        [
            "scorecard",
            "gate",
            "identity-provider",
            "--scorecard",
            "production-readiness",
            "--min-level",
            "gold",
            *_config(cli_config),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("PASS component:default/identity-provider")
    failed = runner.invoke(
        app,
        [
            "scorecard",
            "gate",
            "billing-service",
            "-s",
            "production-readiness",
            "-l",
            "silver",
            *_config(cli_config),
        ],
    )
    assert failed.exit_code == 1
    assert "FAIL component:default/billing-service" in failed.stdout
    assert "techdocs" in failed.stdout  # a failing check with its evidence
    as_json = runner.invoke(
        app,
        [
            "scorecard",
            "gate",
            "billing-service",
            "-s",
            "production-readiness",
            "-l",
            "bronze",
            "-f",
            "json",
            *_config(cli_config),
        ],
    )
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["pass"] is True
    for args in (
        ["billing-servce", "-s", "production-readiness", "-l", "gold"],
        ["billing-service", "-s", "prod", "-l", "gold"],
        ["billing-service", "-s", "production-readiness", "-l", "platinum"],
    ):
        bad = runner.invoke(app, ["scorecard", "gate", *args, *_config(cli_config)])
        assert bad.exit_code == 2, args


def test_report_command(cli_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    done = runner.invoke(
        app,
        ["report", "ownership-gaps", "--format", "html", "--out", str(out), *_config(cli_config)],
    )
    assert done.exit_code == 0, done.output
    assert "<svg" in out.read_text()
    md = runner.invoke(app, ["report", "ownership-gaps", *_config(cli_config)])
    assert md.stdout.startswith("# Ownership gaps, week")
    quiet = runner.invoke(
        app, ["report", "ownership-gaps", "--week", "2021-W01", *_config(cli_config)]
    )
    assert quiet.stdout == (
        "Ownership gaps 2021-W01: no change — 0 still open (same as last week).\n"
    )
    bad = runner.invoke(app, ["report", "ownership-gaps", "--week", "21-1", *_config(cli_config)])
    assert bad.exit_code == 2 and "invalid week" in bad.stderr


def test_ownership_suggest(cli_config: Path) -> None:
    one = runner.invoke(
        app, ["ownership", "suggest", "shipping-rates-service", "-f", "json", *_config(cli_config)]
    )
    assert one.exit_code == 0, one.output
    found = json.loads(one.stdout)
    assert [s["owner"] for s in found[0]["suggestions"]] == ["group:default/team-checkout"]
    every = runner.invoke(app, ["ownership", "suggest", *_config(cli_config)])
    assert "component:default/feature-flags-service" in every.stdout.replace("\n", "")
    rejected = runner.invoke(
        app, ["ownership", "suggest", "feature-flags-service", *_config(cli_config)]
    )
    assert rejected.exit_code == 0 and "no_owner" in rejected.stdout


def test_sql_command_uses_the_guard(cli_config: Path) -> None:
    refused = runner.invoke(
        app, ["sql", "SELECT * FROM read_text('/etc/passwd')", *_config(cli_config)]
    )
    assert refused.exit_code == 2 and "read_text() is not allowed" in refused.stderr
    ok = runner.invoke(
        app, ["sql", "SELECT count(*) AS n FROM entities", "-f", "json", *_config(cli_config)]
    )
    assert ok.exit_code == 0 and json.loads(ok.stdout)[0]["n"] > 100
