"""The report's week logic on gaps opened and closed at fixed dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.errors import ConfigError
from service.reports import IsoWeek, ReportFormat, build_report, render
from tests.service.reports.conftest import T2, GapClock

LATER = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def test_iso_weeks() -> None:
    week = IsoWeek.parse("2026-W48")
    assert week.start == datetime(2026, 11, 23, tzinfo=UTC)
    assert week.end == datetime(2026, 11, 30, tzinfo=UTC)
    assert str(week.previous()) == "2026-W47"
    assert str(IsoWeek.parse("2027-W01").previous()) == "2026-W53"
    assert IsoWeek.containing(T2) == week
    for bad in ("2026-48", "2026-W54", "W48", "2026-W00"):
        with pytest.raises(ConfigError, match="invalid week"):
            IsoWeek.parse(bad)


def test_new_resolved_and_still_open(history: GapClock) -> None:
    with history.store.reader() as cur:
        report = build_report(cur, IsoWeek.parse("2026-W48"), now=LATER)
    t = report.totals
    assert (t.new, t.resolved, t.open, t.open_previous_week) == (1, 1, 2, 2)
    assert report.change == 0 and not report.no_change and not report.partial
    team_a = next(s for s in report.teams if s.team == "group:default/team-a")
    assert [g.subject for g in team_a.resolved] == ["component:default/a"]
    assert team_a.resolved[0].closed_at == T2
    # c has no owner: unassigned; b's owner team-x is unknown: unassigned too
    assert [g.subject for g in report.unassigned.new] == ["component:default/c"]
    still = report.unassigned.open
    assert [(g.subject, g.gap, g.age_days) for g in still] == [
        ("component:default/b", "unknown_owner", 12)  # 2026-11-17 09:00 → 11-30 00:00
    ]
    # roll-up: team-a's resolved gap counts for dept and org too, not for team-b
    rollups = {s.team: s.rollup for s in report.teams}
    assert rollups["group:default/dept"].resolved == 1
    assert rollups["group:default/org"].resolved == 1
    assert "group:default/team-b" not in rollups
    assert [s.team for s in report.teams] == [
        "group:default/org",
        "group:default/dept",
        "group:default/team-a",
    ]
    assert report.headline() == (
        "Ownership gaps 2026-W48: 1 new, 1 resolved, 2 open (0 vs last week)."
    )


def test_trend_covers_eight_weeks(history: GapClock) -> None:
    with history.store.reader() as cur:
        report = build_report(cur, IsoWeek.parse("2026-W48"), now=LATER)
    assert [p.week for p in report.trend] == [f"2026-W{n}" for n in range(41, 49)]
    assert [(p.open, p.new, p.resolved) for p in report.trend[-2:]] == [(2, 2, 0), (2, 1, 1)]
    assert all((p.open, p.new, p.resolved) == (0, 0, 0) for p in report.trend[:-2])


def test_first_week_counts_everything_new(history: GapClock) -> None:
    with history.store.reader() as cur:
        report = build_report(cur, IsoWeek.parse("2026-W47"), now=LATER)
    assert (report.totals.new, report.totals.resolved, report.totals.open) == (2, 0, 2)
    assert report.change == 2


def test_a_week_without_change_is_one_line(history: GapClock) -> None:
    with history.store.reader() as cur:
        quiet = build_report(cur, IsoWeek.parse("2026-W49"), now=LATER)
        empty = build_report(cur, IsoWeek.parse("2026-W45"), now=LATER)
    assert quiet.no_change and quiet.totals.open == 2
    line = "Ownership gaps 2026-W49: no change — 2 still open (same as last week).\n"
    assert render(quiet, ReportFormat.md) == line
    assert "no change" in render(quiet, ReportFormat.html)
    assert empty.no_change and (empty.totals.open, empty.teams) == (0, [])
    assert render(empty, ReportFormat.md).count("\n") == 1


def test_current_week_is_partial_and_ages_to_now(history: GapClock) -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    with history.store.reader() as cur:
        report = build_report(cur, IsoWeek.parse("2026-W48"), now=now)
    assert report.partial
    b = report.unassigned.open[0]
    assert b.age_days == 9


def test_formats(history: GapClock) -> None:
    with history.store.reader() as cur:
        report = build_report(cur, IsoWeek.parse("2026-W48"), now=LATER)
    md = render(report, ReportFormat.md)
    assert md.startswith("# Ownership gaps, week 2026-W48")
    assert "| group:default/team-a | 0 | 0 | 1 | -1 |" in md
    html = render(report, ReportFormat.html)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    for forbidden in ("<script", "http://", "https://", "<link", "@import", "src="):
        if forbidden == "http://":
            assert html.count(forbidden) == html.count("http://www.w3.org/2000/svg")
        else:
            assert forbidden not in html
    assert "component:default/c" in html and "group:default/team-a" in html
    data = render(report, ReportFormat.json)
    from service.reports import OwnershipGapReport

    assert OwnershipGapReport.model_validate_json(data) == report
