"""``steward export parquet DIR``: every public view as Parquet, for engines bigger than one box.

Layout (Hive-style, what DuckDB, pandas/pyarrow, Spark and Trino read as a table per directory)::

    DIR/
      export.json                          views, row counts, columns, files with their sha256,
                                           exported_at
      entities/part-0.parquet              a current-state view: one file
      …
      ingest_runs/day=2026-12-04/part-0.parquet   a history view: one directory per UTC day
      scorecard_result_history/day=…/…
      scorecard_score_history/day=…/…

History views (``ingest_runs`` and every ``*_history`` view) are partitioned by the UTC day of
their time column (``started_at``, ``evaluated_at``); the ``day`` column lives in the directory
name only, as Hive expects. Types are the ones all four engines share: JSON and UUID columns are
written as strings, timestamps as microseconds (UTC), no unsigned or 128-bit integers.

The export only reads (one cursor, one transaction: every view from the same committed state)
and goes through Arrow, so it also works on the Store's connection, which has DuckDB's external
file access switched off. It is written into a temporary directory beside ``DIR`` and renamed
into place, so a reader never sees half an export; an existing ``DIR`` is replaced only when
asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from catalog.errors import StewardError
from catalog.store.migrations.m0008_materialised_ownership import PUBLIC_TABLES

HISTORY_TIME_COLUMNS = ("started_at", "evaluated_at")
PARTITION = "day"
_AS_TEXT = ("JSON", "UUID", "INTERVAL", "HUGEINT", "UHUGEINT")
_BATCH_ROWS = 64 * 1024


class ExportError(StewardError):
    pass


@dataclass(frozen=True)
class ViewExport:
    name: str
    rows: int
    partitioned_by: str | None
    columns: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    """Parquet file (relative to the view's directory) -> sha256 of its bytes."""


@dataclass(frozen=True)
class Export:
    directory: Path
    views: list[ViewExport]
    exported_at: datetime


def public_views(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The documented views, and the tables that materialise documented views (``ownership``,
    ``ownership_conflicts``: tables since migration 8, views in older databases)."""
    rows = cur.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
        "AND NOT starts_with(view_name, '_') "
        "UNION SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND list_contains(?, table_name) ORDER BY 1",
        [list(PUBLIC_TABLES)],
    ).fetchall()
    return [str(r[0]) for r in rows]


def history_column(cur: duckdb.DuckDBPyConnection, view: str) -> str | None:
    """The time column a history view is partitioned by, or None for a current-state view."""
    if view != "ingest_runs" and not view.endswith("_history"):
        return None
    columns = {str(r[0]) for r in cur.execute(f'DESCRIBE "{view}"').fetchall()}
    return next((c for c in HISTORY_TIME_COLUMNS if c in columns), None)


def export_query(cur: duckdb.DuckDBPyConnection, view: str, partition_by: str | None) -> str:
    """The SELECT that exports ``view``: its columns in types every engine reads, and the
    partition column when ``partition_by`` names the time column."""
    parts = []
    for name, kind, *_ in cur.execute(f'DESCRIBE "{view}"').fetchall():
        quoted = f'"{name}"'
        base = str(kind).split("(")[0]
        if base in _AS_TEXT:
            parts.append(f"CAST({quoted} AS VARCHAR) AS {quoted}")
        elif base in ("UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"):
            parts.append(f"CAST({quoted} AS BIGINT) AS {quoted}")
        else:
            parts.append(quoted)
    if partition_by is not None:
        parts.append(
            f"coalesce(strftime(timezone('UTC', \"{partition_by}\"), '%Y-%m-%d'), 'unknown') "
            f"AS {PARTITION}"
        )
    return f'SELECT {", ".join(parts)} FROM "{view}"'


def file_digests(directory: Path) -> dict[str, str]:
    """sha256 of every Parquet file under ``directory``, by path relative to it: what a copy is
    verified against after it moved (hashing the bytes runs at disk speed; a per-row checksum
    in Python cost 52 of the 58 s of an export at L)."""
    digests = {}
    for path in sorted(directory.rglob("*.parquet")):
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        digests[path.relative_to(directory).as_posix()] = digest.hexdigest()
    return digests


def _write_view(
    cur: duckdb.DuckDBPyConnection, view: str, target: Path, partition_by: str | None
) -> ViewExport:
    reader = cur.sql(export_query(cur, view, partition_by)).to_arrow_reader(_BATCH_ROWS)
    assert reader is not None  # a SELECT always has a result
    schema = _microsecond_schema(reader.schema)
    data_columns = [n for n in schema.names if partition_by is None or n != PARTITION]
    counted = {"rows": 0}

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            batch = batch.cast(schema)
            counted["rows"] += batch.num_rows
            yield batch

    target.mkdir(parents=True)
    stream = pa.RecordBatchReader.from_batches(schema, batches())
    if partition_by is None:
        with pq.ParquetWriter(target / "part-0.parquet", schema) as writer:
            for batch in stream:
                writer.write_batch(batch)
    else:
        ds.write_dataset(
            stream,
            target,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([(PARTITION, pa.string())]), flavor="hive"),
            basename_template="part-{i}.parquet",
            max_rows_per_group=_BATCH_ROWS,
            existing_data_behavior="overwrite_or_ignore",
        )
    return ViewExport(
        name=view,
        rows=counted["rows"],
        files=file_digests(target),
        partitioned_by=partition_by,
        columns=data_columns,
    )


def _microsecond_schema(schema: pa.Schema) -> pa.Schema:
    """Nanosecond timestamps are not read by every engine (Spark 3 refuses them)."""
    fields = []
    for f in schema:
        if pa.types.is_timestamp(f.type) and f.type.unit == "ns":
            f = f.with_type(pa.timestamp("us", tz=f.type.tz))
        fields.append(f)
    return pa.schema(fields)


def export_parquet(
    cur: duckdb.DuckDBPyConnection, directory: Path, *, replace: bool = False
) -> Export:
    """Write every public view under ``directory`` (see the module docstring)."""
    directory = Path(directory)
    if directory.exists() and not replace and any(directory.iterdir()):
        raise ExportError(f"{directory} exists and is not empty; pass --replace to overwrite it")
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} exists and is not a directory")
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    exported_at = datetime.now(UTC)
    try:
        cur.execute("BEGIN TRANSACTION")  # one consistent state for every view
        try:
            views = [
                _write_view(cur, view, work / view, history_column(cur, view))
                for view in public_views(cur)
            ]
        finally:
            cur.execute("ROLLBACK")
        manifest = {
            "exported_at": exported_at.isoformat(),
            "layout": "hive",
            "views": {
                v.name: {
                    "rows": v.rows,
                    "files": v.files,
                    "partitioned_by": None if v.partitioned_by is None else PARTITION,
                    "partition_source": v.partitioned_by,
                    "columns": v.columns,
                }
                for v in views
            },
        }
        (work / "export.json").write_text(json.dumps(manifest, indent=2) + "\n")
        _install(work, directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Export(directory, views, exported_at)


def _install(work: Path, directory: Path) -> None:
    os.chmod(work, 0o755)  # mkdtemp makes it private; the export is meant to be shared
    if not directory.exists():
        work.rename(directory)
        return
    old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
    directory.rename(old)
    work.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
