"""ISO weeks in UTC: ``2026-W49`` is Monday 00:00 to the next Monday 00:00."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from catalog.errors import ConfigError

_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _WEEK.match(text.strip())
        if match is None:
            raise ConfigError(f"invalid week {text!r}: use YYYY-Www, e.g. 2026-W49")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ConfigError(f"invalid week {text!r}: {year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime) -> IsoWeek:
        iso = moment.astimezone(UTC).isocalendar()
        return cls(iso.year, iso.week)

    @cached_property  # read for every gap of the report: computed once per week
    def start(self) -> datetime:
        monday = date.fromisocalendar(self.year, self.week, 1)
        return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)

    @cached_property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)

    def previous(self, weeks: int = 1) -> IsoWeek:
        return IsoWeek.containing(self.start - timedelta(days=7 * weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"
