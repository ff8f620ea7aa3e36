"""Plain result types shared by the catalog rules, the sources and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Relation = tuple[str, str, str]
"""(source_ref, type, target_ref), refs canonical lowercase ``kind:namespace/name``."""


@dataclass(frozen=True)
class Problem:
    """One error or warning about catalog data; ``line`` is 1-based, None when unknown."""

    message: str
    line: int | None = None
    field: str | None = None

    def render(self, location: str) -> str:
        where = f"{location}:{self.line}" if self.line is not None else location
        suffix = f" (field {self.field})" if self.field else ""
        return f"{where}: {self.message}{suffix}"


@dataclass
class ProcessedEntity:
    """An entity that passed the read stage of one file.

    ``errors`` are validation-stage problems: when non-empty the entity is rejected but still
    claims its ref (Backstage semantics). ``relations`` hold both directions of every pair.
    """

    ref: str
    entity: dict[str, Any]
    line: int
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors


@dataclass
class FileResult:
    """What one catalog file yields. Any read-stage ``errors`` reject the whole file."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    entities: list[ProcessedEntity] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(e.accepted for e in self.entities)
