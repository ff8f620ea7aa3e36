"""The scheduler: jobs fire on their schedules, never overlap, overdue sources run at start,
cron lines are checked with the config line named."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ConfigError
from service.config import load_config
from service.scheduler import REPORT_JOB, SourceScheduler
from service.steward_service import PipelineRun, StewardService
from tests.service.test_steward_service import EXAMPLES


def write_config(tmp_path: Path, catalog_schedule: str, extra: str = "") -> Path:
    path = tmp_path / "steward.yaml"
    path.write_text(
        f"database: {tmp_path / 'steward.duckdb'}\n"
        "sources:\n"
        f"  catalog: {{type: catalog_files, roots: [{EXAMPLES}/org/org],"
        f" schedule: {catalog_schedule}}}\n"
        f"  codeowners: {{type: codeowners, roots: [{EXAMPLES}/org/repos]}}\n" + extra
    )
    return path


class SlowService(StewardService):
    """Each pipeline takes at least ``delay`` seconds; records when each ran."""

    delay = 0.6

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spans: list[tuple[float, float, tuple[str, ...]]] = []
        self.active = 0
        self.max_active = 0
        self._count_lock = threading.Lock()

    def run_pipeline(self, sources: Sequence[str] = (), **kwargs: Any) -> PipelineRun:
        with self._count_lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        start = time.monotonic()
        try:
            time.sleep(self.delay)
            return super().run_pipeline(sources, **kwargs)
        finally:
            with self._count_lock:
                self.active -= 1
            self.spans.append((start, time.monotonic(), tuple(sources)))


@pytest.fixture()
def slow(tmp_path: Path) -> Iterator[SlowService]:
    config = load_config(write_config(tmp_path, "{seconds: 1, jitter_seconds: 0}"))
    with SlowService(config) as svc:
        yield svc


def test_jobs_fire_on_short_intervals_and_never_overlap(slow: SlowService) -> None:
    scheduler = SourceScheduler(slow)
    scheduler.start()
    try:
        time.sleep(4.5)
        # triggers while a run may be going: refused or queued, never a second concurrent run
        for _ in range(5):
            slow.trigger("catalog")
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    runs = [s for s in slow.spans if s[2] == ("catalog",)]
    assert len(runs) >= 3, slow.spans
    assert slow.max_active == 1  # never two pipelines at once, scheduled or triggered
    assert slow.last_run is not None and slow.last_run.ok


def test_an_overdue_source_runs_at_start_and_a_fresh_one_waits(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "{hours: 1}"))
    with StewardService(config) as svc:
        svc.run_ingest(["catalog"])
        now = datetime.now(UTC)
        scheduler = SourceScheduler(svc, now=lambda: now)
        scheduler.start()
        try:
            jobs = {s.job: s for s in svc.schedules()}
        finally:
            scheduler.shutdown()
    catalog = jobs["source:catalog"]
    assert catalog.trigger == "interval[1:00:00]"
    assert catalog.next_run is not None and catalog.next_run > now + timedelta(minutes=50)
    assert jobs["source:codeowners"].trigger == "manual"
    assert jobs["source:codeowners"].next_run is None
    assert jobs[REPORT_JOB].trigger == "cron[0 8 * * MON]"

    with StewardService(config) as svc:
        later = datetime.now(UTC) + timedelta(hours=2)
        scheduler = SourceScheduler(svc, now=lambda: later)
        scheduler._scheduler.start(paused=True)  # inspect the jobs without running them
        try:
            last = scheduler._last_good_runs()
            schedule = config.source_configs["catalog"].schedule  # type: ignore[attr-defined]
            scheduler._add_source_job("catalog", schedule, last.get("catalog"))
            job = scheduler._scheduler.get_job("source:catalog")
            assert job.next_run_time == later
        finally:
            scheduler._scheduler.shutdown(wait=False)


def test_trigger_runs_an_unscheduled_source_through_the_scheduler(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "{hours: 1}"))
    with StewardService(config) as svc:
        scheduler = SourceScheduler(svc)
        scheduler.start()
        try:
            assert svc.trigger("codeowners").accepted
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with svc.reader() as cur:
                    done = cur.execute(
                        "SELECT count(*) FROM runs WHERE source = 'codeowners' AND status = 'ok'"
                    ).fetchall()
                if done == [(1,)]:
                    break
                time.sleep(0.1)
            assert done == [(1,)]
        finally:
            scheduler.shutdown()


def test_a_report_job_fires_on_its_cron(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "{hours: 1}"))
    calls: list[StewardService] = []
    with StewardService(config) as svc:
        scheduler = SourceScheduler(svc, report_job=calls.append)
        scheduler.start()
        try:
            scheduler._scheduler.get_job(REPORT_JOB).modify(next_run_time=datetime.now(UTC))
            deadline = time.monotonic() + 10
            while not calls and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            scheduler.shutdown()
    assert calls == [svc]


@pytest.mark.parametrize(
    ("schedule", "line", "message"),
    [
        ('{cron: "0 8 * * FOO"}', 3, "invalid cron expression '0 8 * * FOO': Invalid weekday"),
        ('{cron: "0 8 * *"}', 3, "Wrong number of fields; got 4, expected 5"),
        ('{cron: "0 8 * * *", hours: 1}', 3, "either an interval or a cron line"),
        ("{}", 3, "needs a positive interval"),
    ],
)
def test_schedule_errors_name_the_config_line(
    tmp_path: Path, schedule: str, line: int, message: str
) -> None:
    path = write_config(tmp_path, schedule)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}:{line}:" in str(err.value)
    assert "sources.catalog.schedule" in str(err.value)
    assert message in str(err.value)


def test_a_bad_report_cron_names_its_line(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, "{hours: 1}", "reports:\n  ownership_gaps:\n    cron: '61 8 * * MON'\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}:7: reports.ownership_gaps.cron:" in str(err.value)
    assert "invalid cron expression '61 8 * * MON'" in str(err.value)
