"""The scheduler of ``steward serve``: each source on its own schedule, and the weekly report.

An APScheduler 3 ``BackgroundScheduler`` (UTC) with one job per scheduled source
(``source:<name>``) and one for the ownership-gaps report (``report:ownership_gaps``). Every
job has ``max_instances=1`` and ``coalesce`` (runs missed while the process was busy or asleep
become one run, if no later than the misfire grace), and source jobs start with jitter. At
start, a source whose last good run is older than its interval (or that missed a cron time
since) runs at once. A source runs the whole service pipeline; pipelines never overlap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ingest.schedule import Schedule
from service.steward_service import ScheduleInfo, TriggerResult

if TYPE_CHECKING:
    from service.steward_service import StewardService

log = logging.getLogger(__name__)

REPORT_JOB = "report:ownership_gaps"
ReportJob = Callable[["StewardService"], object]


def source_job_id(name: str) -> str:
    return f"source:{name}"


def weekly_report_job() -> ReportJob:
    """The report job's function: ``service.reports.weekly_ownership_gaps_report(service)``
    (the API issue builds it); until it exists, a placeholder that logs so."""
    try:
        from service import reports  # type: ignore[attr-defined, unused-ignore]

        job: ReportJob = reports.weekly_ownership_gaps_report
        return job
    except (ImportError, AttributeError):
        return report_placeholder


def report_placeholder(service: StewardService) -> None:
    log.warning(
        "report job: service.reports.weekly_ownership_gaps_report is not built yet; skipped"
    )


class SourceScheduler:
    """Schedules the service's sources; ``service.scheduler`` points here while it runs."""

    def __init__(
        self,
        service: StewardService,
        *,
        report_job: ReportJob | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.service = service
        self._now = now
        self._report_job = report_job
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True},
        )
        self._scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Register every job (overdue sources due now) and start the scheduler thread."""
        last_good = self._last_good_runs()
        for name, model in self.service.config.source_configs.items():
            schedule = getattr(model, "schedule", None)
            if isinstance(schedule, Schedule):
                self._add_source_job(name, schedule, last_good.get(name))
        report = self.service.config.reports.ownership_gaps
        job = self._report_job or weekly_report_job()
        self._scheduler.add_job(
            job,
            CronTrigger.from_crontab(report.cron, timezone=UTC),
            args=[self.service],
            id=REPORT_JOB,
            name=REPORT_JOB,
            misfire_grace_time=3600,
        )
        self.service.scheduler = self
        self._scheduler.start()
        for info in self.schedules():
            log.info(
                "scheduled job=%s trigger=%s next_run=%s", info.job, info.trigger, info.next_run
            )

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling; with ``wait``, let a running job finish first."""
        if self.service.scheduler is self:
            self.service.scheduler = None
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    # -- jobs ------------------------------------------------------------------------------
    def _add_source_job(self, name: str, schedule: Schedule, last_good: datetime | None) -> None:
        now = self._now()
        trigger: Any
        if schedule.cron is not None:
            trigger = CronTrigger.from_crontab(schedule.cron, timezone=UTC)
            if schedule.jitter:
                trigger.jitter = schedule.jitter
            due = last_good is None or (
                (fire := trigger.get_next_fire_time(None, last_good)) is not None and fire <= now
            )
        else:
            interval = timedelta(seconds=schedule.total_seconds())
            trigger = IntervalTrigger(
                seconds=schedule.total_seconds(), timezone=UTC, jitter=schedule.jitter or None
            )
            due = last_good is None or last_good + interval <= now
        kwargs: dict[str, Any] = {"next_run_time": now} if due else {}
        self._scheduler.add_job(
            self.service.run_guarded,
            trigger,
            args=[name],
            id=source_job_id(name),
            name=source_job_id(name),
            misfire_grace_time=schedule.misfire_grace,
            **kwargs,
        )

    def run_now(self, source: str) -> TriggerResult:
        """Run ``source``'s job now (a one-off job if it has no schedule); never a second run
        of a source that is running."""
        if self.service.running(source):
            return TriggerResult(source, False, f"{source} is already running")
        job = self._scheduler.get_job(source_job_id(source))
        if job is not None:
            job.modify(next_run_time=self._now())
        else:
            self._scheduler.add_job(
                self.service.run_guarded,
                DateTrigger(self._now(), timezone=UTC),
                args=[source],
                id=f"trigger:{source}",
                name=f"trigger:{source}",
                replace_existing=True,
                misfire_grace_time=None,
            )
        self._scheduler.wakeup()
        return TriggerResult(source, True, f"{source} queued")

    def schedules(self) -> list[ScheduleInfo]:
        found = {job.id: job for job in self._scheduler.get_jobs()}
        infos = []
        for name, model in self.service.config.source_configs.items():
            schedule = getattr(model, "schedule", None)
            job = found.get(source_job_id(name))
            infos.append(
                ScheduleInfo(
                    job=source_job_id(name),
                    trigger=schedule.describe() if isinstance(schedule, Schedule) else "manual",
                    next_run=None if job is None else job.next_run_time,
                    running=self.service.running(name),
                )
            )
        report = found.get(REPORT_JOB)
        infos.append(
            ScheduleInfo(
                job=REPORT_JOB,
                trigger=f"cron[{self.service.config.reports.ownership_gaps.cron}]",
                next_run=None if report is None else report.next_run_time,
                running=False,
            )
        )
        return infos

    def _last_good_runs(self) -> dict[str, datetime]:
        with self.service.reader() as cur:
            rows = cur.execute(
                "SELECT source, max(finished_at) FROM runs "
                "WHERE status IN ('ok', 'unchanged') GROUP BY source"
            ).fetchall()
        return {str(source): at for source, at in rows if at is not None}

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job=%s missed its run time %s", event.job_id, event.scheduled_run_time)
        else:
            log.error("job=%s failed: %s", event.job_id, event.exception)
