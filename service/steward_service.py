"""The service layer: one object owning the config, the store and the graph cache.

The CLI, the scheduler and the HTTP API are thin layers over :class:`StewardService`. Every
ingest runs the whole pipeline — sources → gaps → graph → scorecards → published snapshot —
one pipeline at a time; readers (:meth:`StewardService.reader`) get a cursor of their own on
the live database and never wait for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import duckdb

from catalog.errors import ConfigError, StewardError
from catalog.secrets import redact
from catalog.store import Store
from catalog.store.snapshot import Snapshot
from graph.build import GraphCache
from graph.model import CatalogGraph
from ingest.memory import release_freed_memory
from ingest.runner import Collected, RunOutcome
from ingest.schedule import Schedule
from ingest.source import ProgressCallback
from service.config import StewardConfig, load_config

log = logging.getLogger(__name__)

ProgressFactory = Callable[[str], ProgressCallback]


@dataclass
class PipelineRun:
    """What one pipeline run did; ``errors`` are the steps after ingest that failed."""

    started_at: datetime
    sources: list[str]
    outcomes: list[RunOutcome] = field(default_factory=list)
    finished_at: datetime | None = None
    scorecard_run_id: int | None = None
    snapshot: Snapshot | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(o.status != "failed" for o in self.outcomes)


@dataclass(frozen=True)
class ScheduleInfo:
    """One scheduled job: a source's ingest or a report."""

    job: str
    """``source:<name>`` or ``report:ownership_gaps``."""
    trigger: str
    """``interval[0:30:00]`` or ``cron[0 8 * * MON]``; ``manual`` for an unscheduled source."""
    next_run: datetime | None
    running: bool


@dataclass(frozen=True)
class TriggerResult:
    source: str
    accepted: bool
    """False: the source is already running (a trigger never starts a second run)."""
    message: str


