"""The runner: one run id per source run, the snapshot replaced in one transaction.

A run has two halves. :func:`collect_source` runs the source and turns its records into the
snapshot's columns; it needs no database (the previous fingerprint is passed in), so sources
can be collected concurrently (:func:`collect_sources`) or before the database is opened.
:func:`store_collected` writes one collected run into the store (the one writer): unchanged,
failed, held by the mass-delete guard, or its snapshot replaced. :func:`run_source` is both.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from catalog.errors import StewardError
from catalog.secrets import redact
from catalog.store import Store
from ingest.guard import MassDeleteGuard
from ingest.memory import gc_paused, release_freed_memory
from ingest.records import Record
from ingest.source import ProgressCallback, Source, SourceContext, SourceReport, _no_progress

log = logging.getLogger(__name__)

Columns = dict[str, list[Any]]

MAX_CONCURRENT_SOURCES = 8
"""Sources collected at the same time by :func:`collect_sources` (their work is mostly waiting
on remote listings and the file system)."""


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    source: str
    status: str  # ok | unchanged | failed
    report: SourceReport
    message: str | None = None


@dataclass
class Collected:
    """One source run, collected and not yet stored."""

    name: str
    source_type: str
    tables: frozenset[str]
    report: SourceReport
    columns: dict[str, Columns] = field(default_factory=dict)
    """The new snapshot: columns per table that has rows (tables without rows are emptied)."""
    failure: str | None = None
    """Why the run failed (the previous snapshot stays); None when it did not."""
    row_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        if self.failure is not None:
            return "failed"
        return "unchanged" if self.report.unchanged else "ok"


@dataclass(frozen=True)
class CollectJob:
    """What :func:`collect_sources` needs to collect one source."""

    name: str
    source: Source
    previous_fingerprint: str | None
    progress: ProgressCallback = _no_progress


def _columns(records: list[Record]) -> Columns:
    fields = list(records[0]._asdict())
    return {
        name: list(values) for name, values in zip(fields, zip(*records, strict=True), strict=True)
    }


def collect_source(
    name: str,
    source: Source,
    *,
    state_dir: Path,
    previous_fingerprint: str | None,
    progress: ProgressCallback = _no_progress,
) -> Collected:
    """Run ``source`` and build its snapshot's columns; never raises for a source's failure
    (it is in ``Collected.failure``). Touches no database."""
    source_state = state_dir / name
    source_state.mkdir(parents=True, exist_ok=True)
    ctx = SourceContext(
        name=name,
        state_dir=source_state,
        previous_fingerprint=previous_fingerprint,
        progress=progress,
    )
    collected = Collected(name, source.type_name, source.tables, ctx.report)
    started = time.perf_counter()
    with gc_paused():
        _collect(collected, source, ctx)
    collected.seconds = time.perf_counter() - started
    return collected


def _collect(collected: Collected, source: Source, ctx: SourceContext) -> None:
    try:
        by_table: dict[str, list[Record]] = defaultdict(list)
        by_type: dict[type[Record], list[Record]] = {}  # saves a table() call per record
        for record in source.run(ctx):
            rows = by_type.get(type(record))
            if rows is None:
                rows = by_type[type(record)] = by_table[type(record).table()]
            rows.append(record)
        del by_type
    except StewardError as exc:
        collected.failure = str(exc)
        return
    except Exception as exc:  # a bug or an unexpected library error: still keep the snapshot
        log.exception("source %s crashed", collected.name)
        collected.failure = f"{type(exc).__name__}: {exc}"
        return
    if ctx.report.unchanged:
        return
    stray = set(by_table) - source.tables
    if stray:
        collected.failure = f"emitted records for tables it does not own: {sorted(stray)}"
        return
    collected.row_counts = {table: len(by_table.get(table, [])) for table in source.tables}
    for table in list(by_table):  # one table at a time, its records freed once in columns
        rows = by_table.pop(table)
        if rows:
            collected.columns[table] = _columns(rows)
        del rows


def collect_sources(
    jobs: Sequence[CollectJob],
    *,
    state_dir: Path,
    max_workers: int = MAX_CONCURRENT_SOURCES,
    stopping: threading.Event | None = None,
) -> Iterator[Collected | CollectJob]:
    """Collect ``jobs`` concurrently (threads), yielding each as it finishes.

    Each collect runs in a copy of the caller's ``contextvars`` context (settings such as the
    host policy in force reach the source). A job that has not started when ``stopping`` is
    set is not run: the job itself is yielded instead. Closing the iterator early waits for
    the collects already running and drops their results."""
    if not jobs:
        return

    def collect(job: CollectJob) -> Collected | CollectJob:
        if stopping is not None and stopping.is_set():
            return job
        log.info("ingest source=%s started", job.name)  # from here on it runs to its end
        return collect_source(
            job.name,
            job.source,
            state_dir=state_dir,
            previous_fingerprint=job.previous_fingerprint,
            progress=job.progress,
        )

    workers = max(1, min(max_workers, len(jobs)))
    with ThreadPoolExecutor(workers, thread_name_prefix="steward-collect") as pool:
        pending: set[Future[Collected | CollectJob]] = {
            pool.submit(contextvars.copy_context().run, collect, job) for job in jobs
        }
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                while done:
                    # no name here keeps the result (a source's columns) while the caller
                    # stores it: once stored, it can be freed
                    yield done.pop().result()
        finally:
            for future in pending:
                future.cancel()


def store_collected(
    store: Store,
    collected: Collected,
    *,
    guard: MassDeleteGuard | None = None,
    run_id: int | None = None,
) -> RunOutcome:
    """Write one collected run: its ``runs`` row (begun now unless ``run_id`` is given) and,
    when it is ``ok``, its snapshot in the same transaction. On failure the previous snapshot
    stays. With ``guard``, a run that would remove too many of the source's objects fails."""
    if run_id is None:
        run_id = store.begin_run(collected.name, collected.source_type)
    with gc_paused():
        outcome = _store(store, run_id, collected, guard)
    _redact_report(outcome.report)
    return outcome


