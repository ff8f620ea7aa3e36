"""The service as the API process of ``steward serve`` sees it: the published snapshot.

``steward serve`` runs the HTTP API in a process of its own (``service.api.worker``) so that
requests never share a GIL with the pipeline. That process reads the read-only snapshot the
writer publishes after every pipeline run (``catalog.store.snapshot``), and asks the writer
(``service.api.writer_link``) for what only it knows: triggering a source, the schedules.

**A new snapshot is picked up atomically.** At most every ``RECHECK_S`` a read looks at the
snapshot file; when the writer has renamed a new one into place, the next reads open it while
reads already running finish on the one they started with (a snapshot never changes, so a
response built on one cursor never mixes two pipeline runs). DuckDB keeps one instance per path
in a process, so each version is opened through a hard link of its own (unlinked once open).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from catalog.errors import StoreError
from catalog.store.snapshot import snapshot_path
from graph import CatalogGraph, build_graph
from graph import loading as graph_loading
from graph.build import load_annotations
from service.api.writer_link import WriterLink, WriterUnavailable
from service.config import StewardConfig
from service.steward_service import PipelineRun

log = logging.getLogger(__name__)

RECHECK_S = 0.5
"""How often reads look for a newer snapshot (one ``stat``)."""
DUCKDB_THREADS = 1
"""Threads of each snapshot's DuckDB instance. The API's queries are small lookups, and its
caches are rebuilt in the background after every pipeline run: with a thread per core (DuckDB's
default) a rebuild took both cores of the machine from the requests (and from the writer's
ingest) and held ~50 MB more at its peak (L)."""


@dataclass(frozen=True)
class _Version:
    number: int
    key: tuple[int, int, int]
    """(inode, mtime in ns, size) of the snapshot file it was opened from."""
    connection: duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class TriggerAnswer:
    source: str
    accepted: bool
    message: str


@dataclass(frozen=True)
class ScheduleAnswer:
    job: str
    trigger: str
    next_run: datetime | None
    running: bool


class SnapshotService:
    """``ServiceLike`` over the published snapshot of ``config.database``."""

    def __init__(self, config: StewardConfig, writer: WriterLink) -> None:
        self.config = config
        self.writer = writer
        self.path = snapshot_path(Path(config.database))
        self._lock = threading.Lock()
        self._version: _Version | None = None
        self._checked = 0.0
        self._numbers = itertools.count(1)
        self._graph_lock = threading.Lock()
        self._graph: CatalogGraph | None = None
        self._graph_version = 0

    # -- reads -----------------------------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the newest published snapshot (as of the last check)."""
        cur = self._current().connection.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @property
    def version(self) -> int:
        """The number of the snapshot reads use now (1, 2, … in this process)."""
        return self._current().number

    def graph(self) -> CatalogGraph:
        """The dependency graph of the current snapshot; rebuilt only when entities or
        relations changed, its owner/on-call/level lookups reloaded when those did."""
        version = self._current()
        with self._graph_lock:
            graph = self._graph
            if graph is not None and self._graph_version == version.number:
                return graph
            cur = version.connection.cursor()
            try:
                if graph is not None and graph.fingerprint == graph_loading.topology_fingerprint(
                    cur
                ):
                    views = graph_loading.existing_views(cur)
                    if graph.annotations_fingerprint != graph_loading.annotations_fingerprint(
                        cur, views
                    ):
                        load_annotations(cur, graph, views)
                else:
                    graph = build_graph(cur, with_networkx=False)  # blast radius needs none
            finally:
                cur.close()
            self._graph, self._graph_version = graph, version.number
            return graph

    def _current(self) -> _Version:
        version = self._version
        if version is not None and time.monotonic() - self._checked < RECHECK_S:
            return version
        with self._lock:
            self._checked = time.monotonic()
            try:
                stat = os.stat(self.path)
            except FileNotFoundError:
                if self._version is not None:
                    return self._version
                raise StoreError(f"no published snapshot at {self.path} yet") from None
            key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if self._version is None or self._version.key != key:
                # readers still on the previous version keep it open through their cursors
                self._version = _Version(next(self._numbers), key, _open(self.path))
            return self._version

    # -- what only the writer knows --------------------------------------------------------
    def trigger(self, source: str) -> TriggerAnswer:
        answer: dict[str, Any] = self.writer.call("trigger", source)
        return TriggerAnswer(**answer)

    def schedules(self) -> list[ScheduleAnswer]:
        answer: list[dict[str, Any]] = self.writer.call("schedules")
        return [ScheduleAnswer(**item) for item in answer]

    @property
    def last_run(self) -> PipelineRun | None:
        """The writer's latest pipeline run (its failed steps make ``/readyz`` not ready);
        ``None`` while the writer does not answer."""
        try:
            run = self.writer.call("last_run")
        except WriterUnavailable:
            log.warning("the writer did not tell its last pipeline run")
            return None
        return run if isinstance(run, PipelineRun) else None


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """``path`` read-only, through a hard link of its own: DuckDB would hand back the instance
    it already has open for the same path (the previous snapshot)."""
    link = path.with_name(f".{path.name}.api-{os.getpid()}-{time.monotonic_ns()}")
    os.link(path, link)
    try:
        return duckdb.connect(str(link), read_only=True, config={"threads": DUCKDB_THREADS})
    finally:
        link.unlink()
