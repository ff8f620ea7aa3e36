"""How often a source runs: an interval (APScheduler 3 ``interval`` trigger fields)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @model_validator(mode="after")
    def _positive(self) -> Schedule:
        if self.total_seconds() <= 0:
            raise ValueError("a schedule needs a positive interval, e.g. {minutes: 30}")
        return self

    def total_seconds(self) -> int:
        return (
            ((self.weeks * 7 + self.days) * 24 + self.hours) * 60 + self.minutes
        ) * 60 + self.seconds
