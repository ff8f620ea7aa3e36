"""The ``aws_tags`` source: AWS resources and their owners from the Resource Groups Tagging API."""

from ingest.aws_tags.arn import Arn, ArnError, parse_arn
from ingest.aws_tags.config import AwsAccount, AwsTagsConfig
from ingest.aws_tags.records import CloudResourceRecord
from ingest.aws_tags.source import AwsTagsSource

__all__ = [
    "Arn",
    "ArnError",
    "AwsAccount",
    "AwsTagsConfig",
    "AwsTagsSource",
    "CloudResourceRecord",
    "parse_arn",
]
