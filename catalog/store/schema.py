"""Schema building blocks: snapshot tables (what sources' records are stored in) and migrations.

Every snapshot table carries the same bookkeeping columns, so that one generic, set-based
loader can replace a source's snapshot and keep history:

* ``source``      the configured source name that emitted the row
* ``valid_from``  the ingest run that first stored this exact row
* ``valid_to``    the ingest run whose snapshot no longer had it (NULL while current)
* ``row_hash``    128 bits from DuckDB's ``hash()`` of the row's content; carries unchanged rows
                  across runs (recomputed when DuckDB changes, see migration 6)
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
            f"  row_hash UHUGEINT NOT NULL,\n  {cols}\n)"
        )


@dataclass(frozen=True)
class Migration:
    """One numbered schema step. Append only: never edit a migration that has shipped."""

    version: int
    description: str
    sql: str
    tables: tuple[SnapshotTable, ...] = ()

    def statements(self) -> str:
        return ";\n".join([*(t.ddl() for t in self.tables), self.sql])
