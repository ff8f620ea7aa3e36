"""History retention prunes exactly what is older than ``keep_days``, and keeps what is still
needed (current rows, each source's latest good run, each scorecard's latest run)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "  description: {description}\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def write(root: Path, name: str, description: str = "first") -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "catalog-info.yaml").write_text(
        COMPONENT.format(name=name, description=description)
    )


def test_retention_prunes_exactly_what_is_older_than_keep_days(tmp_path: Path) -> None:
    root = tmp_path / "repos"
    for name in ("a", "b", "c"):
        write(root, name)
    source = CatalogFilesSource(CatalogFilesConfig(type="catalog_files", roots=[root]))

    def ingest(days_ago: float) -> int:
        outcome = run_source(store, "catalog", source, state_dir=tmp_path / "state")
        at = NOW - timedelta(days=days_ago)
        store.connection.execute(
            "UPDATE runs SET started_at = ?, finished_at = ? WHERE run_id = ?",
            [at, at, outcome.run_id],
        )
        return outcome.run_id

    with Store(tmp_path / "s.duckdb") as store:
        con = store.connection
        run1 = ingest(200)  # a, b, c
        (root / "c" / "catalog-info.yaml").unlink()
        run2 = ingest(190)  # c is history from run 2 on: older than 180 days
        store.connection.execute(
            "INSERT INTO runs (run_id, source, source_type, started_at, finished_at, status) "
            "VALUES (nextval('run_ids'), 'catalog', 'catalog_files', ?, ?, 'failed')",
            [NOW - timedelta(days=185), NOW - timedelta(days=185)],
        )
        write(root, "b", "second")
        run4 = ingest(10)  # the first b is history from run 4 on: recent
        assert (run1, run2, run4) == (1, 2, 4)

        # scorecard runs 181 and 179 days old, and a latest one 200 days old (kept: latest)
        for run_id, days, card in ((1, 181, "x"), (2, 179, "x"), (3, 200, "y")):
            at = NOW - timedelta(days=days)
            con.execute(
                "INSERT INTO scorecard_runs (run_id, started_at, finished_at, scorecards, "
                "entity_count, result_count, expired_exemptions) VALUES (?, ?, ?, [?], 1, 1, 0)",
                [run_id, at, at, card],
            )
            con.execute(
                "INSERT INTO scorecard_check_rows (run_id, scorecard, scorecard_title, check_id, "
                "title, type, level, level_rank, weight, levels) "
                "VALUES (?, ?, 'X', 'c', 'C', 'sql', 'l', 1, 1, ['l'])",
                [run_id, card],
            )
            con.execute(
                "INSERT INTO scorecard_result_rows (run_id, scorecard, check_id, ref, state) "
                "VALUES (?, ?, 'c', 'component:default/a', 'pass')",
                [run_id, card],
            )
        for closed_days in (181, 179, None):
            con.execute(
                "INSERT INTO gap_episodes (subject, gap, detail, evidence, first_seen, last_seen, "
                "closed_at) VALUES ('component:default/a', 'g', ?, NULL, ?, ?, ?)",
                [
                    f"closed {closed_days}",
                    NOW - timedelta(days=400),
                    NOW - timedelta(days=closed_days or 0),
                    None if closed_days is None else NOW - timedelta(days=closed_days),
                ],
            )

        pruned = store.prune_history(180, now=NOW)

        runs = con.execute("SELECT run_id FROM runs ORDER BY 1").fetchall()
        entity_rows = con.execute(
            "SELECT name, description, valid_from, valid_to FROM entity_rows ORDER BY ALL"
        ).fetchall()
        sc_runs = con.execute("SELECT run_id FROM scorecard_runs ORDER BY 1").fetchall()
        sc_checks = con.execute("SELECT run_id FROM scorecard_check_rows ORDER BY 1").fetchall()
        sc_results = con.execute("SELECT run_id FROM scorecard_result_rows ORDER BY 1").fetchall()
        gaps = con.execute("SELECT detail FROM gap_episodes ORDER BY 1").fetchall()

    # run 1 stays (a's current row was stored by it), run 2 and the failed run 3 go
    assert runs == [(1,), (4,)]
    # c (history since run 2) goes; the first b (history since run 4) stays
    assert entity_rows == [
        ("a", "first", 1, None),
        ("b", "first", 1, 4),
        ("b", "second", 4, None),
    ]
    assert sc_runs == sc_checks == sc_results == [(2,), (3,)]
    assert gaps == [("closed 179",), ("closed None",)]
    assert pruned.runs == 2 and pruned.scorecard_runs == 1 and pruned.gap_episodes == 1
    assert pruned.scorecard_rows == 2 and pruned.snapshot_rows >= 1
