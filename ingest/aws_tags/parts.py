"""Each listing's records, kept in the source's state directory while its listing is the same.

A region whose listing did not change since the last run (same digest) needs no records built:
its part is read back (``marshal``, ~10x faster than pickle for these plain tuples) instead of
walking its 100,000 items again. A part is keyed by the listing's digest and the source's
settings; a missing, stale or unreadable file is simply built again.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.state import load_state, save_state

VERSION = 1

Row = tuple[Any, ...]
"""The fields of a ``CloudResourceRecord``, in order."""
ClaimRow = tuple[str, str, str, str, str]
"""The fields of the resource's infra ``ClaimRecord``."""


@dataclass
class RegionPart:
    rows: list[Row] = field(default_factory=list)
    claims: list[ClaimRow | None] = field(default_factory=list)
    """Per row: its claim, if its tags name both an owner and a component."""
    global_arns: list[bool] = field(default_factory=list)
    """Per row: its ARN names no region (S3 buckets), so other regions may list it too."""
    warnings: list[tuple[int, str]] = field(default_factory=list)
    """(row index, message) in listing order; index -1 for an item that made no row."""

    def dumps(self) -> bytes:
        return marshal.dumps((self.rows, self.claims, self.global_arns, self.warnings))

    @classmethod
    def loads(cls, blob: bytes) -> RegionPart | None:
        try:
            rows, claims, global_arns, warnings = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        if not len(rows) == len(claims) == len(global_arns):
            return None
        return cls(rows, claims, global_arns, warnings)


class RegionParts:
    def __init__(self, state_dir: Path, settings: str) -> None:
        self.dir = state_dir / "parts"
        self.settings = settings

    def _path(self, target_key: str) -> Path:
        return self.dir / f"{target_key}.pickle"

    def _key(self, target_key: str, digest: str) -> str:
        return f"{target_key}:{digest}:{self.settings}"

    def load(self, target_key: str, digest: str) -> RegionPart | None:
        blob = load_state(
            self._path(target_key), version=VERSION, key=self._key(target_key, digest)
        )
        return RegionPart.loads(blob) if isinstance(blob, bytes) else None

    def save(self, target_key: str, digest: str, part: RegionPart) -> None:
        save_state(
            self._path(target_key),
            part.dumps(),
            version=VERSION,
            key=self._key(target_key, digest),
        )
