"""A run stores its results in two transactions before the one that makes it visible: a run
that stops between them shows nothing to a reader, and the next run deletes what it left."""

from __future__ import annotations

from typing import Any

import pytest

import scorecards.engine
from catalog.store.scorecard_orphans import unfinished_scorecard_runs
from tests.scorecards.conftest import SCORECARD_VIEWS as VIEWS
from tests.scorecards.conftest import Env

CARD = """\
- {id: owner, title: O, level: bronze, type: has_owner}
- {id: docs, title: D, level: silver, type: has_docs}
- {id: desc, title: Desc, level: silver, type: field, path: metadata.description}
- {id: deps, title: Deps, level: silver, type: dependencies_reach_level, required_level: bronze}
"""
EXEMPTIONS = """\
exemptions:
  - {entity: component:default/api, check: docs, reason: migrating, expires: 2999-01-01}
"""


def visible(env: Env) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a reader sees through the documented views (and the run list)."""
    seen = {v: sorted(map(repr, env.rows(f"SELECT * FROM {v}"))) for v in VIEWS}
    return {**seen, "scorecard_runs": env.rows("SELECT run_id FROM scorecard_runs ORDER BY 1")}


def latest(env: Env) -> list[tuple[Any, ...]]:
    return env.rows(
        "SELECT scorecard, check_id, ref, state, evidence, exemption_reason FROM scorecard_results "
        "ORDER BY ALL"
    )


def raw_run_ids(env: Env) -> list[int]:
    return [r[0] for r in env.rows("SELECT DISTINCT run_id FROM scorecard_result_rows ORDER BY 1")]


def test_a_run_that_stops_after_its_results_are_committed_shows_nothing_and_is_cleaned_up(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.card(CARD)
    env.define("exemptions.yaml", EXEMPTIONS)
    first = env.run()
    before = visible(env)
    latest_before = latest(env)
    assert first.result_count == 28 and len(before["scorecard_runs"]) == 1

    def stop(*_: Any, **__: Any) -> None:
        raise RuntimeError("stopped before the run row")

    monkeypatch.setattr(scorecards.engine, "_store_run", stop)
    with pytest.raises(RuntimeError, match="stopped"):
        env.run()
    # both halves of the results are committed, under a run id no reader is given
    stopped = unfinished_scorecard_runs(env.store.connection)
    assert len(stopped) == 1 and stopped[0] > (first.run_id or 0)
    assert env.rows("SELECT count(*) FROM scorecard_result_rows WHERE run_id = ?", stopped) == [
        (21,)
    ]  # 3 checks x 7 components; the dependency check is written in the last step
    assert visible(env) == before

    monkeypatch.undo()
    second = env.run()
    assert unfinished_scorecard_runs(env.store.connection) == []
    assert second.run_id is not None and second.result_count == 28
    assert raw_run_ids(env) == [first.run_id, second.run_id]
    assert env.rows("SELECT run_id, result_count FROM scorecard_runs ORDER BY 1") == [
        (first.run_id, 28),
        (second.run_id, 28),
    ]
    assert latest(env) == latest_before  # the same results, now those of the second run
    assert env.rows("SELECT DISTINCT run_id FROM scorecard_results") == [(second.run_id,)]


def test_both_transactions_store_every_result_once(env: Env) -> None:
    """Half of the checks go to the second cursor: every (check, entity) is stored once, and a
    dry run (one transaction, rolled back) counts the same results."""
    env.card(CARD)
    dry = env.run(dry_run=True)
    stored = env.run()
    assert stored.result_count == dry.result_count == 28
    assert stored.summaries == dry.summaries
    assert env.rows(
        "SELECT count(*), count(DISTINCT (check_id, ref)) FROM scorecard_result_rows "
        "WHERE run_id = ?",
        [stored.run_id],
    ) == [(28, 28)]
    assert unfinished_scorecard_runs(env.store.connection) == []


def test_a_failing_check_insert_on_either_cursor_stores_nothing_visible(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.card(CARD)
    insert_run = scorecards.engine._Insert.run

    def failing(self: scorecards.engine._Insert, con: Any) -> None:
        if self.target["check_id"] == "docs":  # the second insert: the second cursor's
            raise RuntimeError("insert failed")
        insert_run(self, con)

    monkeypatch.setattr(scorecards.engine._Insert, "run", failing)
    with pytest.raises(RuntimeError, match="insert failed"):
        env.run()
    assert env.rows("SELECT count(*) FROM scorecard_runs") == [(0,)]
    assert env.rows("SELECT count(*) FROM scorecard_results") == [(0,)]
    # the writer's half may be committed (it does not wait for the second's): no reader sees it
    monkeypatch.undo()
    assert env.run().result_count == 28
    assert unfinished_scorecard_runs(env.store.connection) == []