def _store(
    store: Store, run_id: int, collected: Collected, guard: MassDeleteGuard | None
) -> RunOutcome:
    name, report = collected.name, collected.report
    if collected.failure is not None:
        return _fail(store, run_id, name, report, collected.failure)
    if report.unchanged:
        store.finish_run(
            run_id,
            status="unchanged",
            fingerprint=report.fingerprint,
            record_counts=dict(report.counts),
            warning_count=len(report.warnings),
            error_count=len(report.errors),
            message=_first_errors(report),
        )
        return RunOutcome(run_id, name, "unchanged", report)
    snapshot = {
        table: collected.columns.get(table) or store.empty_snapshot(table)
        for table in collected.tables
    }
    if guard is not None:
        with store.reader() as cur:
            held = guard.check(cur, name, snapshot)
        if held is not None:
            return _fail(store, run_id, name, report, held)
    try:
        store.finish_run(
            run_id,
            status="ok",
            fingerprint=report.fingerprint,
            record_counts=collected.row_counts | dict(report.counts),
            warning_count=len(report.warnings),
            error_count=len(report.errors),
            message=_first_errors(report),
            snapshot=snapshot,
        )
    except (StewardError, duckdb.Error) as exc:  # e.g. a full disk: the transaction is undone
        log.error("storing the snapshot of source %s failed: %s", name, exc)
        return _fail(store, run_id, name, report, f"storing the snapshot failed: {exc}")
    return RunOutcome(run_id, name, "ok", report)


MESSAGE_ERRORS = 3
"""Errors of an ``ok`` run quoted in its ``ingest_runs.message`` (the rest are counted)."""


def _first_errors(report: SourceReport) -> str | None:
    """The reason an ``ok`` run still reported errors (a region that failed, a broken file),
    redacted, for ``ingest_runs.message``; None without errors."""
    if not report.errors:
        return None
    text = "; ".join(redact(e) for e in report.errors[:MESSAGE_ERRORS])
    more = len(report.errors) - MESSAGE_ERRORS
    return f"{text} (+{more} more)" if more > 0 else text


