"""Sources are collected concurrently and stored one at a time by the calling thread."""

from __future__ import annotations

import contextvars
import gc
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from catalog.store import Store
from ingest.records import Record, RelationRecord
from ingest.runner import collect_source, run_sources
from ingest.source import SourceContext

LABEL: contextvars.ContextVar[str] = contextvars.ContextVar("LABEL", default="unset")


class MeetingSource:
    """Emits one relation once every source of its barrier has reached it (within 10 s): run
    one after another, the first waits alone and fails."""

    type_name: ClassVar[str] = "meeting"
    tables: ClassVar[frozenset[str]] = frozenset({"relation_rows"})

    def __init__(self, name: str, barrier: threading.Barrier | None = None) -> None:
        self.name = name
        self.barrier = barrier
        self.thread: str | None = None
        self.label: str | None = None

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        self.thread = threading.current_thread().name
        self.label = LABEL.get()
        if self.barrier is not None:
            self.barrier.wait()
        return [RelationRecord(f"component:{self.name}", "dependsOn", "component:b")]


class RecordingStore(Store):
    """Notes the thread of every write of a run's outcome."""

    writers: set[str]

    def finish_run(self, run_id: int, **kwargs: object) -> None:  # type: ignore[override]
        self.writers.add(threading.current_thread().name)
        super().finish_run(run_id, **kwargs)  # type: ignore[arg-type]


def _statuses(store: Store) -> list[tuple[str, str]]:
    return store.connection.execute(
        "SELECT source, status FROM ingest_runs ORDER BY source"
    ).fetchall()


def test_sources_are_collected_at_the_same_time(tmp_path: Path) -> None:
    barrier = threading.Barrier(3, timeout=10)
    sources = [MeetingSource(n, barrier) for n in ("a", "b", "c")]
    with Store(tmp_path / "db.duckdb") as store:
        done = run_sources(store, [(s.name, s) for s in sources], state_dir=tmp_path)
        assert [(o.source, o.status) for o in done.outcomes] == [
            ("a", "ok"),
            ("b", "ok"),
            ("c", "ok"),
        ]
        assert _statuses(store) == [("a", "ok"), ("b", "ok"), ("c", "ok")]
    assert len({s.thread for s in sources}) == 3


def test_only_the_calling_thread_writes_and_the_callers_context_reaches_the_sources(
    tmp_path: Path,
) -> None:
    sources = [MeetingSource(n) for n in ("a", "b")]
    store = RecordingStore(tmp_path / "db.duckdb")
    store.writers = set()
    token = LABEL.set("from the caller")
    try:
        run_sources(store, [(s.name, s) for s in sources], state_dir=tmp_path)
    finally:
        LABEL.reset(token)
        store.close()
    assert store.writers == {threading.current_thread().name}
    assert all(s.thread != threading.current_thread().name for s in sources)
    assert [s.label for s in sources] == ["from the caller", "from the caller"]


def test_a_source_collected_beforehand_is_stored_without_running_again(tmp_path: Path) -> None:
    early, late = MeetingSource("a"), MeetingSource("b")
    collected = collect_source("a", early, state_dir=tmp_path, previous_fingerprint=None)
    early.thread = None
    with Store(tmp_path / "db.duckdb") as store:
        done = run_sources(
            store, [("a", early), ("b", late)], state_dir=tmp_path, collected={"a": collected}
        )
        assert [(o.source, o.status) for o in done.outcomes] == [("a", "ok"), ("b", "ok")]
        refs = store.connection.execute("SELECT source_ref FROM relations ORDER BY 1").fetchall()
    assert early.thread is None and late.thread is not None
    assert refs == [("component:a",), ("component:b",)]


def test_a_stopping_service_stores_what_is_under_way_and_runs_nothing_more(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_sources(
            store, [("a", MeetingSource("a")), ("b", MeetingSource("b"))], state_dir=tmp_path
        )
        stopping = threading.Event()

        class StopsTheService(MeetingSource):
            def run(self, ctx: SourceContext) -> Iterable[Record]:
                stopping.set()  # as SIGTERM would, while this source is collected
                return [RelationRecord("component:new", "dependsOn", "component:b")]

        later = MeetingSource("b")
        done = run_sources(
            store,
            [("a", StopsTheService("a")), ("b", later)],
            state_dir=tmp_path,
            stopping=stopping,
            max_workers=1,
        )
        assert [(o.source, o.status) for o in done.outcomes] == [("a", "ok")]
        assert done.stopped == ["b"]
        runs = store.connection.execute(
            "SELECT source, status FROM ingest_runs ORDER BY run_id"
        ).fetchall()
        refs = store.connection.execute("SELECT source_ref FROM relations ORDER BY 1").fetchall()
    assert later.thread is None  # never ran
    assert runs[2:] == [("a", "ok"), ("b", "abandoned")]
    assert refs == [("component:b",), ("component:new",)]  # b's last good snapshot stays


def test_the_garbage_collector_runs_again_after_concurrent_runs(tmp_path: Path) -> None:
    assert gc.isenabled()
    barrier = threading.Barrier(2, timeout=10)
    with Store(tmp_path / "db.duckdb") as store:
        run_sources(
            store,
            [("a", MeetingSource("a", barrier)), ("b", MeetingSource("b", barrier))],
            state_dir=tmp_path,
        )
    assert gc.isenabled()
