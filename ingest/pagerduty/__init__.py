"""PagerDuty ingestion: config, REST client, source and snapshot records."""

from ingest.pagerduty.config import PagerDutyConfig
from ingest.pagerduty.source import PagerDutySource

__all__ = ["PagerDutyConfig", "PagerDutySource"]
