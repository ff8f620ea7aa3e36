"""Which CODEOWNERS file GitHub uses, and what it says about each catalog file of a repo."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from catalog.model import Problem
from ingest.codeowners.owners import CodeOwners
from ingest.codeowners.parser import classify_owner

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
"""GitHub's search order: the first file found wins, the others are ignored."""


def find_codeowners(exists: Callable[[str], bool]) -> str | None:
    return next((path for path in CODEOWNERS_LOCATIONS if exists(path)), None)


def parse_codeowners_bytes(data: bytes | Problem) -> CodeOwners | Problem:
    """A CODEOWNERS file's bytes (or the problem reading them) parsed; a binary file or one that
    is not UTF-8 is a problem, as GitHub ignores such files."""
    if isinstance(data, Problem):
        return data
    if b"\0" in data[:8192]:
        return Problem("CODEOWNERS is a binary file; ignored")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem("CODEOWNERS is not valid UTF-8; ignored", line=line)
    return CodeOwners.parse(text)


@dataclass(frozen=True)
class OwnerMapping:
    """How CODEOWNERS owners become catalog refs before the catalog is consulted.

    ``@org/team`` → ``group:<namespace of org>/<team>``; ``@login`` → ``user:<default>/<login>``
    (the store's views prefer the User whose ``github.com/user-login`` matches); an e-mail has
    no guess (the views look it up in ``spec.profile.email``).
    """

    org_namespaces: Mapping[str, str]
    default_namespace: str = "default"

    def guess(self, owner: str) -> str | None:
        kind = classify_owner(owner)
        if kind == "team":
            org, team = owner[1:].split("/", 1)
            namespace = self.org_namespaces.get(org.lower(), self.default_namespace)
            return f"group:{namespace}/{team.lower()}"
        if kind == "user":
            return f"user:{self.default_namespace}/{owner[1:].lower()}"
        return None


@dataclass(frozen=True)
class PathOwners:
    path: str
    owners: list[str]
    rule_line: int | None


def owners_of_paths(codeowners: CodeOwners, paths: list[str]) -> list[PathOwners]:
    """The last matching rule's owners for each path (monorepo-aware: each catalog file is
    judged by its own path, not the repository root's)."""
    result = []
    for path in paths:
        rule = codeowners.rule_for(path)
        result.append(
            PathOwners(path, list(rule.owners) if rule else [], rule.line if rule else None)
        )
    return result
