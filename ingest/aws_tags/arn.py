"""Amazon Resource Names, split the way the AWS docs describe them.

``arn:<partition>:<service>:<region>:<account>:<resource>`` where ``<resource>`` is one of
``<type>/<id>``, ``<type>:<id>`` or a bare ``<id>``. Region and account are empty for global
resources (``arn:aws:s3:::bucket``). A few services name the resource without a type prefix;
their type is implied (``s3`` → ``bucket``, ``sqs`` → ``queue``, ``sns`` → ``topic``).
"""

from __future__ import annotations

from typing import NamedTuple

IMPLIED_TYPES = {"s3": "bucket", "sqs": "queue", "sns": "topic"}
"""Services whose ARNs carry a bare resource name; the type the Tagging API reports for it."""
_OBJECT_TYPES = {"s3": "object"}
"""Bare-name services whose ``name/rest`` form means another type (an S3 object)."""


class ArnError(ValueError):
    """A string that is not an ARN."""


class Arn(NamedTuple):
    partition: str
    service: str
    region: str | None
    account: str | None
    resource_type: str | None
    resource_id: str


def parse_arn(arn: str) -> Arn:
    """Split ``arn``; raise ``ArnError`` if it does not have the six ``:``-separated parts."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise ArnError(f"not an ARN: {arn!r}")
    _, partition, service, region, account, resource = parts
    resource_type, resource_id = _split_resource(service, resource)
    return Arn(partition, service, region or None, account or None, resource_type, resource_id)


def _split_resource(service: str, resource: str) -> tuple[str | None, str]:
    implied = IMPLIED_TYPES.get(service)
    if implied is not None:
        if "/" in resource and service in _OBJECT_TYPES:
            return _OBJECT_TYPES[service], resource
        return implied, resource
    slash = resource.find("/")
    colon = resource.find(":")
    cut = slash if colon == -1 or (slash != -1 and slash < colon) else colon
    if cut <= 0:
        return None, resource
    return resource[:cut], resource[cut + 1 :]
