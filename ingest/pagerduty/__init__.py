"""PagerDuty ingestion: config, REST client, source and snapshot records.

The config model is imported eagerly (validating ``steward.yaml`` needs it); the source and its
HTTP client only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.pagerduty.config import PagerDutyConfig

if TYPE_CHECKING:
    from ingest.pagerduty.source import PagerDutySource

_LAZY = {"PagerDutySource": "ingest.pagerduty.source"}


def __getattr__(name: str) -> Any:
    from ingest.lazy import lazy_attribute

    return lazy_attribute(__name__, _LAZY, name)


__all__ = ["PagerDutyConfig", "PagerDutySource"]
