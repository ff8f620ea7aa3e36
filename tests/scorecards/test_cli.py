"""``steward scorecard run|show|team|diff`` on the fixture org, through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app, common
from tests.scorecards.conftest import Env, write_catalog
from tests.scorecards.test_rollups_history_dryrun import CARD, changed_catalog

runner = CliRunner()
CONFIG = (
    "database: ./steward.duckdb\nscorecards: ./scorecards\n"
    "sources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
)


@pytest.fixture()
def config(env: Env, monkeypatch: pytest.MonkeyPatch) -> Path:
    """steward.yaml over the fixture's database (closed, so the CLI can open it read-only)."""
    monkeypatch.setattr(common.console, "width", 400)
    monkeypatch.setattr(common.err_console, "width", 400)
    env.card(CARD, levels="[bronze, silver]")
    env.store.close()
    path = env.tmp / "steward.yaml"
    path.write_text(CONFIG)
    return path


def invoke(config: Path, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--config", str(config)])
    assert result.exit_code == code, result.output
    return result


def table(output: str) -> list[list[str]]:
    """The body rows of every rich table in ``output``, as stripped cells."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def sql(config: Path, query: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(invoke(config, "sql", query, "-f", "json").stdout)
    return rows


def test_run_prints_the_summary_and_stores_the_run(config: Path) -> None:
    result = invoke(config, "scorecard", "run")
    assert "scorecard run 1: 14 results" in result.stdout
    assert table(result.stdout) == [
        ["card", "7", "none 0, bronze 6, silver 1", "57.1", "pass 8, fail 6, exempt 0, unknown 0"]
    ]
    assert "no entity's level changed since the last stored run" in result.stdout
    assert sql(config, "SELECT run_id, entity_count, result_count FROM scorecard_runs") == [
        {"run_id": 1, "entity_count": 7, "result_count": 14}
    ]


def test_run_lists_level_changes_and_expired_exemptions(env: Env, config: Path) -> None:
    invoke(config, "scorecard", "run")
    write_catalog(env.root, changed_catalog())
    invoke(config, "ingest")
    path = env.define(
        "exemptions.yaml",
        "exemptions:\n  - {entity: legacy, check: docs, reason: Old news., expires: 2020-01-01}\n",
    )
    result = invoke(config, "scorecard", "run")
    assert "scorecard run 2: 14 results" in result.stdout
    assert "levels that changed since the last stored run" in result.stdout
    assert table(result.stdout)[1:] == [
        ["card", "component:default/api", "gained", "bronze", "silver", "group:default/team-a"],
        ["card", "component:default/db-svc", "gone", "bronze", "-", "group:default/team-b"],
        ["card", "component:default/new-svc", "new", "-", "bronze", "group:default/team-a"],
        ["card", "component:default/web", "lost", "silver", "bronze", "group:default/team-a"],
    ]
    assert (
        f"expired exemption {path}:2: component:default/legacy / docs (expired 2020-01-01): "
        "Old news." in result.stderr
    )


def test_dry_run_prints_what_would_change_and_stores_nothing(env: Env, config: Path) -> None:
    invoke(config, "scorecard", "run")
    env.card(CARD.replace("level: silver", "level: bronze"), levels="[bronze, silver]")
    result = invoke(config, "scorecard", "run", "--dry-run")
    assert "dry run (nothing stored): 14 results" in result.stdout
    assert "levels that would change since the last stored run" in result.stdout
    rows = table(result.stdout)
    assert rows[0][:3] == ["card", "7", "none 6, bronze 0, silver 1"]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        (f"component:default/{n}", "lost", "bronze", "-")
        for n in ("api", "cyc-1", "cyc-2", "db-svc", "ghost-owned", "legacy")
    ]
    assert sql(config, "SELECT count(*) AS n FROM scorecard_runs") == [{"n": 1}]
    assert sql(
        config, "SELECT level FROM scorecard_scores WHERE ref = 'component:default/api'"
    ) == [{"level": "bronze"}]


def test_run_only_one_scorecard_and_an_unknown_one(env: Env, config: Path) -> None:
    env.card("- {id: owner, title: O, level: x, type: has_owner}\n", levels="[x]", card_id="other")
    result = invoke(config, "scorecard", "run", "--scorecard", "other")
    assert [r[0] for r in table(result.stdout)] == ["other"]
    assert sql(config, "SELECT DISTINCT scorecard FROM scorecard_scores") == [
        {"scorecard": "other"}
    ]
    bad = invoke(config, "scorecard", "run", "-s", "nope", code=2)
    assert "unknown scorecard nope (defined: card, other)" in bad.stderr


def test_show_an_entity_as_json_and_text(env: Env, config: Path) -> None:
    env.define(
        "exemptions.yaml",
        "exemptions:\n  - {entity: api, check: docs, reason: In the wiki., expires: 2099-01-01}\n",
    )
    invoke(config, "scorecard", "run")
    shown = json.loads(invoke(config, "scorecard", "show", "api", "--format", "json").stdout)
    assert shown["ref"] == "component:default/api"
    assert shown["expired_exemptions"] == []
    (card,) = shown["scorecards"]
    assert {k: card[k] for k in ("scorecard", "title", "level", "score", "levels")} == {
        "scorecard": "card",
        "title": "Card",
        "level": "silver",
        "score": 100.0,
        "levels": ["bronze", "silver"],
    }
    assert (card["passed"], card["failed"], card["exempt"], card["unknown"]) == (1, 0, 1, 0)
    assert card["checks"] == [
        {"check_id": "owner", "check_title": "O", "level": "bronze", "weight": 1.0,
         "state": "pass", "evidence": "owner group:default/team-a", "exemption_reason": None,
         "exemption_expires": None},
        {"check_id": "docs", "check_title": "D", "level": "silver", "weight": 1.0,
         "state": "exempt",
         "evidence": "fail (exempt): annotation backstage.io/techdocs-ref is missing",
         "exemption_reason": "In the wiki.", "exemption_expires": "2099-01-01"},
    ]  # fmt: skip
    text = invoke(config, "scorecard", "show", "component:db-svc").stdout
    assert "Card (card): level bronze of bronze, silver, score 50.0" in text
    assert table(text) == [
        ["bronze", "owner", "pass", "owner group:default/team-b", ""],
        ["silver", "docs", "fail", "annotation backstage.io/techdocs-ref is missing", ""],
    ]
    group = invoke(config, "scorecard", "show", "group:team-a").stdout
    assert "group:default/team-a is in no scorecard's latest run" in group
    unknown = invoke(config, "scorecard", "show", "db-sv", code=2)
    assert "unknown entity component:default/db-sv; did you mean" in unknown.stderr


def test_team_rolls_up_the_tree(config: Path) -> None:
    invoke(config, "scorecard", "run")
    found = json.loads(invoke(config, "scorecard", "team", "dept-a", "-f", "json").stdout)
    assert found["team"] == "group:default/dept-a"
    assert found["scorecards"] == [
        {"scorecard": "card", "entities": 5, "own_entities": 0, "average_score": 60.0,
         "levels": {"bronze": 4, "silver": 1}, "passed": 6, "failed": 4, "exempt": 0,
         "unknown": 0},
    ]  # fmt: skip
    assert [(e["ref"], e["level"]) for e in found["entities"]] == [
        ("component:default/api", "bronze"),
        ("component:default/cyc-1", "bronze"),
        ("component:default/cyc-2", "bronze"),
        ("component:default/db-svc", "bronze"),
        ("component:default/web", "silver"),
    ]
    text = invoke(config, "scorecard", "team", "team-c").stdout
    assert "group:default/team-c: roll-up" in text
    rows = table(text)
    assert rows[0][:4] == ["card", "1", "1", "50.0"]
    assert rows[1][:4] == ["card", "component:default/legacy", "group:default/team-c", "bronze"]


def test_diff_since_7d_after_the_catalog_changed(env: Env, config: Path) -> None:
    invoke(config, "scorecard", "run")
    write_catalog(env.root, changed_catalog())
    invoke(config, "ingest")
    invoke(config, "scorecard", "run")
    found = json.loads(invoke(config, "scorecard", "diff", "--since", "7d", "-f", "json").stdout)
    changes = [
        (e["ref"], e["change"], e["level_before"], e["level_now"]) for e in found["entities"]
    ]
    assert changes == [
        ("component:default/api", "better", "bronze", "silver"),
        ("component:default/db-svc", "gone", "bronze", None),
        ("component:default/new-svc", "new", None, "bronze"),
        ("component:default/web", "worse", "silver", "bronze"),
    ]
    assert [t["team"] for t in found["teams"]] == [
        "group:default/dept-a",
        "group:default/org",
        "group:default/team-a",
        "group:default/team-b",
    ]
    text = invoke(config, "scorecard", "diff", "--since", "7d", "--team", "team-b").stdout
    assert "changes since " in text
    rows = table(text)
    assert rows[0] == [
        "card", "component:default/db-svc", "group:default/team-b", "gone", "bronze", "",
        "50.0", "", "0", "0",
    ]  # fmt: skip
    assert [r[0] for r in rows[1:]] == ["group:default/team-b"]
    bad = invoke(config, "scorecard", "diff", "--since", "7 days", code=2)
    assert "invalid --since '7 days': use e.g. 30m, 24h, 7d, 2w" in bad.stderr


def test_a_config_without_scorecards_is_an_error(env: Env, config: Path) -> None:
    config.write_text(CONFIG.replace("scorecards: ./scorecards\n", ""))
    result = invoke(config, "scorecard", "run", code=2)
    assert "error: no `scorecards:` directory in the config" in result.stderr
    assert result.stdout == ""
    config.write_text(CONFIG.replace("./scorecards", "./missing"))
    missing = invoke(config, "scorecard", "run", code=2)
    assert f"{env.tmp / 'missing'}: scorecards directory does not exist" in missing.stderr


def test_a_bad_definition_is_an_error_naming_file_and_line(env: Env, config: Path) -> None:
    path = env.card("- {id: a, title: A, level: platinum, type: has_owner}\n")
    result = invoke(config, "scorecard", "run", code=2)
    assert (
        f"{path}:6: checks.0.level: level 'platinum' is not one of ['bronze', 'silver', 'gold']"
        in result.stderr
    )
