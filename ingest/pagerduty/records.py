"""The PagerDuty snapshot rows; each names its table (declared in migration 4).

Ids are PagerDuty's own (``PX7K2QA``). Lists of referenced ids are kept as ``VARCHAR[]`` so the
views can join without parsing JSON; escalation levels stay JSON because they nest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple


class PdServiceRecord(NamedTuple):
    id: str
    name: str
    status: str | None
    description: str | None
    escalation_policy_id: str | None
    team_ids: list[str]
    integration_ids: list[str]
    integration_keys: list[str]
    html_url: str | None

    @classmethod
    def table(cls) -> str:
        return "pd_service_rows"


class PdTeamRecord(NamedTuple):
    id: str
    name: str
    description: str | None
    html_url: str | None

    @classmethod
    def table(cls) -> str:
        return "pd_team_rows"


class PdTeamMemberRecord(NamedTuple):
    team_id: str
    user_id: str
    role: str | None

    @classmethod
    def table(cls) -> str:
        return "pd_team_member_rows"


class PdEscalationPolicyRecord(NamedTuple):
    id: str
    name: str
    num_loops: int | None
    team_ids: list[str]
    level_count: int
    levels: list[dict[str, Any]]
    """``[{"level": 1, "delay_minutes": 30, "targets": [{"type": "user_reference", "id": …}]}]``"""
    html_url: str | None

    @classmethod
    def table(cls) -> str:
        return "pd_escalation_policy_rows"


class PdScheduleRecord(NamedTuple):
    id: str
    name: str
    time_zone: str | None
    user_ids: list[str]
    escalation_policy_ids: list[str]
    html_url: str | None

    @classmethod
    def table(cls) -> str:
        return "pd_schedule_rows"


class PdUserRecord(NamedTuple):
    id: str
    name: str
    email: str | None
    role: str | None
    html_url: str | None

    @classmethod
    def table(cls) -> str:
        return "pd_user_rows"


class PdOncallRecord(NamedTuple):
    user_id: str
    user_name: str | None
    escalation_policy_id: str
    escalation_level: int | None
    schedule_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    """NULL for a permanent on-call (a user named directly in an escalation rule)."""

    @classmethod
    def table(cls) -> str:
        return "pd_oncall_rows"


PD_RECORD_TYPES = (
    PdServiceRecord,
    PdTeamRecord,
    PdTeamMemberRecord,
    PdEscalationPolicyRecord,
    PdScheduleRecord,
    PdUserRecord,
    PdOncallRecord,
)
