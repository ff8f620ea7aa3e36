"""From parsed catalog files to records: files, problems, conflicts, entities and relations.

The one path every source that reads ``catalog-info.yaml`` files takes (``catalog_files`` from
local roots, ``github`` from an organisation's repositories), so both resolve conflicts, report
problems and store entities alike. Problems also go to the run's report, as ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from catalog.model import FileResult, Problem, ProcessedEntity
from catalog.processing import resolve_conflicts
from ingest.entity_records import entity_record, with_location_annotations
from ingest.records import EntityRecord, FileRecord, ProblemRecord, Record, RelationRecord
from ingest.source import SourceReport


@dataclass(frozen=True)
class ParsedFile:
    location: str
    """Where the entity rows say they come from; also the order of conflicts (first wins)."""
    sha256: str
    result: FileResult
    managed_by: str
    """Backstage's ``managed-by-location`` annotation of the file's entities."""
    origin: str
    """Backstage's ``managed-by-origin-location`` annotation."""
    ok: bool | None = None
    """Stored ``ok``; None: the result's own (a source may know better, e.g. a kept result)."""
    extra_warnings: Sequence[Problem] = ()
    """Warnings of the source about the file (e.g. Location targets not followed)."""


def catalog_file_records(report: SourceReport, files: Sequence[ParsedFile]) -> Iterator[Record]:
    """Records of ``files`` (in this order); sets the ``entities``/``relations``/``conflicts``
    counts of ``report``."""
    by_location = {f.location: f for f in files}
    for f in files:
        result = f.result
        ok = result.ok if f.ok is None else f.ok
        yield FileRecord(f.location, f.sha256, ok, len(result.entities))
        yield from _problems(report, f.location, None, result.errors, result.warnings)
        if f.extra_warnings:
            yield from _problems(report, f.location, None, (), f.extra_warnings)
        for ent in result.entities:
            yield from _problems(report, f.location, ent.ref, ent.errors, ent.warnings)
    accepted, conflicts = resolve_conflicts([(f.location, f.result) for f in files])
    for ref, kept, rejected in conflicts:
        line = next((e.line for e in by_location[rejected].result.entities if e.ref == ref), None)
        message = f"entity {ref} is already defined in {kept}; this definition was rejected"
        report.error(f"{rejected}:{line}: {message}")
        yield ProblemRecord("error", rejected, line, None, ref, message)
    relations = 0
    for location, ent in accepted.values():
        yield _entity_record(ent, by_location[location])
        for source_ref, rel_type, target_ref in ent.relations:
            relations += 1
            yield RelationRecord(source_ref, rel_type, target_ref)
    report.counts["entities"] = len(accepted)
    report.counts["relations"] = relations
    report.counts["conflicts"] = len(conflicts)


def _problems(
    report: SourceReport,
    location: str,
    ref: str | None,
    errors: Sequence[Problem],
    warnings: Sequence[Problem],
) -> Iterator[ProblemRecord]:
    suffix = f" [{ref}]" if ref else ""
    for p in errors:
        report.error(p.render(location) + suffix)
        yield ProblemRecord("error", location, p.line, p.field, ref, p.message)
    for p in warnings:
        report.warn(p.render(location) + suffix)
        yield ProblemRecord("warning", location, p.line, p.field, ref, p.message)


def _entity_record(ent: ProcessedEntity, f: ParsedFile) -> EntityRecord:
    stored = with_location_annotations(ent.entity, f.managed_by, f.origin)
    outgoing = ((t, target) for source, t, target in ent.relations if source == ent.ref)
    return entity_record(ent.ref, stored, outgoing, location=f.location, line=ent.line)
