"""Typed records that sources emit; ``RECORD_TABLES`` names the snapshot table each lands in.

NamedTuples keep emission cheap at the scale we ingest (hundreds of thousands of relations)
and turn into columns with one ``zip``.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class EntityRecord(NamedTuple):
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
    source_ref: str
    type: str
    target_ref: str


class ProblemRecord(NamedTuple):
    severity: str  # error | warning
    location: str
    line: int | None
    field: str | None
    ref: str | None
    message: str


class FileRecord(NamedTuple):
    location: str
    sha256: str
    ok: bool
    entity_count: int


Record = EntityRecord | RelationRecord | ProblemRecord | FileRecord

RECORD_TABLES: dict[type[Record], str] = {
    EntityRecord: "entity_rows",
    RelationRecord: "relation_rows",
    ProblemRecord: "problem_rows",
    FileRecord: "file_rows",
}
