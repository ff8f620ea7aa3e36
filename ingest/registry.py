"""Source types by name: each entry pairs a pydantic config model with its source class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from ingest.backstage_catalog import BackstageCatalogConfig, BackstageCatalogSource
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.source import Source


@dataclass(frozen=True)
class SourceType:
    config_model: type[BaseModel]
    create: Callable[[BaseModel], Source]


def _catalog_files(config: BaseModel) -> Source:
    assert isinstance(config, CatalogFilesConfig)
    return CatalogFilesSource(config)


def _backstage_catalog(config: BaseModel) -> Source:
    assert isinstance(config, BackstageCatalogConfig)
    return BackstageCatalogSource(config)


SOURCE_TYPES: dict[str, SourceType] = {
    "catalog_files": SourceType(CatalogFilesConfig, _catalog_files),
    "backstage_catalog": SourceType(BackstageCatalogConfig, _backstage_catalog),
}


def create_source(config: BaseModel) -> Source:
    type_name = config.model_dump(include={"type"})["type"]
    return SOURCE_TYPES[str(type_name)].create(config)
