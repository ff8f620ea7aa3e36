"""steward export parquet: every view as Parquet, history partitioned by day (Hive layout);
read back with pyarrow and DuckDB, rows and file digests compared (issue 11, item 6)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from catalog.store.export import (
    ExportError,
    export_parquet,
    export_query,
    file_digests,
    public_views,
)
from service.config import load_config
from service.steward_service import StewardService

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> StewardService:
    base = tmp_path_factory.mktemp("export")
    (base / "steward.yaml").write_text(
        f"database: ./s.duckdb\nscorecards: {EXAMPLES / 'scorecards'}\nsources:\n"
        f"  catalog: {{type: catalog_files, roots: [{EXAMPLES / 'org/org'}, "
        f"{EXAMPLES / 'org/repos'}]}}\n"
        f"  codeowners: {{type: codeowners, roots: [{EXAMPLES / 'org/repos'}]}}\n"
    )
    svc = StewardService(load_config(base / "steward.yaml"))
    svc.run_pipeline()
    # history over three days: move the first runs back in time
    with svc.store.transaction() as con:
        con.execute("UPDATE runs SET started_at = started_at - INTERVAL 2 DAY WHERE run_id = 1")
        con.execute(
            "UPDATE scorecard_runs SET started_at = started_at - INTERVAL 1 DAY "
            "WHERE run_id = (SELECT min(run_id) FROM scorecard_runs)"
        )
    svc.run_pipeline()
    return svc


def test_every_view_is_exported_and_reads_back_equal(
    service: StewardService, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    with service.reader() as cur:
        result = export_parquet(cur, out)
        views = public_views(cur)
        counts = {v: cur.execute(f'SELECT count(*) FROM "{v}"').fetchall()[0][0] for v in views}
        live = {v: cur.execute(export_query(cur, v, None)).fetchall() for v in views}
    manifest = json.loads((out / "export.json").read_text())
    assert sorted(manifest["views"]) == views
    assert {"entities", "ingest_runs", "scorecard_result_history", "ownership"} <= set(views)
    assert {"ownership_conflicts", "ownership_gaps"} <= set(views)
    assert counts["entities"] > 0 and counts["scorecard_result_history"] > 0
    assert counts["ownership"] > 0
    duck = duckdb.connect()
    for view in result.views:
        dataset = ds.dataset(out / view.name, format="parquet", partitioning="hive")
        table = dataset.to_table()
        if view.partitioned_by is not None:
            table = table.drop_columns(["day"])
        assert table.num_rows == counts[view.name] == manifest["views"][view.name]["rows"], view
        files = manifest["views"][view.name]["files"]
        assert files == view.files == file_digests(out / view.name) and files, view
        columns = ", ".join(f'"{c}"' for c in view.columns)
        back = duck.execute(
            f"SELECT {columns} FROM read_parquet(?, hive_partitioning = true)",
            [str(out / view.name / "**" / "*.parquet")],
        ).fetchall()
        assert sorted(map(repr, back)) == sorted(map(repr, live[view.name])), view
    duck.close()


def test_a_changed_file_no_longer_matches_its_digest(
    service: StewardService, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    with service.reader() as cur:
        export_parquet(cur, out)
    manifest = json.loads((out / "export.json").read_text())
    part = out / "entities" / "part-0.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    assert file_digests(out / "entities") != manifest["views"]["entities"]["files"]


def test_history_is_partitioned_by_day_in_hive_layout(
    service: StewardService, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    with service.reader() as cur:
        export_parquet(cur, out)
        run_days = {
            str(r[0])
            for r in cur.execute(
                "SELECT DISTINCT strftime(timezone('UTC', started_at), '%Y-%m-%d') FROM ingest_runs"
            ).fetchall()
        }
    today = datetime.now(UTC).date()
    assert len(run_days) == 2 and (today - timedelta(days=2)).isoformat() in run_days
    assert {p.name for p in (out / "ingest_runs").iterdir()} == {f"day={d}" for d in run_days}
    scorecard_days = {p.name for p in (out / "scorecard_score_history").iterdir()}
    assert len(scorecard_days) == 2
    assert (out / "entities" / "part-0.parquet").is_file()
    # DuckDB reads the tree as one table, the day coming from the directory names
    con = duckdb.connect()
    try:
        by_day = con.execute(
            "SELECT day, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY day",
            [str(out / "ingest_runs" / "**" / "*.parquet")],
        ).fetchall()
    finally:
        con.close()
    assert {f"day={d}" for d, _ in by_day} == {f"day={d}" for d in run_days}


def test_types_every_engine_reads(service: StewardService, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with service.reader() as cur:
        export_parquet(cur, out)
    for part in out.rglob("*.parquet"):
        for field in ds.dataset(part, format="parquet").schema:
            text = str(field.type)
            assert "[ns" not in text, (part, field)  # Spark 3 cannot read nanoseconds
            assert not text.startswith(("uint", "decimal", "extension")), (part, field)


def test_existing_directory_is_refused_unless_replace(
    service: StewardService, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with service.reader() as cur:
        with pytest.raises(ExportError, match="not empty; pass --replace"):
            export_parquet(cur, out)
        export_parquet(cur, out, replace=True)
    assert not (out / "keep.txt").exists()
    assert (out / "export.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temporary directory left


def test_cli_export_while_the_database_is_held(service: StewardService, tmp_path: Path) -> None:
    """The service holds the database read-write; the CLI exports its published snapshot."""
    import os
    import subprocess
    import sys

    config = service.config._locator.path if service.config._locator else None
    assert config is not None
    steward = Path(sys.executable).parent / "steward"
    result = subprocess.run(
        [str(steward), "export", "parquet", str(tmp_path / "out"), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert result.returncode == 0, result.stderr
    assert "reading its snapshot" in result.stderr
    manifest = json.loads((tmp_path / "out" / "export.json").read_text())
    with service.reader() as cur:
        (entities,) = cur.execute("SELECT count(*) FROM entities").fetchone() or (0,)
    assert manifest["views"]["entities"]["rows"] == entities
