"""The source protocol: a source is configured, runs, yields records and fills a report.

Sources never touch the database; the runner owns persistence (see ``ingest.runner``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from ingest.records import Record

ProgressCallback = Callable[[int, int | None], None]
"""progress(advance, total): advance by ``advance`` units; ``total`` when it becomes known."""


def _no_progress(advance: int, total: int | None) -> None:
    return None


@dataclass
class SourceReport:
    """Counts, warnings and errors of one source run; messages name ``file:line`` or the object."""

    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    unchanged: bool = False

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def error(self, message: str) -> None:
        self.errors.append(message)


@dataclass
class SourceContext:
    name: str
    state_dir: Path
    """A directory the source may keep caches in between runs (never the database)."""
    previous_fingerprint: str | None
    report: SourceReport = field(default_factory=SourceReport)
    progress: ProgressCallback = _no_progress


class Source(Protocol):
    type_name: ClassVar[str]
    tables: ClassVar[frozenset[str]]
    """The snapshot tables this source owns; a run replaces all of them (empty if no records)."""

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        """Yield the complete current snapshot, or set ``ctx.report.unchanged`` and yield nothing.

        Raise ``catalog.errors.SourceError`` when the source as a whole fails.
        """
        ...
