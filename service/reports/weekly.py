"""The weekly job (``reports.ownership_gaps.cron`` in ``steward serve``): last week's report
written to ``out_dir`` in all three formats, its summary posted to ``webhook_url``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from service.reports.ownership_gaps import build_report
from service.reports.render import ReportFormat, render
from service.reports.webhook import WebhookError, post_webhook, summary_text
from service.reports.weeks import IsoWeek

if TYPE_CHECKING:
    from service.api.protocol import ServiceLike

log = logging.getLogger("steward.reports")


@dataclass
class WeeklyReportResult:
    week: str
    files: list[Path] = field(default_factory=list)
    posted: bool = False
    error: str | None = None


def run_weekly_report(
    service: ServiceLike, *, week: IsoWeek | None = None, now: datetime | None = None
) -> WeeklyReportResult:
    """Write last week's report (``week`` to choose another) and post its summary.

    A failing webhook is logged and returned, never raised: the files are written anyway."""
    now = now or datetime.now(UTC)
    week = week or IsoWeek.containing(now).previous()
    settings = service.config.reports.ownership_gaps
    with service.reader() as cur:
        report = build_report(cur, week, now=now)
    out_dir = Path(settings.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = WeeklyReportResult(week=str(week))
    for fmt in ReportFormat:
        path = out_dir / f"ownership-gaps-{week}.{fmt.value}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(render(report, fmt), encoding="utf-8")
        tmp.replace(path)
        result.files.append(path)
    log.info("ownership-gap report %s written to %s", week, out_dir)
    if settings.webhook_url:
        try:
            post_webhook(settings.webhook_url, summary_text(report))
            result.posted = True
        except WebhookError as exc:
            result.error = str(exc)
            log.error("ownership-gap report %s: %s", week, exc)
    return result
