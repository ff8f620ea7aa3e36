"""Source types by name: each entry pairs a pydantic config model with its source class.

A source class is constructed with its validated config model; add one line per type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ingest.aws_tags import AwsTagsConfig, AwsTagsSource
from ingest.backstage_catalog import BackstageCatalogConfig, BackstageCatalogSource
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.codeowners import CodeownersConfig, CodeownersSource
from ingest.github import GithubConfig, GithubSource
from ingest.pagerduty import PagerDutyConfig, PagerDutySource
from ingest.source import Source


@dataclass(frozen=True)
class SourceType:
    config_model: type[BaseModel]
    source_class: Callable[[Any], Source]


SOURCE_TYPES: dict[str, SourceType] = {
    "catalog_files": SourceType(CatalogFilesConfig, CatalogFilesSource),
    "github": SourceType(GithubConfig, GithubSource),
    "codeowners": SourceType(CodeownersConfig, CodeownersSource),
    "backstage_catalog": SourceType(BackstageCatalogConfig, BackstageCatalogSource),
    "aws_tags": SourceType(AwsTagsConfig, AwsTagsSource),
    "pagerduty": SourceType(PagerDutyConfig, PagerDutySource),
}


def create_source(config: BaseModel) -> Source:
    source_type = SOURCE_TYPES[str(config.model_dump(include={"type"})["type"])]
    if not isinstance(config, source_type.config_model):
        raise TypeError(f"{type(config).__name__} is not a {source_type.config_model.__name__}")
    return source_type.source_class(config)
