"""Records of repositories and their CODEOWNERS (tables from migration 2)."""

from __future__ import annotations

from typing import NamedTuple


class RepositoryRecord(NamedTuple):
    name: str
    url: str | None
    default_branch: str | None
    head_sha: str | None
    local_path: str | None
    has_catalog_info: bool
    has_codeowners: bool
    codeowners_file: str | None

    @classmethod
    def table(cls) -> str:
        return "repository_rows"


class CodeownersRecord(NamedTuple):
    """The CODEOWNERS verdict for one catalog file of a repository."""

    repo: str
    location: str  # equals the entities' backstage.io/managed-by-location
    path: str
    owners_raw: list[str]
    owner_guess: list[str | None]
    codeowners_file: str | None
    rule_line: int | None

    @classmethod
    def table(cls) -> str:
        return "codeowners_rows"


class CodeownersRuleRecord(NamedTuple):
    repo: str
    codeowners_file: str
    line: int
    pattern: str
    owners_raw: list[str]
    owner_guess: list[str | None]

    @classmethod
    def table(cls) -> str:
        return "codeowners_rule_rows"
