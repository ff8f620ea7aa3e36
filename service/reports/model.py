"""The weekly ownership-gap report as data (the JSON format is this model, dumped)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.reports.suggest import GapSuggestions


class GapItem(BaseModel):
    subject: str
    gap: str
    detail: str
    evidence: str | None
    first_seen: datetime
    closed_at: datetime | None
    age_days: int = Field(description="days open at the end of the week (or now)")


class Counts(BaseModel):
    open: int = 0
    new: int = 0
    resolved: int = 0
    open_previous_week: int = 0

    @property
    def change(self) -> int:
        return self.open - self.open_previous_week


class TeamSection(BaseModel):
    team: str | None = Field(description="a group ref; null for gaps no team owns")
    parent: str | None
    rollup: Counts = Field(description="this group and every group below it")
    own: Counts
    new: list[GapItem]
    resolved: list[GapItem]
    open: list[GapItem] = Field(
        description="still open: opened before the week and open at its end, oldest first"
    )


class TrendPoint(BaseModel):
    week: str
    open: int
    new: int
    resolved: int


class OwnershipGapReport(BaseModel):
    week: str
    start: datetime
    end: datetime
    generated_at: datetime
    partial: bool = Field(description="the week is not over yet")
    no_change: bool = Field(description="nothing opened or resolved this week")
    totals: Counts
    change: int = Field(description="open gaps now minus open at the end of the week before")
    teams: list[TeamSection] = Field(description="groups with any gap activity, tree order")
    unassigned: TeamSection
    trend: list[TrendPoint] = Field(description="the last 8 weeks, oldest first")
    suggestions: list[GapSuggestions]

    def headline(self) -> str:
        """One line: the whole report when nothing changed."""
        if self.no_change:
            return (
                f"Ownership gaps {self.week}: no change — {self.totals.open} still open "
                f"(same as last week)."
            )
        sign = "+" if self.change > 0 else ""
        return (
            f"Ownership gaps {self.week}: {self.totals.new} new, {self.totals.resolved} "
            f"resolved, {self.totals.open} open ({sign}{self.change} vs last week)."
        )