def run_source(
    store: Store,
    name: str,
    source: Source,
    *,
    state_dir: Path,
    progress: ProgressCallback = _no_progress,
    guard: MassDeleteGuard | None = None,
) -> RunOutcome:
    """Run ``source`` once. On failure the run is logged and the previous snapshot stays.

    With ``guard``, a run that would remove too many of the source's objects fails too."""
    run_id = store.begin_run(name, source.type_name)
    collected = collect_source(
        name,
        source,
        state_dir=state_dir,
        previous_fingerprint=store.last_fingerprint(name),
        progress=progress,
    )
    return store_collected(store, collected, guard=guard, run_id=run_id)


STORE_FAILED = "storing another source's run failed; this run was not stored"
STOPPED = "the service stopped before this source ran; the last good snapshot is kept"


def abandon_collected(
    store: Store, run_id: int, name: str, report: SourceReport, message: str = STOPPED
) -> RunOutcome:
    """Close a begun run whose collected snapshot will not be stored."""
    store.finish_run(
        run_id,
        status="abandoned",
        record_counts=dict(report.counts),
        warning_count=len(report.warnings),
        error_count=len(report.errors),
        message=message,
    )
    return RunOutcome(run_id, name, "abandoned", report, message)


def _redact_report(report: SourceReport) -> None:
    report.errors[:] = [redact(m) for m in report.errors]
    report.warnings[:] = [redact(m) for m in report.warnings]


def _fail(store: Store, run_id: int, name: str, report: SourceReport, message: str) -> RunOutcome:
    message = redact(message)  # exception text can quote a credential (a header value, a URL)
    report.error(message)
    store.finish_run(
        run_id,
        status="failed",
        record_counts=dict(report.counts),
        warning_count=len(report.warnings),
        error_count=len(report.errors),
        message=message,
    )
    return RunOutcome(run_id, name, "failed", report, message)


@dataclass
class SourcesRun:
    """What :func:`run_sources` did: outcomes in the order the sources were given."""

    outcomes: list[RunOutcome] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    """Sources not run because ``stopping`` was set before they started (runs abandoned)."""


def run_sources(
    store: Store,
    sources: Sequence[tuple[str, Source]],
    *,
    state_dir: Path,
    progress_for: Callable[[str], ProgressCallback] | None = None,
    guard: MassDeleteGuard | None = None,
    stopping: threading.Event | None = None,
    collected: Mapping[str, Collected] | None = None,
    max_workers: int = MAX_CONCURRENT_SOURCES,
) -> SourcesRun:
    """Run ``sources``: collected concurrently, stored one at a time as each is ready (the
    store is the one writer). Sources already in ``collected`` are only stored.

    Once ``stopping`` is set, sources that have not started are not run (their runs closed
    as ``abandoned``, their last good snapshots stay); those under way finish and are stored,
    as the step a stopping service is in."""
    run_ids = {name: store.begin_run(name, source.type_name) for name, source in sources}
    done = {name: item for name, item in (collected or {}).items() if name in run_ids}
    started = time.perf_counter()
    jobs = [
        CollectJob(
            name,
            source,
            store.last_fingerprint(name),
            progress_for(name) if progress_for else _no_progress,
        )
        for name, source in sources
        if name not in done
    ]
    stored: dict[str, RunOutcome] = {}
    result = SourcesRun()

    def store_one(item: Collected | CollectJob) -> None:
        if isinstance(item, CollectJob):  # not started: the service is stopping
            abandon_collected(store, run_ids[item.name], item.name, SourceReport())
            result.stopped.append(item.name)
            return
        outcome = store_collected(store, item, guard=guard, run_id=run_ids[item.name])
        stored[item.name] = outcome
        log.info(
            "ingest source=%s run=%s status=%s seconds=%.2f collect_seconds=%.2f",
            item.name,
            outcome.run_id,
            outcome.status,
            time.perf_counter() - started,
            item.seconds,
        )

    try:
        for ready in done.values():
            store_one(ready)
        for item in collect_sources(
            jobs, state_dir=state_dir, max_workers=max_workers, stopping=stopping
        ):
            store_one(item)
            del item  # its columns, the largest thing a run holds, are freed now
            release_freed_memory()
    except BaseException:  # a store error: close the other begun runs if the store still can
        for name, run_id in run_ids.items():
            if name not in stored and name not in result.stopped:
                with suppress(Exception):
                    abandon_collected(store, run_id, name, SourceReport(), STORE_FAILED)
        raise
    result.outcomes = [stored[name] for name, _ in sources if name in stored]
    return result
