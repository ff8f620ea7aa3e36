"""The ``backstage_catalog`` source: entities of a running Backstage catalog over its REST API.

The config model is imported eagerly (validating ``steward.yaml`` needs it); the source and its
HTTP client only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.backstage_catalog.config import BackstageCatalogConfig

if TYPE_CHECKING:
    from ingest.backstage_catalog.source import BackstageCatalogSource

_LAZY = {"BackstageCatalogSource": "ingest.backstage_catalog.source"}


def __getattr__(name: str) -> Any:
    from ingest.lazy import lazy_attribute

    return lazy_attribute(__name__, _LAZY, name)


__all__ = ["BackstageCatalogConfig", "BackstageCatalogSource"]
