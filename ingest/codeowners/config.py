from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ingest.paths import ConfigPath
from ingest.schedule import Schedule


class CodeownersConfig(BaseModel):
    """Repositories checked out under local roots: HEAD, catalog files and CODEOWNERS."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["codeowners"]
    roots: list[ConfigPath] = Field(min_length=1)
    """Each root is a repository (it has .git) or a directory whose children are repositories."""
    catalog_filenames: list[str] = ["catalog-info.yaml", "catalog-info.yml"]
    exclude_dirs: list[str] = [".git", "node_modules", ".venv", "__pycache__"]
    org_namespaces: dict[str, str] = {}
    """GitHub organisation → catalog namespace of its teams (@org/team → group:<ns>/team)."""
    default_namespace: str = "default"
    max_file_bytes: int = Field(default=3 * 1024 * 1024, gt=0)
    """GitHub ignores CODEOWNERS files above 3 MB; so do we."""
    schedule: Schedule | None = None
