"""Numbered schema migrations. Append only: never edit a migration that has shipped."""

from __future__ import annotations

from catalog.store.tables import ENTITY_ROWS, FILE_ROWS, PROBLEM_ROWS, RELATION_ROWS

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

MIGRATIONS: tuple[str, ...] = (
    # 1: runs log, the catalog snapshot tables and their views
    ";\n".join(
        [_V1_RUNS]
        + [t.ddl() for t in (ENTITY_ROWS, RELATION_ROWS, PROBLEM_ROWS, FILE_ROWS)]
        + [_V1_VIEWS]
    ),
)
