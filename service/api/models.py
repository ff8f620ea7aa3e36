"""Response bodies of the HTTP API (DESIGN.md "HTTP API"); ``/docs`` shows them exactly.

Field names are the contract the Backstage plugin is built on: add fields, never rename.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

CheckState = Literal["pass", "fail", "exempt", "unknown"]


class Exemption(BaseModel):
    reason: str
    expires: date | None


class CheckResult(BaseModel):
    id: str
    title: str
    level: str
    weight: float
    state: CheckState
    evidence: str
    exemption: Exemption | None


class ScoreHistoryPoint(BaseModel):
    run_id: int
    at: datetime
    level: str | None
    score: float | None


class EntityScorecard(BaseModel):
    id: str
    title: str
    level: str | None
    score: float | None
    levels: list[str] = Field(description="level names, low to high")
    checks: list[CheckResult]
    history: list[ScoreHistoryPoint] = Field(description="oldest first")


class EntityScorecards(BaseModel):
    ref: str
    scorecards: list[EntityScorecard]


class Claim(BaseModel):
    owner: str | None
    role: str
    source: str
    evidence: str | None
    owner_raw: str | None = None
    observed_at: datetime | None = None


class Conflict(BaseModel):
    role: str
    source: str
    resolved_owner: str | None
    claimed_owners: list[str]
    evidence: list[str]


class EntityGap(BaseModel):
    gap: str
    detail: str
    first_seen: datetime
    evidence: str | None = None


class OnCall(BaseModel):
    service_id: str | None
    service_name: str | None
    escalation_policy_id: str | None
    escalation_policy_name: str | None
    escalation_levels: int | None
    oncall_now: list[str]


class EntityOwnership(BaseModel):
    ref: str
    owner: str | None
    resolved_from: str | None = None
    agreeing_sources: list[str] = []
    disagreeing_sources: list[str] = []
    claims: list[Claim]
    conflicts: list[Conflict]
    gaps: list[EntityGap]
    oncall: OnCall | None


class Impacted(BaseModel):
    ref: str
    depth: int
    path: list[str] = Field(description="refs from the impacted entity to REF")
    owners: list[str]
    oncall: OnCall | None
    level: str | None
    missing: bool = False


class BlastRadius(BaseModel):
    ref: str
    impacted: list[Impacted]
    summary: dict[str, Any]


class TeamScorecardRollup(BaseModel):
    scorecard: str
    entities: int
    own_entities: int
    average_score: float | None
    levels: dict[str, int]
    passed: int
    failed: int
    exempt: int
    unknown: int


class TeamEntityScore(BaseModel):
    scorecard: str
    ref: str
    owner: str | None
    level: str | None
    score: float | None
    failed: int
    unknown: int


class TeamScorecards(BaseModel):
    team: str
    groups: list[str] = Field(description="the team and every group below it")
    scorecards: list[TeamScorecardRollup]
    entities: list[TeamEntityScore]


class Gap(BaseModel):
    subject: str
    gap: str
    detail: str
    evidence: str | None
    owner: str | None
    first_seen: datetime
    last_seen: datetime
    earlier_episodes: int


class Gaps(BaseModel):
    team: str | None
    count: int
    by_type: dict[str, int]
    gaps: list[Gap]


class FailingCheck(BaseModel):
    id: str
    title: str
    level: str
    state: CheckState
    evidence: str


class GateResult(BaseModel):
    pass_: bool = Field(alias="pass", serialization_alias="pass")
    ref: str
    scorecard: str
    min_level: str
    level: str | None
    score: float | None
    levels: list[str]
    evaluated_at: datetime | None
    failing_checks: list[FailingCheck] = Field(
        description="checks at or below min_level that fail or are unknown"
    )
    model_config = {"populate_by_name": True}


class SqlRequest(BaseModel):
    sql: str = Field(min_length=1, max_length=100_000)
    max_rows: int | None = Field(default=None, ge=1)


class SqlResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


class Run(BaseModel):
    run_id: int
    source: str
    source_type: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    status: str
    record_counts: dict[str, Any] | None
    warning_count: int
    error_count: int
    message: str | None


class Runs(BaseModel):
    runs: list[Run]


class Schedule(BaseModel):
    job: str
    trigger: str
    next_run: datetime | None
    running: bool


class Schedules(BaseModel):
    schedules: list[Schedule]


class IngestAccepted(BaseModel):
    source: str
    accepted: bool
    message: str
