"""The ``catalog_files`` source: catalog-info.yaml files from local roots, Backstage-exact.

The config model is imported eagerly (validating ``steward.yaml`` needs it); the source (its
parser and worker pool) only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.catalog_files.config import CatalogFilesConfig

if TYPE_CHECKING:
    from ingest.catalog_files.source import CatalogFilesSource

_LAZY = {"CatalogFilesSource": "ingest.catalog_files.source"}


def __getattr__(name: str) -> Any:
    from ingest.lazy import lazy_attribute

    return lazy_attribute(__name__, _LAZY, name)


__all__ = ["CatalogFilesConfig", "CatalogFilesSource"]
