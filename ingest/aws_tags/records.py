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
    tag_keys: list[str]
    """The resource's tags as two parallel lists: Arrow takes lists in C, while a JSON column
    costs a ``json.dumps`` per row in Python (~3 s at 200k rows). ``cloud_resources.tags``
    is the JSON object built from them in SQL."""
    tag_values: list[str]
    owner_ref: str | None
    component_ref: str | None
    owner_tag: str | None
    """The tag key the owner came from (as written on the resource), NULL without one."""
    component_tag: str | None

    @classmethod
    def table(cls) -> str:
        return "cloud_resource_rows"
