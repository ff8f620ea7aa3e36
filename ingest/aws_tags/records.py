from __future__ import annotations

from typing import NamedTuple


class CloudResourceRecord(NamedTuple):
    """One tagged AWS resource as the Tagging API listed it, with the refs its tags name."""

    arn: str
    account: str | None
    region: str | None
    service: str
    resource_type: str | None
    resource_id: str
    tags: dict[str, str]
    owner_ref: str | None
    component_ref: str | None
    owner_tag: str | None
    """The tag key the owner came from (as written on the resource), NULL without one."""
    component_tag: str | None

    @classmethod
    def table(cls) -> str:
        return "cloud_resource_rows"
