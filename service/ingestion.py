"""Running configured sources once (``steward ingest``, the demo): parse first, then hold the
database only to store.

DuckDB lets one process hold a database file read-write, and a one-shot ingest used to open it
first and parse inside, holding it for most of its run (issue 15). Now every source is
collected — fetched, parsed, its snapshot's columns built — with the database closed: the last
runs' fingerprints (which let an unchanged source skip building records) are read through a
read-only connection, or from the published snapshot while another process holds the file.
Only then is the file opened read-write, waiting up to ``wait`` seconds for another holder, to
store the runs and run the rest of the pipeline (gaps → scorecards → retention → publish).

A source collected as ``unchanged`` against a fingerprint that is no longer the store's latest
(another process ingested meanwhile) is collected again once the file is held.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from catalog.errors import ConfigError, StewardError, StoreError
from catalog.store.readers import is_locked, open_for_reading
from ingest.allowed_hosts import enforced
from ingest.runner import Collected, CollectJob, collect_sources
from service.config import StewardConfig
from service.steward_service import PipelineRun, ProgressFactory, StewardService

WAIT_STEP = 0.5
"""Seconds between attempts to open a database another process holds."""


class DatabaseHeld(StoreError):
    """The database stayed held by another process for the whole wait."""


@dataclass(frozen=True)
class Collection:
    """Sources collected with the database closed, and the fingerprints they were checked
    against."""

    names: list[str]
    fingerprints: dict[str, str | None]
    collected: dict[str, Collected]


def ingest(
    config: StewardConfig,
    *,
    only: Sequence[str] = (),
    progress_for: ProgressFactory | None = None,
    scorecards: bool = True,
    allow_mass_delete: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[float], None] | None = None,
) -> PipelineRun:
    """Collect the sources with the database closed, then open it (waiting up to ``wait``
    seconds for another holder; ``on_wait(wait)`` is called once if it has to) and run the
    pipeline on what was collected. Every request the sources send goes only to allowed hosts.

    Raises :class:`DatabaseHeld` if the database stays held, ConfigError for unknown sources."""
    config.check_runnable()  # a missing root or unwritable directory: ConfigError, no run row
    with enforced(config.host_policy()):
        collection = collect(config, only, progress_for)
        return store(
            config,
            collection,
            progress_for=progress_for,
            scorecards=scorecards,
            allow_mass_delete=allow_mass_delete,
            wait=wait,
            on_wait=on_wait,
        )


def collect(
    config: StewardConfig, only: Sequence[str] = (), progress_for: ProgressFactory | None = None
) -> Collection:
    """Run every source (concurrently) into its snapshot's columns; no database is open."""
    from ingest.registry import create_source

    names = source_names(config, only)
    fingerprints = previous_fingerprints(config.database, names)
    jobs = [
        CollectJob(
            name,
            create_source(config.source_configs[name]),
            fingerprints[name],
            *([progress_for(name)] if progress_for else []),
        )
        for name in names
    ]
    found = collect_sources(jobs, state_dir=config.resolved_state_dir)
    # without a stop event every job is collected (a CollectJob comes back only when stopping)
    collected = {item.name: item for item in found if isinstance(item, Collected)}
    return Collection(names, fingerprints, collected)


def store(
    config: StewardConfig,
    collection: Collection,
    *,
    progress_for: ProgressFactory | None = None,
    scorecards: bool = True,
    allow_mass_delete: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[float], None] | None = None,
) -> PipelineRun:
    """Open the database (waiting for another holder) and run the pipeline on ``collection``;
    a source found unchanged against a fingerprint that is no longer the latest is collected
    again now."""
    with open_service(config, wait=wait, on_wait=on_wait) as service:
        current = {
            name: item
            for name, item in collection.collected.items()
            if item.status != "unchanged"
            or service.store.last_fingerprint(name) == collection.fingerprints[name]
        }
        # the service closes right after: warming its graph cache would be thrown away
        return service.run_pipeline(
            collection.names,
            progress_for=progress_for,
            scorecards=scorecards,
            allow_mass_delete=allow_mass_delete,
            graph=False,
            collected=current,
        )


def source_names(config: StewardConfig, only: Sequence[str]) -> list[str]:
    unknown = [name for name in only if name not in config.source_configs]
    if unknown:
        known = ", ".join(config.source_configs) or "none"
        raise ConfigError(f"unknown source {', '.join(unknown)} (configured: {known})")
    return list(only) or list(config.source_configs)


def previous_fingerprints(database: Path, names: Sequence[str]) -> dict[str, str | None]:
    """Each source's fingerprint of its last good run, read without holding the database (the
    published snapshot's while another process holds it); None where unknown."""
    found: dict[str, str | None] = dict.fromkeys(names)
    if not database.exists():
        return found
    try:
        opened = open_for_reading(database)
    except StewardError:  # held and nothing published yet, or unreadable: parse everything
        return found
    try:
        rows = opened.connection.execute(
            "SELECT source, fingerprint FROM runs WHERE status IN ('ok', 'unchanged') "
            "QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_id DESC) = 1"
        ).fetchall()
    except duckdb.Error:  # a database from before the runs table: parse everything
        rows = []
    finally:
        opened.connection.close()
    for source, fingerprint in rows:
        if source in found:
            found[str(source)] = fingerprint
    return found


@contextmanager
def open_service(
    config: StewardConfig, *, wait: float, on_wait: Callable[[float], None] | None = None
) -> Iterator[StewardService]:
    """The service on the database, opened read-write as soon as no other process holds it."""
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            service = StewardService(config)
            break
        except StewardError as exc:
            if not is_locked(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseHeld(
                    f"{config.database} is still held by another process after {wait:g} s"
                ) from exc
            if not announced and on_wait is not None:
                on_wait(wait)
            announced = True
            time.sleep(min(WAIT_STEP, max(0.0, deadline - time.monotonic())))
    with service:
        yield service
