"""The runner: one run id per source run, the snapshot replaced in one transaction."""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.errors import StewardError
from catalog.secrets import redact
from catalog.store import Store
from ingest.guard import MassDeleteGuard
from ingest.records import Record
from ingest.source import ProgressCallback, Source, SourceContext, SourceReport, _no_progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    source: str
    status: str  # ok | unchanged | failed
    report: SourceReport
    message: str | None = None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while a run builds records and columns: hundreds of thousands of
    new tuples and lists (none of them cyclic) otherwise trigger collection after collection
    (measured: 2.7 s instead of 0.3 s for 390k records)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _columns(records: list[Record]) -> dict[str, list[Any]]:
    fields = list(records[0]._asdict())
    return {
        name: list(values) for name, values in zip(fields, zip(*records, strict=True), strict=True)
    }


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
    source_state = state_dir / name
    source_state.mkdir(parents=True, exist_ok=True)
    ctx = SourceContext(
        name=name,
        state_dir=source_state,
        previous_fingerprint=store.last_fingerprint(name),
        progress=progress,
    )
    with _gc_paused():
        outcome = _run(store, run_id, name, source, ctx, guard)
    _redact_report(outcome.report)
    return outcome


def _run(
    store: Store,
    run_id: int,
    name: str,
    source: Source,
    ctx: SourceContext,
    guard: MassDeleteGuard | None,
) -> RunOutcome:
    report = ctx.report
    try:
        by_table: dict[str, list[Record]] = defaultdict(list)
        for record in source.run(ctx):
            by_table[type(record).table()].append(record)
    except StewardError as exc:
        return _fail(store, run_id, name, report, str(exc))
    except Exception as exc:  # a bug or an unexpected library error: still keep the snapshot
        log.exception("source %s crashed", name)
        return _fail(store, run_id, name, report, f"{type(exc).__name__}: {exc}")

    if report.unchanged:
        store.finish_run(
            run_id,
            status="unchanged",
            fingerprint=report.fingerprint,
            record_counts=dict(report.counts),
            warning_count=len(report.warnings),
            error_count=len(report.errors),
        )
        return RunOutcome(run_id, name, "unchanged", report)

    stray = set(by_table) - source.tables
    if stray:
        return _fail(
            store,
            run_id,
            name,
            report,
            f"emitted records for tables it does not own: {sorted(stray)}",
        )
    snapshot = {
        table: _columns(by_table[table]) if by_table.get(table) else store.empty_snapshot(table)
        for table in source.tables
    }
    if guard is not None:
        with store.reader() as cur:
            held = guard.check(cur, name, snapshot)
        if held is not None:
            return _fail(store, run_id, name, report, held)
    counts = {table: len(by_table.get(table, [])) for table in source.tables} | dict(report.counts)
    store.finish_run(
        run_id,
        status="ok",
        fingerprint=report.fingerprint,
        record_counts=counts,
        warning_count=len(report.warnings),
        error_count=len(report.errors),
        snapshot=snapshot,
    )
    return RunOutcome(run_id, name, "ok", report)


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
