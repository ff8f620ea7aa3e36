"""Derived tables are refilled only when what they read changed.

The ownership tables follow a load only if it changed a table their views read; the gap fold
evaluates ``_gaps_now`` only if a snapshot was loaded since the last fold or an on-call window
opened or closed in between. A planted row shows which happened: a refill or an evaluation
removes it, a skipped one keeps it. Real sources on real git repositories (``Org``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog.store import Store
from catalog.store.gaps import FOLD_META_KEY
from catalog.store.inputs import view_inputs
from catalog.store.migrations.m0008_materialised_ownership import MATERIALISED
from catalog.store.ownership import ownership_inputs
from tests.catalog.test_materialised_ownership import Org, answers, component
from tests.ingest.codeowners.gitrepo import commit_file

PLANTED_OWNER = "component:default/planted"
PLANTED_GAP = ("component:default/planted", "no_owner", "planted", "planted:1")


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return Org(tmp_path)


def plant_owner(store: Store) -> None:
    with store.transaction() as con:
        con.execute(
            "INSERT INTO ownership BY NAME SELECT ? AS ref, 'group:default/x' AS owner",
            [PLANTED_OWNER],
        )


def planted_owner(store: Store) -> bool:
    with store.reader() as cur:
        rows = cur.execute("SELECT 1 FROM ownership WHERE ref = ?", [PLANTED_OWNER]).fetchall()
    return bool(rows)


def plant_gap(store: Store) -> None:
    now = datetime.now(UTC)
    with store.transaction() as con:
        con.execute(
            "INSERT INTO gap_episodes VALUES (?, ?, ?, ?, ?, ?, NULL)", [*PLANTED_GAP, now, now]
        )


def planted_gap_open(store: Store) -> bool:
    with store.reader() as cur:
        rows = cur.execute(
            "SELECT 1 FROM gap_episodes WHERE subject = ? AND closed_at IS NULL", [PLANTED_GAP[0]]
        ).fetchall()
    return bool(rows)


def materialised_agree(store: Store) -> None:
    with store.reader() as cur:
        for table, live, _ in MATERIALISED:
            assert (
                cur.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                == cur.execute(f"SELECT * FROM {live} ORDER BY ALL").fetchall()
            )


def test_the_ownership_inputs_come_from_the_views(org: Org) -> None:
    with Store(org.path) as store, store.reader() as cur:
        inputs = ownership_inputs(cur)
        gaps = view_inputs(cur, ("_gaps_now",))
    assert inputs is not None
    # claims: the catalog's owners, CODEOWNERS, cloud tags, PagerDuty teams; membership
    assert {"entity_rows", "codeowners_rows", "claim_rows", "pd_service_rows"} <= inputs
    assert "relation_rows" in inputs  # _group_members forgives members of the owner group
    # not read: a HEAD that moved, cloud resources, on-call windows, files
    assert not inputs & {"repository_rows", "cloud_resource_rows", "pd_oncall_rows", "file_rows"}
    # the words of string literals name nothing ("nobody is on call now")
    assert gaps.clock_views == {"_pd_oncall_now"}
    assert {"repository_rows", "pd_oncall_rows", "cloud_resource_rows"} <= gaps.tables


def test_a_load_that_changes_no_ownership_input_keeps_the_tables(org: Org) -> None:
    with Store(org.path) as store:
        org.load(store)
        materialised_agree(store)
        plant_owner(store)
        commit_file(org.web, "README.md", "moved HEAD\n")  # codeowners: only repository_rows
        org.load(store)
        with store.reader() as cur:
            last = cur.execute(
                "SELECT status FROM runs WHERE source = 'codeowners' ORDER BY run_id DESC LIMIT 1"
            ).fetchall()
        assert last == [("ok",)]  # loaded, and yet
        assert planted_owner(store)  # not refilled
        commit_file(org.web, "catalog-info.yaml", component("web", "team-b"))
        org.load(store)
        assert not planted_owner(store)  # entity_rows changed: refilled
        materialised_agree(store)


def test_a_fold_with_no_load_in_between_reuses_the_open_gaps(org: Org) -> None:
    with Store(org.path) as store:
        org.load(store)
        store.refresh_gaps()
        before = answers(store)
        plant_gap(store)
        store.refresh_gaps()
        assert planted_gap_open(store)  # _gaps_now was not evaluated
        got = answers(store)
        got["ownership_gaps"] = [g for g in got["ownership_gaps"] if g[0] != PLANTED_GAP[0]]
        assert got == before
        commit_file(org.api, "CODEOWNERS", "* @acme/team-a\n")
        org.load(store)
        store.refresh_gaps()
        assert not planted_gap_open(store)  # a snapshot was loaded: evaluated
        with store.reader() as cur:
            gaps = cur.execute("SELECT subject, gap, detail FROM ownership_gaps").fetchall()
            now = cur.execute("SELECT subject, gap, detail FROM _gaps_now").fetchall()
        assert sorted(gaps) == sorted(now)


def oncall_columns(starts_at: datetime, ends_at: datetime) -> dict[str, list[Any]]:
    return {
        "user_id": ["U1"],
        "user_name": ["Ann"],
        "escalation_policy_id": ["P1"],
        "escalation_level": [1],
        "schedule_id": [None],
        "starts_at": [starts_at],
        "ends_at": [ends_at],
    }


def fold_clock_moved_back(store: Store, days: int) -> None:
    """As if the last fold had run ``days`` ago."""
    with store.transaction() as con:
        ((value,),) = con.execute(
            "SELECT value FROM store_meta WHERE key = ?", [FOLD_META_KEY]
        ).fetchall()
        last = json.loads(value)
        then = datetime.fromisoformat(last["clock"]) - timedelta(days=days)
        con.execute(
            "UPDATE store_meta SET value = ? WHERE key = ?",
            [json.dumps({**last, "clock": then.isoformat()}), FOLD_META_KEY],
        )


@pytest.mark.parametrize(
    ("starts", "ends", "evaluated"),
    [
        (-2, 5, True),  # began since the last fold (10 days ago): who is on call changed
        (-20, -1, True),  # ended since
        (-20, 5, False),  # on call throughout
        (3, 5, False),  # not yet
    ],
)
def test_an_oncall_window_opening_or_closing_since_the_last_fold_makes_it_evaluate(
    org: Org, starts: int, ends: int, evaluated: bool
) -> None:
    now = datetime.now(UTC)
    with Store(org.path) as store:
        run_id = store.begin_run("pagerduty", "pagerduty")
        store.finish_run(
            run_id,
            status="ok",
            snapshot={
                "pd_oncall_rows": oncall_columns(
                    now + timedelta(days=starts), now + timedelta(days=ends)
                )
            },
        )
        store.refresh_gaps()
        plant_gap(store)
        fold_clock_moved_back(store, 10)
        store.refresh_gaps()
        assert planted_gap_open(store) is not evaluated
