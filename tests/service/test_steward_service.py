"""The service layer: the pipeline, per-call reader cursors, triggers that never overlap."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.errors import ConfigError, QueryRefused
from catalog.store import run_readonly_query
from catalog.store.snapshot import snapshot_path
from service.config import load_config
from service.steward_service import StewardService

EXAMPLES = Path(__file__).parents[2] / "examples"


def example_config(tmp_path: Path, *, scorecards: bool = True) -> Path:
    """The example organisation's file sources (no stand-ins needed) on a fresh database."""
    lines = [
        f"database: {tmp_path / 'steward.duckdb'}",
        "sources:",
        f"  catalog: {{type: catalog_files, roots: [{EXAMPLES}/org/org, {EXAMPLES}/org/repos],"
        " schedule: {minutes: 30}}",
        f"  codeowners: {{type: codeowners, roots: [{EXAMPLES}/org/repos],"
        " org_namespaces: {acme: default}}",
    ]
    if scorecards:
        lines.append(f"scorecards: {EXAMPLES}/scorecards")
    path = tmp_path / "steward.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[StewardService]:
    with StewardService(load_config(example_config(tmp_path))) as svc:
        yield svc


def test_pipeline_ingests_scores_builds_the_graph_and_publishes(service: StewardService) -> None:
    run = service.run_pipeline()
    assert run.ok, run.errors
    assert [o.status for o in run.outcomes] == ["ok", "ok"]
    assert run.scorecard_run_id is not None
    with service.reader() as cur:
        entities = cur.execute("SELECT count(*) FROM entities").fetchall()[0][0]
        scores = cur.execute("SELECT count(*) FROM scorecard_scores").fetchall()[0][0]
    assert entities > 10 and scores > 0
    graph = service.graph()
    assert len(graph.nodes) >= entities
    assert service.graph() is graph  # cached until the data changes
    assert run.snapshot is not None
    assert run.snapshot.path == snapshot_path(service.config.database)
    # another process opens the snapshot read-only while this one holds the database
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('SELECT count(*) FROM entities').fetchall()[0][0], "
        "c.execute('SELECT count(*) FROM scorecard_scores').fetchall()[0][0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(run.snapshot.path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == [str(entities), str(scores)]


def test_unknown_source_is_a_config_error(service: StewardService) -> None:
    with pytest.raises(ConfigError, match="unknown source nope"):
        service.run_ingest(["nope"])


def test_a_reader_never_waits_for_a_write_in_progress(service: StewardService) -> None:
    service.run_ingest(["catalog"])
    with service.reader() as cur:
        before = cur.execute("SELECT count(*) FROM entities").fetchall()[0][0]
    with service.store.transaction(commit=False) as con:
        con.execute("DELETE FROM entity_rows")
        seen: list[int] = []

        def read() -> None:
            with service.reader() as cur:
                seen.append(cur.execute("SELECT count(*) FROM entities").fetchall()[0][0])

        thread = threading.Thread(target=read)
        thread.start()
        thread.join(5)
        assert not thread.is_alive(), "the reader waited for the writer"
        assert seen == [before]  # the last committed state, not the write in progress


def test_a_timeout_interrupts_only_its_own_cursor(service: StewardService) -> None:
    service.run_ingest(["catalog"])
    errors: list[Exception] = []

    def slow() -> None:
        with service.reader() as cur:
            try:
                run_readonly_query(
                    cur, "SELECT count(*) FROM range(100000000000) a", timeout_seconds=0.3
                )
            except QueryRefused as exc:
                errors.append(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    counts = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        with service.reader() as cur:
            counts.append(run_readonly_query(cur, "SELECT count(*) FROM entities").rows[0][0])
    thread.join(10)
    assert len(errors) == 1 and "timeout" in str(errors[0])
    assert len(counts) > 1 and len(set(counts)) == 1


def test_trigger_never_starts_a_second_run_of_a_source(service: StewardService) -> None:
    with service.store.write_lock:  # the triggered run stops at its first write
        first = service.trigger("catalog")
        time.sleep(0.1)
        second = service.trigger("catalog")
    service.wait_idle(30)
    assert first.accepted and not second.accepted
    assert "already running" in second.message
    with service.reader() as cur:
        runs = cur.execute("SELECT count(*) FROM runs WHERE source = 'catalog'").fetchall()
    assert runs == [(1,)]
    assert service.last_run is not None and service.last_run.ok


def test_schedules_without_a_scheduler_come_from_the_config(service: StewardService) -> None:
    found = {s.job: s.trigger for s in service.schedules()}
    assert found == {"source:catalog": "interval[0:30:00]", "source:codeowners": "manual"}


def test_a_triggered_run_hands_its_freed_heap_back_when_it_ends(
    service: StewardService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A serving writer stays up between runs: each triggered pipeline, once over, trims the
    C heap, so the next run does not start from this one's peak (issue 16)."""
    import service.steward_service as steward_service

    released: list[bool] = []
    monkeypatch.setattr(
        steward_service, "release_freed_memory", lambda: released.append(service.running("catalog"))
    )
    assert service.trigger("catalog").accepted
    service.wait_idle(60)
    assert service.last_run is not None and service.last_run.ok
    assert released == [False]  # once, after the run was over


def test_the_writer_keeps_to_the_configured_duckdb_memory_limit(tmp_path: Path) -> None:
    path = example_config(tmp_path)
    with StewardService(load_config(path)) as svc, svc.reader() as cur:
        assert cur.execute("SELECT current_setting('memory_limit')").fetchone() == ("366.2 MiB",)
    path.write_text(path.read_text() + "database_memory_limit: 1GB\n")
    with StewardService(load_config(path)) as svc, svc.reader() as cur:
        assert cur.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
