"""Rows of a scorecard run without its ``scorecard_runs`` row: no view, export or reader shows
them, and ``delete_unfinished_scorecard_runs`` deletes exactly them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog.store.export import export_parquet
from catalog.store.retention import SCORECARD_ROW_TABLES, prune_history
from catalog.store.scorecard_orphans import (
    delete_unfinished_scorecard_runs,
    unfinished_scorecard_runs,
)
from scorecards.queries import scorecard_diff, team_scorecard
from service.api.entity_reads import latest_runs
from tests.scorecards.conftest import SCORECARD_VIEWS as VIEWS
from tests.scorecards.conftest import Env

CARD = """\
- {id: owner, title: O, level: bronze, type: has_owner}
- {id: docs, title: D, level: silver, type: has_docs}
"""
NOW = datetime.now(UTC)


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path)
    e.ingest()
    e.card(CARD)
    e.run()
    e.run()
    yield e
    e.store.close()


def copy_run_as_orphan(env: Env, run_id: int, orphan: int) -> None:
    """Every row of ``run_id`` again under ``orphan``, in every history table but the run's."""
    for table in SCORECARD_ROW_TABLES:
        cols = [r[0] for r in env.rows(f"DESCRIBE {table}") if r[0] != "run_id"]
        env.store.connection.execute(
            f"INSERT INTO {table} (run_id, {', '.join(cols)}) "
            f"SELECT ?, {', '.join(cols)} FROM {table} WHERE run_id = ?",
            [orphan, run_id],
        )


def seen(env: Env) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {
        v: sorted(map(repr, env.rows(f"SELECT * FROM {v}"))) for v in VIEWS
    }
    out["team"] = [repr(team_scorecard(env.store.connection, "group:default/team-a"))]
    out["diff"] = [repr(scorecard_diff(env.store.connection, timedelta(days=7), now=NOW))]
    out["api"] = [repr(latest_runs(env.store.connection))]
    return out


def test_rows_without_their_run_are_invisible_and_deleted(env: Env, tmp_path: Path) -> None:
    last = env.rows("SELECT max(run_id) FROM scorecard_runs")[0][0]
    before = seen(env)
    exported = {v.name: v.rows for v in export_parquet(env.store.connection, tmp_path / "a").views}
    copy_run_as_orphan(env, last, last + 1)
    copy_run_as_orphan(env, last, last + 5)
    assert unfinished_scorecard_runs(env.store.connection) == [last + 1, last + 5]
    assert seen(env) == before
    again = export_parquet(env.store.connection, tmp_path / "b").views
    assert {v.name: v.rows for v in again} == exported
    counts = {t: env.rows(f"SELECT count(*) FROM {t}")[0][0] for t in SCORECARD_ROW_TABLES}
    assert delete_unfinished_scorecard_runs(env.store.connection) == [last + 1, last + 5]
    assert unfinished_scorecard_runs(env.store.connection) == []
    assert delete_unfinished_scorecard_runs(env.store.connection) == []  # nothing: no write
    after = {t: env.rows(f"SELECT count(*) FROM {t}")[0][0] for t in SCORECARD_ROW_TABLES}
    assert {t: 2 * n for t, n in after.items()} == counts  # the 2 stored runs' rows remain
    assert seen(env) == before


def test_retention_keeps_the_latest_stored_run_whatever_rows_a_killed_run_left(
    env: Env,
) -> None:
    first, last = env.rows("SELECT min(run_id), max(run_id) FROM scorecard_runs")[0]
    copy_run_as_orphan(env, last, last + 1)
    env.store.connection.execute(
        "UPDATE scorecard_runs SET started_at = started_at - INTERVAL 400 DAY"
    )
    with env.store.transaction() as con:
        pruned = prune_history(con, [], NOW)
    assert pruned.scorecard_runs == 1  # the first; the latest stored run stays
    assert env.rows("SELECT run_id FROM scorecard_runs") == [(last,)]
    assert env.rows("SELECT DISTINCT run_id FROM scorecard_results") == [(last,)]
    assert first != last
