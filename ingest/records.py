"""Typed records that sources emit; each record type names the snapshot table it lands in.

Sources with tables of their own define their records beside them, the same way.

NamedTuples keep emission cheap at the scale we ingest (hundreds of thousands of relations)
and turn into columns with one ``zip``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple, Protocol


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

    @classmethod
    def table(cls) -> str:
        return "entity_rows"


class RelationRecord(NamedTuple):
    source_ref: str
    type: str
    target_ref: str

    @classmethod
    def table(cls) -> str:
        return "relation_rows"


class ProblemRecord(NamedTuple):
    severity: str  # error | warning
    location: str
    line: int | None
    field: str | None
    ref: str | None
    message: str

    @classmethod
    def table(cls) -> str:
        return "problem_rows"


class FileRecord(NamedTuple):
    location: str
    sha256: str
    ok: bool
    entity_count: int

    @classmethod
    def table(cls) -> str:
        return "file_rows"


class ClaimRecord(NamedTuple):
    """An ownership claim a source can make on its own (it knows subject and owner refs)."""

    subject: str
    owner: str | None
    owner_raw: str | None
    role: str  # owner | codeowner | infra | oncall
    evidence: str

    @classmethod
    def table(cls) -> str:
        return "claim_rows"


class Record(Protocol):
    """What the runner needs of a record: its fields and the snapshot table it lands in."""

    @classmethod
    def table(cls) -> str: ...

    def _asdict(self) -> dict[str, Any]: ...

    def __iter__(self) -> Iterator[Any]: ...
