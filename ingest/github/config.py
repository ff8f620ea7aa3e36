from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ingest.config_types import BaseUrl
from ingest.schedule import Schedule


class GithubConfig(BaseModel):
    """A GitHub organisation's repositories read through the REST API: HEAD commit, catalog
    files anywhere in the tree, and CODEOWNERS (the remote twin of the ``codeowners`` source)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["github"]
    org: str = Field(min_length=1)
    base_url: BaseUrl = "https://api.github.com"
    """The REST API root; for GitHub Enterprise Server ``https://HOST/api/v3``."""
    token: SecretStr | None = None
    """Sent as ``Authorization: Bearer …``; write ``${GITHUB_TOKEN}``. Never logged."""
    catalog_filenames: list[str] = Field(
        default=["catalog-info.yaml", "catalog-info.yml"], min_length=1
    )
    exclude_dirs: list[str] = ["node_modules", ".venv", "__pycache__"]
    """Catalog files under a directory with one of these names are not read."""
    include_archived: bool = False
    include_forks: bool = False
    repo_filter: str | None = None
    """A Python regular expression searched (``re.search``) in each repository name."""
    org_namespaces: dict[str, str] = {}
    """GitHub organisation → namespace of its teams (``@org/team`` → ``group:<ns>/team``)."""
    default_namespace: str = "default"
    max_file_bytes: int = Field(default=3 * 1024 * 1024, gt=0)
    """Files above this size are reported and not read (GitHub ignores CODEOWNERS above 3 MB)."""
    max_pages: int = Field(default=100, ge=1)
    """A bound on the pages of ``/orgs/{org}/repos`` (100 repositories each)."""
    max_repositories: int = Field(default=10_000, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    """Retries of a request answered with 5xx or failing to connect or time out."""
    max_rate_limit_wait_seconds: float = Field(default=60.0, ge=0)
    """Wait this long at most for GitHub's rate limit to reset; beyond it the run fails."""
    schedule: Schedule | None = None

    @field_validator("org")
    @classmethod
    def _org_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?", value):
            raise ValueError(f"{value!r} is not a GitHub organisation name")
        return value

    @field_validator("repo_filter")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"repo_filter is not a valid regular expression: {exc}") from None
        return value
