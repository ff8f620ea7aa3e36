"""The ``aws_tags`` source: AWS resources and their owners from the Resource Groups Tagging API.

The config model is imported eagerly (validating ``steward.yaml`` needs it); the source and its
boto3 client only when first used, so commands that never run this source never import boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.aws_tags.arn import Arn, ArnError, parse_arn
from ingest.aws_tags.config import AwsAccount, AwsTagsConfig
from ingest.aws_tags.records import CloudResourceRecord

if TYPE_CHECKING:
    from ingest.aws_tags.source import AwsTagsSource

_LAZY = {"AwsTagsSource": "ingest.aws_tags.source"}


def __getattr__(name: str) -> Any:
    from ingest.lazy import lazy_attribute

    return lazy_attribute(__name__, _LAZY, name)


__all__ = [
    "Arn",
    "ArnError",
    "AwsAccount",
    "AwsTagsConfig",
    "AwsTagsSource",
    "CloudResourceRecord",
    "parse_arn",
]
