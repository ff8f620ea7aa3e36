from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingest.schedule import Schedule

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class AwsAccount(BaseModel):
    """One more account to read, through a role that the base credentials may assume."""

    model_config = ConfigDict(extra="forbid")

    account_id: str
    role_arn: str
    external_id: str | None = Field(default=None, min_length=2, max_length=1224)
    """``sts:ExternalId`` the role's trust policy requires, if any (use ``${ENV}``)."""

    @field_validator("account_id")
    @classmethod
    def _account_id(cls, value: str) -> str:
        if not _ACCOUNT_ID.match(value):
            raise ValueError("account_id must be 12 digits (quote it in YAML)")
        return value

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: str) -> str:
        if not value.startswith("arn:") or ":iam::" not in value or ":role/" not in value:
            raise ValueError(
                "role_arn must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/x"
            )
        return value


class AwsTagsConfig(BaseModel):
    """Tagged resources from the AWS Resource Groups Tagging API, per region and account."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["aws_tags"]
    regions: list[str] = Field(min_length=1)
    accounts: list[AwsAccount] = []
    """Accounts reached by assuming a role; empty reads only the base credentials' account."""
    owner_tags: list[str] = ["backstage.io/owner", "owner", "team"]
    """Tag keys naming the owner, in order of preference; matched case-insensitively."""
    component_tags: list[str] = ["backstage.io/component", "component", "service", "app"]
    """Tag keys naming the catalog component, in order of preference; case-insensitive."""
    owner_namespace: str = "default"
    """Namespace for tag values without one (``team-a`` → ``group:<owner_namespace>/team-a``)."""
    resource_types: list[str] = []
    """``ResourceTypeFilters`` for the API, e.g. ``[ec2:instance, s3]``; empty means all."""
    endpoint_url: str | None = None
    """Endpoint for every AWS call (tagging and STS), e.g. a local moto server."""
    profile: str | None = None
    """A profile of the shared AWS config; otherwise boto3's normal credential chain."""
    page_size: int = Field(default=100, ge=1, le=100)
    """``ResourcesPerPage`` (the API allows at most 100)."""
    max_pages: int = Field(default=10_000, ge=1)
    """Per account and region: more pages than this fails the run (the last snapshot stays)."""
    retry_mode: Literal["standard", "adaptive"] = "adaptive"
    """botocore retry mode; ``adaptive`` also rate-limits the client after throttling."""
    max_attempts: int = Field(default=10, ge=1, le=50)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    read_timeout_seconds: float = Field(default=60.0, gt=0)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    """Account/region pairs read at the same time."""
    keep_last_good: bool = True
    """A region that fails keeps the resources it returned on its last good run (from the
    source's state directory) instead of dropping them from the snapshot."""
    schedule: Schedule | None = None

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        for region in value:
            if not _REGION.match(region):
                raise ValueError(f"{region!r} is not an AWS region name (e.g. us-east-1)")
        if len(set(value)) != len(value):
            raise ValueError("regions are listed more than once")
        return value

    @field_validator("owner_tags", "component_tags")
    @classmethod
    def _tag_keys(cls, value: list[str]) -> list[str]:
        if any(not key.strip() for key in value):
            raise ValueError("tag keys must not be empty")
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("endpoint_url must be an http(s) URL, e.g. http://127.0.0.1:5000")
        return value
