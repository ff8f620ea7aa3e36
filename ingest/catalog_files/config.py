from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog.files import DEFAULT_CATALOG_FILENAMES, DEFAULT_EXCLUDE_DIRS
from ingest.paths import ConfigPath
from ingest.schedule import Schedule


class CatalogFilesConfig(BaseModel):
    """Walks local roots for catalog files and follows Location entities' file targets."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["catalog_files"]
    roots: list[ConfigPath] = Field(min_length=1)
    filenames: list[str] = list(DEFAULT_CATALOG_FILENAMES)
    """File names picked up by walking the roots; other files are read only as Location targets."""
    exclude_dirs: list[str] = list(DEFAULT_EXCLUDE_DIRS)
    follow_locations: bool = True
    max_file_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_alias_count: int = Field(default=100, ge=-1)
    allowed_hosts: list[str] = []
    """Hosts that $text/$json/$yaml placeholders may fetch from (none by default)."""
    workers: int = Field(default=0, ge=0)
    """Parser processes for large walks; 0 picks the number of CPUs."""
    schedule: Schedule | None = None
