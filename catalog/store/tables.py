"""The snapshot tables: what each source's records are stored in.

Every snapshot table carries the same bookkeeping columns, so that one generic, set-based
loader can replace a source's snapshot and keep history:

* ``source``      the configured source name that emitted the row
* ``valid_from``  the ingest run that first stored this exact row
* ``valid_to``    the ingest run whose snapshot no longer had it (NULL while current)
* ``row_hash``    md5 of the row's content, used to carry unchanged rows across runs
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SnapshotTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    """(column, DuckDB type); JSON columns receive Python objects serialised by the loader."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def json_columns(self) -> frozenset[str]:
        return frozenset(name for name, kind in self.columns if kind == "JSON")

    def ddl(self) -> str:
        cols = ",\n  ".join(f"{name} {kind}" for name, kind in self.columns)
        return (
            f"CREATE TABLE {self.name} (\n  source VARCHAR NOT NULL,\n"
            f"  valid_from BIGINT NOT NULL,\n  valid_to BIGINT,\n"
            f"  row_hash VARCHAR NOT NULL,\n  {cols}\n)"
        )


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

SNAPSHOT_TABLES: dict[str, SnapshotTable] = {
    t.name: t for t in (ENTITY_ROWS, RELATION_ROWS, PROBLEM_ROWS, FILE_ROWS)
}
