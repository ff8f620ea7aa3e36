"""``steward serve``'s API process: reads on the published snapshot (a newer one picked up,
reads already running finish on theirs), the pipe to the writer, and its life bound to the
writer's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import Pipe
from pathlib import Path

import pytest

from service.api import snapshot_service
from service.api.snapshot_service import SnapshotService
from service.api.writer_link import WriterLink, WriterUnavailable, answer_requests
from service.config import load_config
from service.steward_service import StewardService
from tests.service.api.conftest import EXAMPLES, file_sources_config

STEWARD = [sys.executable, "-c", "from service.cli import app; app()"]


@dataclass(frozen=True)
class Info:
    job: str
    trigger: str
    next_run: datetime | None
    running: bool


class FakeWriter:
    def __init__(self) -> None:
        self.triggered: list[str] = []

    def trigger(self, source: str) -> dict[str, object]:
        if source == "boom":
            raise RuntimeError("scheduler stopped")
        self.triggered.append(source)
        return {"source": source, "accepted": True, "message": f"{source} queued"}

    def schedules(self) -> list[Info]:
        return [Info("source:catalog", "interval[0:30:00]", datetime(2026, 1, 1, tzinfo=UTC), True)]


@pytest.fixture()
def link() -> Iterator[tuple[WriterLink, FakeWriter, list[str]]]:
    ours, theirs = Pipe(duplex=True)
    writer = FakeWriter()
    started: list[str] = []
    thread = threading.Thread(target=answer_requests, args=[writer, ours, started.append])
    thread.start()
    yield WriterLink(theirs), writer, started
    theirs.close()
    thread.join(10)
    ours.close()


def test_the_writer_answers_triggers_and_schedules_over_the_pipe(
    link: tuple[WriterLink, FakeWriter, list[str]],
) -> None:
    api, writer, started = link
    api.announce("http://127.0.0.1:1234")
    assert api.call("trigger", "catalog") == {
        "source": "catalog",
        "accepted": True,
        "message": "catalog queued",
    }
    assert writer.triggered == ["catalog"]
    assert api.call("schedules") == [
        {
            "job": "source:catalog",
            "trigger": "interval[0:30:00]",
            "next_run": datetime(2026, 1, 1, tzinfo=UTC),
            "running": True,
        }
    ]
    assert started == ["http://127.0.0.1:1234"]
    with pytest.raises(WriterUnavailable, match="scheduler stopped"):
        api.call("trigger", "boom")
    with pytest.raises(WriterUnavailable, match="unknown request"):
        api.call("drop-tables")
    assert api.call("trigger", "codeowners")["accepted"] is True  # still answering


def test_a_writer_that_is_gone_is_reported_not_waited_for() -> None:
    ours, theirs = Pipe(duplex=True)
    ours.close()
    with pytest.raises(WriterUnavailable):
        WriterLink(theirs).call("schedules")
    theirs.close()


def test_reads_follow_each_published_snapshot_and_running_reads_keep_theirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_service, "RECHECK_S", 0.0)
    count = "SELECT count(*) FROM ingest_runs"
    with StewardService(load_config(file_sources_config(tmp_path))) as writer:
        assert writer.run_pipeline(graph=False).ok
        api = SnapshotService(writer.config, WriterLink(Pipe()[0]))
        with api.reader() as cur:
            assert cur.execute(count).fetchall() == [(2,)]
        graph = api.graph()
        assert "component:default/billing-service" in graph.ids
        with api.reader() as held:
            assert writer.run_pipeline(graph=False).ok  # publishes a newer snapshot
            with api.reader() as cur:
                assert cur.execute(count).fetchall() == [(4,)]
            assert api.version == 2
            assert held.execute(count).fetchall() == [(2,)]  # a read under way keeps its own
        assert api.graph() is graph  # same entities and relations: the graph is kept
        assert not [p for p in tmp_path.iterdir() if ".api-" in p.name]  # no links left


def _api_pid(proc: subprocess.Popen[str], timeout: float) -> int:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if "api_pid=" in line:
            return int(line.split("api_pid=", 1)[1].split()[0])
        if not line:
            break
    raise AssertionError("steward serve did not announce its API process")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited
        return stat.read().split(") ", 1)[1][0] != "Z"


def test_the_api_process_exits_when_the_writer_is_killed(tmp_path: Path) -> None:
    config = file_sources_config(tmp_path)
    proc = subprocess.Popen(
        [*STEWARD, "serve", "--config", str(config), "--port", "0"],
        env={**os.environ, "STEWARD_API_TOKENS": "t-0123456789abcdef"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        api_pid = _api_pid(proc, 60)
        assert _alive(api_pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 20
        while _alive(api_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(api_pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()


BROKEN_CARD = "id: broken\ntitle: Broken\nlevels: [bronze]\nchecks: 7\n"


def test_readyz_in_the_api_process_names_a_step_that_failed_in_the_writer(
    tmp_path: Path,
) -> None:
    """The API process has no pipeline of its own: the writer tells it its last run."""
    from fastapi.testclient import TestClient

    from service.api import create_app

    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "broken.yaml").write_text(BROKEN_CARD)
    config_path = file_sources_config(tmp_path)
    text = config_path.read_text().replace(
        f"scorecards: {EXAMPLES}/scorecards",
        f"scorecards: {tmp_path / 'cards'}",
    )
    assert f"scorecards: {tmp_path / 'cards'}" in text
    config_path.write_text(text)
    ours, theirs = Pipe(duplex=True)
    with StewardService(load_config(config_path)) as writer:
        failed = writer.run_pipeline()
        assert [error.split(":")[0] for error in failed.errors] == ["scorecards"]
        thread = threading.Thread(target=answer_requests, args=[writer, ours, lambda _: None])
        thread.start()
        try:
            api = SnapshotService(writer.config, WriterLink(theirs))
            client = TestClient(create_app(api, auth=False))
            response = client.get("/readyz")
            assert response.status_code == 503
            body = response.json()
            assert list(body["failed_steps"]) == ["scorecards"]
            assert "broken.yaml" in body["failed_steps"]["scorecards"]

            (tmp_path / "cards" / "broken.yaml").unlink()
            assert writer.run_pipeline().ok
            response = client.get("/readyz")
            assert response.status_code == 200, response.json()
            assert response.json()["failed_steps"] == {}
        finally:
            theirs.close()
            thread.join(10)
            ours.close()
