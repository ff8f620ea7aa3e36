from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ingest.config_types import BaseUrl
from ingest.schedule import Schedule

WINDOW = 10_000
"""PagerDuty's classic pagination refuses ``offset + limit`` beyond this (HTTP 400)."""


class PagerDutyConfig(BaseModel):
    """Services, teams, escalation policies, schedules, users and on-calls of one PagerDuty account.

    ``token`` is a REST API key (an account "Read-only API Key" is enough) or a user token with
    read access; write it as ``${PAGERDUTY_TOKEN}``. It is sent as ``Authorization: Token
    token=…`` and never logged or put into error text.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["pagerduty"]
    base_url: BaseUrl = "https://api.pagerduty.com"
    token: SecretStr
    page_size: int = Field(default=100, ge=1, le=100)
    """``limit`` per request; PagerDuty caps it at 100."""
    max_pages: int = Field(default=100, ge=1)
    """A bound on each list walk: more pages than this fails the run (the last snapshot stays)."""
    include_team_members: bool = True
    """Read ``/teams/{id}/members`` for every team (one request per team and page)."""
    max_concurrency: int = Field(default=4, ge=1, le=16)
    """Requests in flight at once: the pages of a list once its ``total`` is known, and the
    member lists of different teams."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    """Retries of a request answered 429/5xx (after ``Retry-After`` or ``ratelimit-reset``)."""
    backoff_seconds: float = Field(default=0.5, ge=0)
    """First backoff between retries when the server gives no hint; doubles each retry."""
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    """A 429 asking to wait longer than this fails the run instead of waiting."""
    schedule: Schedule | None = None

    @field_validator("token")
    @classmethod
    def _non_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("token is empty; set token: ${PAGERDUTY_TOKEN}")
        return value