class StewardService:
    """Owns the config, the read-write store and the graph cache of one database."""

    def __init__(self, config: StewardConfig) -> None:
        self.config = config
        self.store = Store(config.database, memory_limit=config.database_memory_limit)
        self._graphs = GraphCache()
        self._pipeline_lock = threading.Lock()
        self._running: set[str] = set()
        self._running_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.last_run: PipelineRun | None = None
        self._stopping = threading.Event()
        abandoned = self.store.abandon_unfinished_runs()
        if abandoned:
            log.warning("marked %d runs left unfinished by a previous process abandoned", abandoned)
        self.scheduler: SchedulerLike | None = None
        """Set by ``service.scheduler`` while ``steward serve`` runs."""
        self.warm_graph = True
        """Scheduled and triggered runs warm the graph cache (off when another process serves
        the API from the snapshot)."""

    @classmethod
    def from_path(cls, path: Path | None = None) -> StewardService:
        return cls(load_config(path))

    # -- reads -----------------------------------------------------------------------------
    def reader(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A cursor of its own on the live database (last committed state); never blocks on a
        running ingest. Use one per request or thread, and only inside the ``with`` block."""
        return self.store.reader()

    def graph(self) -> CatalogGraph:
        """The cached dependency graph; rebuilt when entities or relations changed."""
        with self.reader() as cur:
            return self._graphs.get(cur)

    # -- the pipeline ----------------------------------------------------------------------
    def run_ingest(
        self, sources: Sequence[str] = (), *, progress_for: ProgressFactory | None = None
    ) -> list[RunOutcome]:
        """Run ``sources`` (all when empty), then gaps → graph → scorecards → publish.

        Pipelines never overlap (a second caller waits). A failing source keeps its last good
        snapshot; a failing later step is logged and kept in :attr:`last_run`."""
        return self.run_pipeline(sources, progress_for=progress_for).outcomes

    def run_pipeline(
        self,
        sources: Sequence[str] = (),
        *,
        progress_for: ProgressFactory | None = None,
        scorecards: bool = True,
        allow_mass_delete: bool = False,
        graph: bool = True,
        collected: Mapping[str, Collected] | None = None,
    ) -> PipelineRun:
        """:meth:`run_ingest`, returning the whole pipeline run (step errors included).

        ``scorecards=False`` leaves the scorecard step out (``steward ingest``, whose user
        scores with ``steward scorecard run``). ``allow_mass_delete`` lifts the mass-delete
        guard (``ingest.guard``) for this run; ``graph=False`` does not warm the graph cache (a
        one-shot process that exits afterwards); sources in ``collected`` (collected before
        the database was opened, ``service.ingestion``) are only stored."""
        names = self._source_names(sources)
        from ingest.allowed_hosts import enforced

        # scheduled and triggered runs check every request too (the collect threads copy it)
        with self._pipeline_lock, enforced(self.config.host_policy()):
            return self._pipeline(
                names,
                progress_for,
                scorecards=scorecards,
                allow_mass_delete=allow_mass_delete,
                graph=graph,
                collected=collected,
            )

    def _source_names(self, sources: Sequence[str]) -> list[str]:
        unknown = [name for name in sources if name not in self.config.source_configs]
        if unknown:
            known = ", ".join(self.config.source_configs) or "none"
            raise ConfigError(f"unknown source {', '.join(unknown)} (configured: {known})")
        return list(sources) or list(self.config.source_configs)

    def _pipeline(
        self,
        names: list[str],
        progress_for: ProgressFactory | None,
        *,
        scorecards: bool,
        allow_mass_delete: bool = False,
        graph: bool = True,
        collected: Mapping[str, Collected] | None = None,
    ) -> PipelineRun:
        from ingest.registry import create_source
        from ingest.runner import run_sources

        run = PipelineRun(started_at=datetime.now(UTC), sources=names)
        self.last_run = run
        if self._stopping.is_set():
            run.errors.append("stopped before the sources")
            return run
        # collected concurrently (threads: the work is mostly waiting on remote listings and
        # the file system), stored one at a time by this thread (the store's one writer)
        ingested = run_sources(
            self.store,
            [(name, create_source(self.config.source_configs[name])) for name in names],
            state_dir=self.config.resolved_state_dir,
            progress_for=progress_for,
            guard=None if allow_mass_delete else self.config.mass_delete.guard(),
            stopping=self._stopping,
            collected=collected,
        )
        run.outcomes.extend(ingested.outcomes)
        run.errors.extend(f"stopped before storing source {name}" for name in ingested.stopped)
        if self._stopping.is_set():  # a stopping service publishes nothing new
            run.errors.append("stopped before the gaps step")
            return run
        self._step(run, "gaps", self._refresh_gaps)
        if graph:
            self._step(run, "graph", self.graph)
        if scorecards:
            self._step(run, "scorecards", lambda: self._run_scorecards(run))
            if graph:
                self._step(run, "graph", self.graph)  # levels changed: reload the annotations
        if self._stopping.is_set():
            run.errors.append("stopped before publishing")
            return run
        self._step(run, "retention", self._prune)
        self._step(run, "publish", lambda: self._publish(run))
        run.finished_at = datetime.now(UTC)
        return run

    def _step(self, run: PipelineRun, name: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        try:
            action()
            log.info("pipeline step=%s seconds=%.2f", name, time.perf_counter() - started)
        except (StewardError, duckdb.Error, OSError) as exc:
            # a database or file-system error (a full disk at CHECKPOINT) fails the step, not
            # the process: the sources' runs are recorded and the last snapshot stays published
            detail = str(exc) if isinstance(exc, StewardError) else f"{type(exc).__name__}: {exc}"
            run.errors.append(f"{name}: {redact(detail)}")
            log.error("pipeline step=%s failed: %s", name, redact(detail))

    def _refresh_gaps(self) -> None:
        self.store.refresh_gaps(stale_after_days=self.config.ownership.stale_after_days)

    def _run_scorecards(self, run: PipelineRun) -> None:
        if self.config.scorecards is None:
            return
        from scorecards import run_scorecards

        result = run_scorecards(
            self.store,
            self.config.scorecards,
            stale_after_days=self.config.ownership.stale_after_days,
        )
        run.scorecard_run_id = result.run_id

    def _prune(self) -> None:
        keep_days = self.config.history.keep_days
        if keep_days is None:
            return
        pruned = self.store.prune_history(keep_days)
        if any(vars(pruned).values()):
            log.info("pruned history older than %d days: %s", keep_days, vars(pruned))

    def _publish(self, run: PipelineRun) -> None:
        if str(self.config.database) == ":memory:":
            return
        run.snapshot = self.store.publish_snapshot()
        log.info("published snapshot=%s bytes=%d", run.snapshot.path, run.snapshot.bytes)

    # -- triggers and schedules ------------------------------------------------------------
    def trigger(self, source: str) -> TriggerResult:
        """Run ``source`` now, in the background (through the scheduler while it runs);
        refused while that source is running."""
        self._source_names([source])
        if self.scheduler is not None:
            return self.scheduler.run_now(source)
        if not self._claim(source):
            return TriggerResult(source, False, f"{source} is already running")
        thread = threading.Thread(
            target=self._run_claimed, args=[source], name=f"steward-trigger-{source}", daemon=True
        )
        self._threads.append(thread)
        thread.start()
        return TriggerResult(source, True, f"{source} started")

    def run_guarded(self, source: str) -> PipelineRun | None:
        """Run the pipeline for ``source`` unless a run of it is already under way (the
        scheduler's jobs and triggers call this); errors are logged, never raised."""
        if not self._claim(source):
            log.info("skip source=%s: already running", source)
            return None
        return self._run_claimed(source)

    def _claim(self, source: str) -> bool:
        with self._running_lock:
            if source in self._running:
                return False
            self._running.add(source)
            return True

    def _run_claimed(self, source: str) -> PipelineRun | None:
        try:
            return self.run_pipeline([source], graph=self.warm_graph)
        except Exception:
            log.exception("pipeline for source=%s failed", source)
            return None
        finally:
            with self._running_lock:
                self._running.discard(source)
            # a serving process stays up: its next run should not start from this one's peak
            release_freed_memory()

    def running(self, source: str) -> bool:
        with self._running_lock:
            return source in self._running

    def schedules(self) -> list[ScheduleInfo]:
        """Every source's job (and the report job while serving), with its next run."""
        if self.scheduler is not None:
            return self.scheduler.schedules()
        return [
            ScheduleInfo(
                job=f"source:{name}",
                trigger=describe_schedule(getattr(model, "schedule", None)),
                next_run=None,
                running=self.running(name),
            )
            for name, model in self.config.source_configs.items()
        ]

    # -- lifecycle -------------------------------------------------------------------------
    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait for background triggered runs to finish (tests, shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]

    def stop(self, timeout: float) -> bool:
        """Ask a running pipeline to stop after its current step; True once none runs (within
        ``timeout`` seconds), False if one is still running."""
        self._stopping.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if not self._pipeline_lock.acquire(timeout=timeout):
            return False
        self._pipeline_lock.release()
        return True

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None
        self.wait_idle()
        self.store.close()

    def __enter__(self) -> StewardService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SchedulerLike(Protocol):
    """What the service needs from the scheduler (``service.scheduler``)."""

    def run_now(self, source: str) -> TriggerResult: ...

    def schedules(self) -> list[ScheduleInfo]: ...

    def shutdown(self, wait: bool = True) -> None: ...


def describe_schedule(schedule: object) -> str:
    return schedule.describe() if isinstance(schedule, Schedule) else "manual"
