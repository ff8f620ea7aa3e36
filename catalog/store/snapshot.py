"""The published read-only snapshot: a copy of the database that other processes may open.

DuckDB lets one process hold a file read-write and no other process open it meanwhile, so the
serving process publishes ``<database stem>.snapshot.duckdb`` after every pipeline run: it
checkpoints (the file then holds every committed change and the write-ahead log is empty),
copies the file aside under the write lock, checks the copy opens, and renames it into place.
A reader therefore sees either the previous snapshot or the new one, never half a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from catalog.errors import StoreError

SNAPSHOT_SUFFIX = ".snapshot.duckdb"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    published_at: datetime
    bytes: int


def snapshot_path(database: Path) -> Path:
    """``steward.duckdb`` → ``steward.snapshot.duckdb`` (beside the database)."""
    stem = database.name.removesuffix(".duckdb") if database.suffix == ".duckdb" else database.name
    return database.with_name(stem + SNAPSHOT_SUFFIX)


def published_snapshot(database: Path) -> Snapshot | None:
    """The snapshot beside ``database``, if one was published."""
    path = snapshot_path(database)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return Snapshot(path, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size)


def copy_checkpointed(
    con: duckdb.DuckDBPyConnection, database: Path, source_fd: int, tmp: Path
) -> None:
    """CHECKPOINT through ``con`` and copy the database (read through ``source_fd``) to ``tmp``.

    The caller holds the write lock: nothing may commit between the checkpoint and the end of
    the copy. ``source_fd`` stays open for the store's lifetime: DuckDB's lock on the file is a
    POSIX record lock, which the kernel drops as soon as this process closes *any* descriptor of
    the file — opening and closing it here (``shutil.copyfile``) would let another process open
    the database read-write beside the service."""
    con.execute("CHECKPOINT")
    wal = database.with_name(database.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(f"{database}: the write-ahead log is not empty after CHECKPOINT")
    size = os.fstat(source_fd).st_size
    out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        offset = 0
        while offset < size:
            sent = os.sendfile(out, source_fd, offset, size - offset)
            if sent == 0:
                raise StoreError(f"{database}: the file ended at {offset} of {size} bytes")
            offset += sent
        os.fsync(out)
    finally:
        os.close(out)


def install_snapshot(tmp: Path, target: Path) -> Snapshot:
    """Check that ``tmp`` opens read-only, make it durable and rename it to ``target``."""
    try:
        try:
            check = duckdb.connect(str(tmp), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"the snapshot copy {tmp} does not open: {exc}") from exc
        try:
            check.execute("SELECT max(version) FROM schema_version").fetchall()
        finally:
            check.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    stat = target.stat()
    return Snapshot(target, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size)
