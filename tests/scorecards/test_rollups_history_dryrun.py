"""Team roll-ups over the 3-level group tree, run history, diffs between runs and dry runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from catalog.store.scorecard_scratch import SCRATCH_TABLES
from scorecards import LevelChange
from scorecards.queries import scorecard_diff, team_scorecard
from tests.scorecards.conftest import COMPONENTS, Env, component

CARD = """\
- {id: owner, title: O, level: bronze, type: has_owner}
- {id: docs, title: D, level: silver, type: has_docs}
"""
HISTORY_TABLES = (
    "scorecard_runs",
    "scorecard_check_rows",
    "scorecard_result_rows",
    "scorecard_entity_rows",
    "scorecard_exemption_rows",
)


def changed_catalog() -> list[tuple[str, str, str]]:
    """web loses TechDocs, api gains them, db-svc is removed, new-svc (team-a) is added."""
    kept = [c for c in COMPONENTS if c[1] not in ("web", "api", "db-svc")]
    return [
        component(
            "web",
            meta="  description: The web shop\n  tags: [tier-1]\n",
            dependsOn="[component:api]",
        ),
        component("api", meta="  annotations:\n    backstage.io/techdocs-ref: dir:.\n"),
        component("new-svc"),
        *kept,
    ]


def counts(env: Env, tables: tuple[str, ...]) -> dict[str, int]:
    return {t: env.rows(f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def team_rows(env: Env) -> dict[str, tuple[Any, ...]]:
    return {
        team.split("/", 1)[1]: tuple(rest)
        for team, *rest in env.rows(
            "SELECT team, entities, own_entities, average_score, levels, passed, failed, exempt,"
            " unknown FROM team_scorecards WHERE scorecard = 'card'"
        )
    }


def test_team_scorecards_roll_up_the_group_tree(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    env.define(
        "exemptions.yaml",
        "exemptions:\n"
        "  - {entity: legacy, check: docs, reason: Going away., expires: 2099-01-01}\n",
    )
    env.run()
    # web silver 100; api, cyc-1, cyc-2 (team-a), db-svc (team-b) bronze 50; legacy (team-c)
    # silver 100 with docs exempt; ghost-owned's owner is no Group, so it is in no roll-up.
    assert team_rows(env) == {
        "team-a": (4, 4, 62.5, {"bronze": 3, "silver": 1}, 5, 3, 0, 0),
        "team-b": (1, 1, 50.0, {"bronze": 1}, 1, 1, 0, 0),
        "team-c": (1, 1, 100.0, {"silver": 1}, 1, 0, 1, 0),
        "dept-a": (5, 0, 60.0, {"bronze": 4, "silver": 1}, 6, 4, 0, 0),
        "dept-b": (1, 0, 100.0, {"silver": 1}, 1, 0, 1, 0),
        "org": (6, 0, 66.7, {"bronze": 4, "silver": 2}, 7, 4, 1, 0),
    }
    con = env.store.connection
    dept = team_scorecard(con, "dept-a")
    assert dept["team"] == "group:default/dept-a"
    assert [(e["ref"].split("/")[1], e["level"]) for e in dept["entities"]] == [
        ("api", "bronze"),
        ("cyc-1", "bronze"),
        ("cyc-2", "bronze"),
        ("db-svc", "bronze"),
        ("web", "silver"),
    ]
    assert [(s["scorecard"], s["entities"], s["own_entities"]) for s in dept["scorecards"]] == [
        ("card", 5, 0)
    ]
    team_c = team_scorecard(con, "group:team-c")
    assert [e["ref"] for e in team_c["entities"]] == ["component:default/legacy"]
    assert team_c["scorecards"][0]["levels"] == {"silver": 1}


def test_every_run_is_kept_and_the_views_show_the_latest(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    first = env.run()
    assert first.changes == []  # nothing stored before: no level changes to report
    env.ingest(components=changed_catalog())
    second = env.run()
    assert first.run_id is not None and second.run_id is not None
    assert second.run_id > first.run_id
    assert env.rows(
        "SELECT run_id, scorecards, entity_count, result_count, expired_exemptions "
        "FROM scorecard_runs ORDER BY run_id"
    ) == [(first.run_id, ["card"], 7, 14, 0), (second.run_id, ["card"], 7, 14, 0)]
    history = env.rows("SELECT run_id, count(*) FROM scorecard_score_history GROUP BY 1 ORDER BY 1")
    assert history == [(first.run_id, 7), (second.run_id, 7)]
    assert env.rows(
        "SELECT level FROM scorecard_score_history WHERE ref = 'component:default/web' "
        "ORDER BY run_id"
    ) == [("silver",), ("bronze",)]
    assert env.rows("SELECT DISTINCT run_id FROM scorecard_scores") == [(second.run_id,)]
    assert env.rows("SELECT DISTINCT run_id FROM scorecard_results") == [(second.run_id,)]
    assert "db-svc" not in env.levels() and env.levels()["new-svc"] == "bronze"
    assert env.rows(
        "SELECT run_id, state FROM scorecard_result_history "
        "WHERE ref = 'component:default/api' AND check_id = 'docs' ORDER BY run_id"
    ) == [(first.run_id, "fail"), (second.run_id, "pass")]
    assert counts(env, SCRATCH_TABLES) == dict.fromkeys(SCRATCH_TABLES, 0)
    owner = {"team-a": "group:default/team-a", "team-b": "group:default/team-b"}
    assert second.changes == [
        LevelChange("card", "component:default/api", owner["team-a"], "bronze", "silver", 1, 2),
        LevelChange("card", "component:default/db-svc", owner["team-b"], "bronze", None, 1, None),
        LevelChange("card", "component:default/new-svc", owner["team-a"], None, "bronze", None, 1),
        LevelChange("card", "component:default/web", owner["team-a"], "silver", "bronze", 2, 1),
    ]
    assert [c.direction for c in second.changes] == ["gained", "gone", "new", "lost"]


def test_diff_reports_what_got_better_or_worse_per_entity_and_team(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    env.run()
    env.ingest(components=changed_catalog())
    env.run()
    con = env.store.connection
    found = scorecard_diff(con, timedelta(days=7))
    a, b = "group:default/team-a", "group:default/team-b"
    assert found["team"] is None
    assert found["entities"] == [
        {"scorecard": "card", "ref": "component:default/api", "owner": a, "change": "better",
         "level_before": "bronze", "level_now": "silver", "score_before": 50.0,
         "score_now": 100.0, "checks_fixed": 1, "checks_broken": 0},
        {"scorecard": "card", "ref": "component:default/db-svc", "owner": b, "change": "gone",
         "level_before": "bronze", "level_now": None, "score_before": 50.0, "score_now": None,
         "checks_fixed": 0, "checks_broken": 0},
        {"scorecard": "card", "ref": "component:default/new-svc", "owner": a, "change": "new",
         "level_before": None, "level_now": "bronze", "score_before": None, "score_now": 50.0,
         "checks_fixed": 0, "checks_broken": 0},
        {"scorecard": "card", "ref": "component:default/web", "owner": a, "change": "worse",
         "level_before": "silver", "level_now": "bronze", "score_before": 100.0,
         "score_now": 50.0, "checks_fixed": 0, "checks_broken": 1},
    ]  # fmt: skip
    teams = {
        t["team"].split("/")[1]: (
            t["better"],
            t["worse"],
            t["new"],
            t["gone"],
            t["average_before"],
            t["average_now"],
        )
        for t in found["teams"]
    }
    # team-c (legacy, unchanged) and dept-b have nothing to report
    assert teams == {
        "dept-a": (1, 1, 1, 1, 60.0, 60.0),
        "org": (1, 1, 1, 1, 58.3, 58.3),
        "team-a": (1, 1, 1, 0, 62.5, 60.0),
        "team-b": (0, 0, 0, 1, 50.0, None),
    }
    only_b = scorecard_diff(con, timedelta(days=7), team="team-b")
    assert only_b["team"] == b
    assert [e["ref"] for e in only_b["entities"]] == ["component:default/db-svc"]
    # only team-b itself gets a team row: dept-a's and org's would count just team-b's part
    assert [t["team"] for t in only_b["teams"]] == [b]
    dept = scorecard_diff(con, timedelta(days=7), team="group:dept-a")
    assert [e["change"] for e in dept["entities"]] == ["better", "gone", "new", "worse"]
    assert [t["team"].split("/")[1] for t in dept["teams"]] == ["dept-a", "team-a", "team-b"]
    assert dept["teams"][0] == found["teams"][0]
    assert scorecard_diff(con, timedelta(days=7), team="dept-b")["entities"] == []


def test_diff_compares_with_the_last_run_before_the_cutoff(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    env.run()
    env.ingest(components=changed_catalog())
    second = env.run()
    third = env.run()  # the same catalog again: nothing changed since the second run
    con = env.store.connection
    started = {
        run_id: at for run_id, at in env.rows("SELECT run_id, started_at FROM scorecard_runs")
    }
    since_second = scorecard_diff(con, timedelta(0), now=started[second.run_id])
    assert since_second["entities"] == [] and since_second["teams"] == []
    before_second = started[second.run_id] - timedelta(microseconds=1)
    since_first = scorecard_diff(con, timedelta(0), now=before_second)
    assert [(e["ref"].split("/")[1], e["change"]) for e in since_first["entities"]] == [
        ("api", "better"),
        ("db-svc", "gone"),
        ("new-svc", "new"),
        ("web", "worse"),
    ]
    # a cutoff after every run: the latest run against itself
    after_all = started[third.run_id] + timedelta(hours=1)
    assert scorecard_diff(con, timedelta(0), now=after_all)["entities"] == []


def test_a_run_of_one_scorecard_keeps_the_others_latest_results(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    env.card(CARD, levels="[bronze, silver]", card_id="other")
    first = env.run()
    env.ingest(components=changed_catalog())
    second = env.run(only=["card"])
    assert [s.id for s in second.summaries] == ["card"]
    assert {c.scorecard for c in second.changes} == {"card"}
    assert env.rows("SELECT scorecard, min(run_id), max(run_id) FROM scorecard_scores "
                    "GROUP BY 1 ORDER BY 1") == [
        ("card", second.run_id, second.run_id),
        ("other", first.run_id, first.run_id),
    ]  # fmt: skip
    assert env.levels("other")["web"] == "silver" and "new-svc" not in env.levels("other")
    diff = scorecard_diff(env.store.connection, timedelta(days=7))
    assert {e["scorecard"] for e in diff["entities"]} == {"card"}


def test_a_dry_run_stores_nothing_but_reports_the_level_changes(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    stored = env.run()
    before = counts(env, HISTORY_TABLES)
    assert before["scorecard_runs"] == 1 and before["scorecard_result_rows"] == 14
    # docs moves to bronze: everyone without TechDocs drops from bronze to no level
    env.card(CARD.replace("level: silver", "level: bronze"), levels="[bronze, silver]")
    dry = env.run(dry_run=True)
    assert dry.run_id is None and dry.dry_run is True
    assert dry.result_count == 14
    assert counts(env, HISTORY_TABLES) == before
    assert counts(env, SCRATCH_TABLES) == dict.fromkeys(SCRATCH_TABLES, 0)
    assert env.levels()["api"] == "bronze"  # still the stored run's level
    assert env.rows("SELECT DISTINCT run_id FROM scorecard_scores") == [(stored.run_id,)]
    lost = ["api", "cyc-1", "cyc-2", "db-svc", "ghost-owned", "legacy"]
    assert [(c.ref.split("/")[1], c.before, c.after, c.direction) for c in dry.changes] == [
        (name, "bronze", None, "lost") for name in lost
    ]
    assert dry.summaries[0].level_counts == {"none": 6, "bronze": 0, "silver": 1}
    assert dry.summaries[0].states == {"pass": 8, "fail": 6, "exempt": 0, "unknown": 0}
    # the real run afterwards reports exactly what the dry run predicted
    real = env.run()
    assert real.run_id is not None and real.changes == dry.changes
    assert counts(env, ("scorecard_runs",)) == {"scorecard_runs": 2}


def test_a_dry_run_on_an_empty_history_stores_nothing(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    dry = env.run(dry_run=True)
    assert dry.run_id is None and dry.changes == []
    assert dry.summaries[0].entities == 7
    assert counts(env, HISTORY_TABLES) == dict.fromkeys(HISTORY_TABLES, 0)
    assert env.rows("SELECT count(*) FROM scorecard_scores") == [(0,)]


def test_the_scratch_tables_are_temporary_tables_of_the_writer_connection(env: Env) -> None:
    env.card(CARD, levels="[bronze, silver]")
    env.run(dry_run=True)  # created outside the transaction: a dry run keeps them
    env.run()
    temporary = env.rows(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_sc\\_%' "
        "ESCAPE '\\' ORDER BY 1"
    )
    assert [r[0] for r in temporary] == sorted(SCRATCH_TABLES)
    assert counts(env, SCRATCH_TABLES) == dict.fromkeys(SCRATCH_TABLES, 0)
    with env.store.reader() as other:  # another connection: the file's tables, never filled
        found = other.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_sc%'"
        ).fetchall()
        assert found == []
