"""Reports: the weekly ownership-gap report (per team, week over week, an 8-week trend,
suggested owners), rendered as Markdown, HTML or JSON, and posted to a chat webhook.

``run_weekly_report(service)`` is the scheduler's job; ``build_report(cursor, week)`` and
``render(report, format)`` serve the CLI and the API.
"""

from service.reports.model import OwnershipGapReport
from service.reports.ownership_gaps import build_report
from service.reports.render import ReportFormat, render
from service.reports.suggest import GapSuggestions, suggest_owners
from service.reports.weekly import WeeklyReportResult, run_weekly_report
from service.reports.weeks import IsoWeek

weekly_ownership_gaps_report = run_weekly_report
"""The name ``service.scheduler`` calls for the weekly job."""

__all__ = [
    "GapSuggestions",
    "IsoWeek",
    "OwnershipGapReport",
    "ReportFormat",
    "WeeklyReportResult",
    "build_report",
    "render",
    "run_weekly_report",
    "suggest_owners",
    "weekly_ownership_gaps_report",
]
