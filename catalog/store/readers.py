"""Opening the database for reading from another process: the live file when it can be opened,
else the snapshot the serving process published beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from catalog.errors import StoreError
from catalog.store.readonly import connect_readonly
from catalog.store.snapshot import Snapshot, published_snapshot

LOCKED = "Could not set lock"
"""DuckDB's message when another process holds the file read-write."""


@dataclass(frozen=True)
class OpenedForReading:
    connection: duckdb.DuckDBPyConnection
    snapshot: Snapshot | None
    """Set when the live database was held by another process and the snapshot was opened."""


def is_locked(exc: BaseException) -> bool:
    return LOCKED in str(exc)


def open_for_reading(database: Path) -> OpenedForReading:
    try:
        return OpenedForReading(connect_readonly(database), None)
    except StoreError as exc:
        if not is_locked(exc):
            raise
        snapshot = published_snapshot(database)
        if snapshot is None:
            raise StoreError(
                f"{database} is held by another process (steward serve?) and no snapshot has "
                "been published beside it yet; wait for its first pipeline run"
            ) from exc
        return OpenedForReading(connect_readonly(snapshot.path), snapshot)
