"""Migration 1: the runs log, the catalog snapshot tables and their views."""

from __future__ import annotations

from catalog.store.schema import Migration, SnapshotTable

ENTITY_ROWS = SnapshotTable(
    "entity_rows",
    (
        ("ref", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("namespace", "VARCHAR"),
        ("name", "VARCHAR"),
        ("title", "VARCHAR"),
        ("description", "VARCHAR"),
        ("type", "VARCHAR"),
        ("lifecycle", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("system", "VARCHAR"),
        ("tags", "VARCHAR[]"),
        ("entity", "JSON"),
        ("location", "VARCHAR"),
        ("line", "INTEGER"),
    ),
)

RELATION_ROWS = SnapshotTable(
    "relation_rows",
    (("source_ref", "VARCHAR"), ("type", "VARCHAR"), ("target_ref", "VARCHAR")),
)

PROBLEM_ROWS = SnapshotTable(
    "problem_rows",
    (
        ("severity", "VARCHAR"),
        ("location", "VARCHAR"),
        ("line", "INTEGER"),
        ("field", "VARCHAR"),
        ("ref", "VARCHAR"),
        ("message", "VARCHAR"),
    ),
)

FILE_ROWS = SnapshotTable(
    "file_rows",
    (
        ("location", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("ok", "BOOLEAN"),
        ("entity_count", "INTEGER"),
    ),
)


_V1_RUNS = """
CREATE SEQUENCE run_ids START 1;
CREATE TABLE runs (
  run_id BIGINT PRIMARY KEY,
  source VARCHAR NOT NULL,
  source_type VARCHAR NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL,          -- running | ok | unchanged | failed
  fingerprint VARCHAR,
  record_counts JSON,
  warning_count INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  message VARCHAR
);
"""

_V1_VIEWS = """
CREATE VIEW entities AS
SELECT ref, kind, namespace, name, title, description, type, lifecycle, owner, system, tags,
       entity->'metadata'->'annotations' AS annotations,
       entity->'metadata'->'labels' AS labels,
       entity->'spec' AS spec,
       entity, location, line, source, valid_from AS run_id
FROM entity_rows WHERE valid_to IS NULL;

CREATE VIEW relations AS
SELECT source_ref, type, target_ref, source, valid_from AS run_id
FROM relation_rows WHERE valid_to IS NULL;

CREATE VIEW catalog_problems AS
SELECT severity, location, line, field, ref, message, source, valid_from AS run_id
FROM problem_rows WHERE valid_to IS NULL;

CREATE VIEW catalog_files AS
SELECT location, sha256, ok, entity_count, source, valid_from AS run_id
FROM file_rows WHERE valid_to IS NULL;

CREATE VIEW ingest_runs AS
SELECT run_id, source, source_type, started_at, finished_at,
       date_diff('millisecond', started_at, finished_at) AS duration_ms,
       status, record_counts, warning_count, error_count, message
FROM runs;
"""

MIGRATION = Migration(
    version=1,
    description="runs log, catalog snapshot tables and views",
    tables=(ENTITY_ROWS, RELATION_ROWS, PROBLEM_ROWS, FILE_ROWS),
    sql=_V1_RUNS + _V1_VIEWS,
)
