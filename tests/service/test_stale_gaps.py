from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def test_entities_of_a_source_not_seen_for_n_days_are_stale(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "catalog-info.yaml").write_text(COMPONENT)
    with Store(tmp_path / "db.duckdb") as store:
        source = CatalogFilesSource(
            CatalogFilesConfig(type="catalog_files", roots=[tmp_path / "repo"])
        )
        run_source(store, "catalog", source, state_dir=tmp_path / "state")
        now = datetime.now(UTC)
        store.refresh_gaps(stale_after_days=7, now=now + timedelta(days=3))
        gaps = store.connection.execute("SELECT gap FROM ownership_gaps").fetchall()
        assert ("stale",) not in gaps
        store.refresh_gaps(stale_after_days=7, now=now + timedelta(days=8))
        stale = store.connection.execute(
            "SELECT subject, detail FROM ownership_gaps WHERE gap = 'stale'"
        ).fetchall()
        assert stale == [
            (
                "component:default/svc",
                "source catalog has not been ingested successfully for more than 7 days",
            )
        ]
        run_source(store, "catalog", source, state_dir=tmp_path / "state")  # unchanged, seen
        store.refresh_gaps(stale_after_days=7, now=now + timedelta(days=1))
        assert store.connection.execute(
            "SELECT count(*) FROM ownership_gaps WHERE gap = 'stale'"
        ).fetchone() == (0,)
