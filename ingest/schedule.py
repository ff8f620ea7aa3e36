"""How often a source runs: an interval (APScheduler 3 ``interval`` fields) or a crontab line.

``{minutes: 30}`` runs every 30 minutes, ``{cron: "0 */6 * * *"}`` at minute 0 of every sixth
hour (UTC). ``jitter_seconds`` spreads the start by up to that many seconds (default: a tenth
of the interval, at most 5 minutes; none for cron); ``misfire_grace_seconds`` is how late a run
may still start after the process was busy or asleep (default: the interval, 1 hour for cron).
``steward serve`` (``service.scheduler``) runs them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def check_crontab(expression: str) -> str:
    """Raise ValueError (APScheduler's message) unless ``expression`` is a 5-field crontab."""
    from apscheduler.triggers.cron import CronTrigger  # slow to import: only when used

    try:
        CronTrigger.from_crontab(expression, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"invalid cron expression {expression!r}: {exc}") from None
    return expression


Crontab = Annotated[str, AfterValidator(check_crontab)]
"""A 5-field crontab line (UTC), checked when the config loads."""


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weeks: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)
    hours: int = Field(default=0, ge=0)
    minutes: int = Field(default=0, ge=0)
    seconds: int = Field(default=0, ge=0)
    cron: Crontab | None = None
    """A crontab line (minute hour day month weekday, UTC) instead of an interval."""
    jitter_seconds: int | None = Field(default=None, ge=0)
    misfire_grace_seconds: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        if self.cron is not None:
            if self.total_seconds() > 0:
                raise ValueError("a schedule is either an interval or a cron line, not both")
        elif self.total_seconds() <= 0:
            raise ValueError(
                'a schedule needs a positive interval, e.g. {minutes: 30}, or {cron: "0 * * * *"}'
            )
        return self

    def total_seconds(self) -> int:
        return (
            ((self.weeks * 7 + self.days) * 24 + self.hours) * 60 + self.minutes
        ) * 60 + self.seconds

    def describe(self) -> str:
        if self.cron is not None:
            return f"cron[{self.cron}]"
        total = self.total_seconds()
        return f"interval[{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}]"

    @property
    def jitter(self) -> int:
        if self.jitter_seconds is not None:
            return self.jitter_seconds
        return 0 if self.cron is not None else min(self.total_seconds() // 10, 300)

    @property
    def misfire_grace(self) -> int:
        if self.misfire_grace_seconds is not None:
            return self.misfire_grace_seconds
        return 3600 if self.cron is not None else max(self.total_seconds(), 1)
