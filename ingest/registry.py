"""Source types by name: each entry pairs a pydantic config model with its source class.

Config models are imported here (validating ``steward.yaml`` needs every one of them); a source
class is imported only when a source of its type is created, so loading the config never pulls
in boto3, httpx or the parser of a source that does not run (``steward sql``, ``report``…).
A source class is constructed with its validated config model; add one line per type.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, cast

from pydantic import BaseModel

from ingest.aws_tags.config import AwsTagsConfig
from ingest.backstage_catalog.config import BackstageCatalogConfig
from ingest.catalog_files.config import CatalogFilesConfig
from ingest.codeowners.config import CodeownersConfig
from ingest.github.config import GithubConfig
from ingest.pagerduty.config import PagerDutyConfig
from ingest.source import Source


@dataclass(frozen=True)
class SourceType:
    config_model: type[BaseModel]
    source_module: str
    source_name: str

    def create(self, config: Any) -> Source:
        """A source of this type for ``config`` (its module is imported on first use)."""
        cls = getattr(import_module(self.source_module), self.source_name)
        return cast(Source, cls(config))


SOURCE_TYPES: dict[str, SourceType] = {
    "catalog_files": SourceType(
        CatalogFilesConfig, "ingest.catalog_files.source", "CatalogFilesSource"
    ),
    "github": SourceType(GithubConfig, "ingest.github.source", "GithubSource"),
    "codeowners": SourceType(CodeownersConfig, "ingest.codeowners.source", "CodeownersSource"),
    "backstage_catalog": SourceType(
        BackstageCatalogConfig, "ingest.backstage_catalog.source", "BackstageCatalogSource"
    ),
    "aws_tags": SourceType(AwsTagsConfig, "ingest.aws_tags.source", "AwsTagsSource"),
    "pagerduty": SourceType(PagerDutyConfig, "ingest.pagerduty.source", "PagerDutySource"),
}


def create_source(config: BaseModel) -> Source:
    source_type = SOURCE_TYPES[str(config.model_dump(include={"type"})["type"])]
    if not isinstance(config, source_type.config_model):
        raise TypeError(f"{type(config).__name__} is not a {source_type.config_model.__name__}")
    return source_type.create(config)
