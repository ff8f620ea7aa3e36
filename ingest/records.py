"""Typed records that sources emit. Each record type names the snapshot table it lands in.

NamedTuples keep emission cheap at the scale we ingest (hundreds of thousands of relations)
and turn into columns with one ``zip``.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple


class EntityRecord(NamedTuple):
    TABLE: ClassVar[str] = "entity_rows"
    ref: str
    kind: str
    namespace: str
    name: str
    title: str | None
    description: str | None
    type: str | None
    lifecycle: str | None
    owner: str | None
    system: str | None
    tags: list[str]
    entity: dict[str, Any]
    location: str
    line: int


class RelationRecord(NamedTuple):
    TABLE: ClassVar[str] = "relation_rows"
    source_ref: str
    type: str
    target_ref: str


class ProblemRecord(NamedTuple):
    TABLE: ClassVar[str] = "problem_rows"
    severity: str  # error | warning
    location: str
    line: int | None
    field: str | None
    ref: str | None
    message: str


class FileRecord(NamedTuple):
    TABLE: ClassVar[str] = "file_rows"
    location: str
    sha256: str
    ok: bool
    entity_count: int


Record = EntityRecord | RelationRecord | ProblemRecord | FileRecord
