"""``steward graph …`` through Typer's CliRunner, on the hand-built catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


@pytest.fixture()
def config(tmp_path: Path, catalog_root: Path) -> Path:
    path = tmp_path / "steward.yaml"
    path.write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    assert runner.invoke(app, ["ingest", "--config", str(path)]).exit_code == 0
    return path


def test_blast_radius_json_contract(config: Path) -> None:
    result = runner.invoke(
        app, ["graph", "blast-radius", "orders-db", "--format", "json", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ref"] == "resource:default/orders-db"
    assert [i["ref"] for i in data["impacted"]][:3] == [
        "component:default/cyc-b",
        "component:default/orders",
        "system:default/shop",
    ]
    for item in data["impacted"]:
        assert set(item) == {"ref", "depth", "path", "owners", "oncall", "level"}
        assert item["path"][0] == item["ref"] and item["path"][-1] == data["ref"]
    assert data["summary"]["impacted"] == 9


def test_blast_radius_depth_direction_and_table(config: Path) -> None:
    result = runner.invoke(
        app,
        ["graph", "blast-radius", "web", "--direction", "dependencies", "--depth", "1",
         "--format", "json", "--config", str(config)],
    )  # fmt: skip
    assert [i["ref"] for i in json.loads(result.stdout)["impacted"]] == [
        "component:default/checkout",
        "component:default/legacy",
    ]
    table = runner.invoke(app, ["graph", "blast-radius", "legacy", "--config", str(config)])
    assert table.exit_code == 0 and "1 impacted" in table.stdout


def test_unknown_ref_exits_2_with_suggestions(config: Path) -> None:
    result = runner.invoke(app, ["graph", "blast-radius", "ordrs", "--config", str(config)])
    assert result.exit_code == 2
    assert "unknown entity" in result.stderr and "component:default/orders" in result.stderr


def test_critical_cycles_risky_no_oncall(config: Path) -> None:
    critical = runner.invoke(
        app, ["graph", "critical", "--limit", "1", "--format", "json", "--config", str(config)]
    )
    assert json.loads(critical.stdout) == [
        {"ref": "resource:default/orders-db", "kind": "resource", "dependents": 9}
    ]
    cycles = runner.invoke(app, ["graph", "cycles", "--format", "json", "--config", str(config)])
    assert [c["size"] for c in json.loads(cycles.stdout)] == [2]
    risky = runner.invoke(app, ["graph", "risky", "--format", "json", "--config", str(config)])
    assert len(json.loads(risky.stdout)) == 2
    no_oncall = runner.invoke(app, ["graph", "no-oncall", "--format", "csv", "-c", str(config)])
    assert no_oncall.exit_code == 0 and "component:default/web" in no_oncall.stdout


def test_export(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "graph.json"
    result = runner.invoke(
        app, ["graph", "export", "--format", "json", "--out", str(out), "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["edges"]
    graphml = tmp_path / "graph.graphml"
    assert (
        runner.invoke(app, ["graph", "export", "--out", str(graphml), "-c", str(config)]).exit_code
        == 0
    )
    assert graphml.read_text().startswith("<?xml")


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_text("database: ./none.duckdb\n")
    result = runner.invoke(app, ["graph", "critical", "--config", str(path)])
    assert result.exit_code == 2 and "steward ingest" in result.stderr


def test_commands_read_the_graph_cached_in_the_state_dir(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["graph", "blast-radius", "orders", "--format", "json", "--config", str(config)]
    first = runner.invoke(app, args)
    cache = tmp_path / "s.duckdb.state" / "graph.cache"
    assert first.exit_code == 0 and cache.is_file()

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("built the graph although the cache file matches")

    with monkeypatch.context() as m:
        m.setattr("graph.build.build_graph", refuse)
        second = runner.invoke(app, args)
        assert second.exit_code == 0, second.output
        assert json.loads(second.stdout) == json.loads(first.stdout)
        critical = runner.invoke(app, ["graph", "critical", "--format", "json", "-c", str(config)])
        assert critical.exit_code == 0, critical.output
    new = tmp_path / "repos" / "new" / "catalog-info.yaml"
    new.parent.mkdir()
    new.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: new\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        "  dependsOn: [component:orders]\n"
    )
    assert runner.invoke(app, ["ingest", "--config", str(config)]).exit_code == 0
    third = json.loads(runner.invoke(app, args).stdout)
    assert "component:default/new" in [i["ref"] for i in third["impacted"]]
