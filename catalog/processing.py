"""One catalog file through Backstage's pipeline, and conflicts between files.

Read stage (rejects the whole file): YAML (bytes that are not UTF-8 become U+FFFD, with a
warning), object roots, the entity envelope and the annotations check. Then per entity, in
Backstage's order: placeholders (pre-process), the default policy chain, kind validation,
relation emission (post-process). An entity that fails any of these is rejected alone but
still claims its ref.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from catalog import envelope, kinds, policies
from catalog.errors import YamlError
from catalog.model import FileResult, Problem, ProcessedEntity
from catalog.placeholders import PlaceholderContext, has_placeholder_keys, resolve_placeholders
from catalog.refs import DEFAULT_NAMESPACE, stringify_entity_ref
from catalog.relations import emit_relations
from catalog.rules import FieldPath, Issue, render_path

FieldLines = dict[tuple[str | int, ...], int]


def _line_for(path: FieldPath, field_lines: FieldLines, default: int) -> int:
    for end in range(len(path), 0, -1):
        line = field_lines.get(path[:end])
        if line is not None:
            return line
    return default


def _problem(issue: Issue, field_lines: FieldLines, default_line: int) -> Problem:
    return Problem(
        issue.message,
        line=_line_for(issue.path, field_lines, default_line),
        field=render_path(issue.path) or None,
    )


MAX_ENCODING_WARNINGS = 5


def _decode(data: bytes) -> tuple[str, list[Problem]]:
    """UTF-8 as Node's ``Buffer.toString("utf8")`` decodes it: bytes that are not valid UTF-8
    become U+FFFD (Backstage accepts the file). Each line that had some is warned about."""
    try:
        text = data.decode("utf-8")
        warnings: list[Problem] = []
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        warnings = _encoding_warnings(data)
    return (text[1:] if text.startswith("\ufeff") else text), warnings


def _encoding_warnings(data: bytes) -> list[Problem]:
    lines: list[tuple[int, int]] = []  # (line, first bad byte)
    view = memoryview(data)
    start = 0
    while start < len(data):
        try:
            codecs.utf_8_decode(view[start:], "strict", True)
            break
        except UnicodeDecodeError as exc:
            at = start + exc.start
            line = data.count(b"\n", 0, at) + 1
            if not lines or lines[-1][0] != line:
                lines.append((line, data[at]))
            start = at + max(1, exc.end - exc.start)
    problems = [
        Problem(
            f"invalid UTF-8 (byte 0x{byte:02x}) replaced by U+FFFD, as Backstage reads it",
            line=line,
        )
        for line, byte in lines[:MAX_ENCODING_WARNINGS]
    ]
    if len(lines) > MAX_ENCODING_WARNINGS:
        problems.append(
            Problem(
                f"invalid UTF-8 on {len(lines) - MAX_ENCODING_WARNINGS} more lines",
                line=lines[MAX_ENCODING_WARNINGS][0],
            )
        )
    return problems


def _process_entity(
    entity: dict[str, Any],
    line: int,
    field_lines: FieldLines,
    ctx: PlaceholderContext,
    maybe_placeholders: bool = True,
) -> ProcessedEntity:
    meta = entity["metadata"]
    ref = stringify_entity_ref(
        entity["kind"], meta.get("namespace") or DEFAULT_NAMESPACE, meta["name"]
    )
    result = ProcessedEntity(ref=ref, entity=entity, line=line)

    def fail(issues: Sequence[Issue]) -> ProcessedEntity:
        result.errors.extend(_problem(i, field_lines, line) for i in issues)
        return result

    # Pre-process: placeholders.
    if maybe_placeholders and has_placeholder_keys(entity):
        ctx.errors, ctx.warnings = [], []
        entity = resolve_placeholders(entity, ctx)
        result.entity = entity
        result.warnings.extend(_problem(i, field_lines, line) for i in ctx.warnings)
        if ctx.errors:
            return fail(ctx.errors)
    # Policies (Backstage stops at the first failure); this also defaults the namespace.
    issue = policies.enforce_policies(entity)
    if issue is not None:
        if isinstance(entity.get("metadata"), dict):
            policies.apply_default_namespace(entity)
        return fail([issue])
    # Validate: the kind's schema, or nobody recognises the entity.
    kind_issues = kinds.check_kind(entity, ref)
    if kind_issues:
        return fail(kind_issues)
    # Post-process: relations.
    relations, ref_issue = emit_relations(entity, ref)
    if ref_issue is not None:
        return fail([ref_issue])
    result.relations = relations
    return result


def process_file(
    data: bytes,
    *,
    path: Path,
    roots: Sequence[Path],
    allowed_hosts: frozenset[str] = frozenset(),
    max_alias_count: int = 100,
) -> FileResult:
    """Read and validate one catalog file exactly as Backstage would."""
    from catalog.yaml12 import load_all

    text, encoding_warnings = _decode(data)
    try:
        documents = load_all(text, max_alias_count=max_alias_count)
    except YamlError as exc:
        return FileResult(errors=[Problem(exc.message, line=exc.line)], warnings=encoding_warnings)

    read_errors: list[Problem] = []
    accepted: list[tuple[dict[str, Any], int, FieldLines]] = []
    for doc in documents:
        if doc.value is None:
            continue
        issue = envelope.check_root(doc.value)
        issues = [issue] if issue else envelope.check_envelope(doc.value)
        if issues:
            read_errors.extend(_problem(i, doc.field_lines, doc.line) for i in issues)
            continue
        accepted.append((doc.value, doc.line, doc.field_lines))
    if read_errors:
        return FileResult(errors=read_errors, warnings=encoding_warnings)

    ctx = PlaceholderContext(
        base_dir=path.parent,
        roots=roots,
        allowed_hosts=allowed_hosts,
        max_alias_count=max_alias_count,
    )
    # A "$" key can only come from a "$" in the text (or an escape in a quoted scalar).
    maybe_placeholders = "$" in text or "\\" in text
    result = FileResult(warnings=encoding_warnings)
    for entity, line, field_lines in accepted:
        envelope.normalize_envelope(entity)
        processed = _process_entity(entity, line, field_lines, ctx, maybe_placeholders)
        result.entities.append(processed)
        result.warnings.extend(processed.warnings)
    return result


def resolve_conflicts(
    files: Sequence[tuple[str, FileResult]],
) -> tuple[dict[str, tuple[str, ProcessedEntity]], list[tuple[str, str, str]]]:
    """First claimant of a ref keeps it (files in code-point order of their relative path).

    Every entity that passed the read stage claims its ref, accepted or not; within one file a
    later document with the same ref replaces the earlier one (same location key in Backstage).
    Returns the accepted entities by ref and ``[ref, kept_file, rejected_file]`` conflicts.
    """
    claims: dict[str, tuple[str, ProcessedEntity]] = {}
    conflicts: list[tuple[str, str, str]] = []
    for rel_path, result in sorted(files, key=lambda item: item[0]):
        for processed in result.entities:
            owner = claims.get(processed.ref)
            if owner is None or owner[0] == rel_path:
                claims[processed.ref] = (rel_path, processed)
            else:
                conflicts.append((processed.ref, owner[0], rel_path))
    accepted = {ref: claim for ref, claim in claims.items() if claim[1].accepted}
    return accepted, conflicts
