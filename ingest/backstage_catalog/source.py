"""The ``backstage_catalog`` source: the entities of a running Backstage, with their relations.

Backstage has already processed these entities, so they are taken as they are: each item needs
only a ``kind`` and a ``metadata.name`` (anything less is reported against its page and index and
skipped, the rest are kept), and its ``relations`` become relation rows unchanged except for
canonical lowercase refs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import httpx

from catalog.refs import EntityRefError, canonical_ref, stringify_entity_ref
from ingest.backstage_catalog.client import BackstageCatalogClient
from ingest.backstage_catalog.config import BackstageCatalogConfig
from ingest.entity_records import MANAGED_BY_LOCATION, entity_record
from ingest.records import EntityRecord, ProblemRecord, Record, RelationRecord
from ingest.source import SourceContext

Item = tuple[int, int, Any]
"""(page number, index in the page, the item as received)."""


class BackstageCatalogSource:
    type_name: ClassVar[str] = "backstage_catalog"
    tables: ClassVar[frozenset[str]] = frozenset({"entity_rows", "relation_rows", "problem_rows"})

    def __init__(
        self, config: BackstageCatalogConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.config = config
        self.location = f"backstage:{config.base_url}"
        self._transport = transport

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        items: list[Item] = []
        digest = hashlib.sha256(json.dumps([self.config.base_url, self.config.filter]).encode())
        with BackstageCatalogClient(self.config, transport=self._transport) as client:
            for page in client.pages():
                if page.number == 1:
                    ctx.progress(0, page.total_items)
                for index, item in enumerate(page.items):
                    items.append((page.number, index, item))
                    digest.update(json.dumps(item, sort_keys=True, default=str).encode())
                    digest.update(b"\n")
                ctx.report.counts["pages"] = page.number
                ctx.progress(len(page.items), None)
        ctx.report.fingerprint = digest.hexdigest()
        if ctx.report.fingerprint == ctx.previous_fingerprint:
            ctx.report.unchanged = True
            ctx.report.counts["entities"] = len(items)
            return []
        return list(self._records(ctx, items))

    def _records(self, ctx: SourceContext, items: list[Item]) -> Iterator[Record]:
        report = ctx.report
        seen: set[str] = set()
        relations = 0
        for page, index, item in items:
            where = f"page {page}, item {index}"
            checked = _check(item)
            if isinstance(checked, ProblemRecord):
                message = f"{where}: {checked.message}; item skipped"
                report.error(f"{self.location}: {message}")
                yield checked._replace(location=self.location, message=message)
                continue
            ref = checked
            if ref in seen:
                message = f"{where}: {ref} was already returned on an earlier page; skipped"
                report.warn(f"{self.location}: {message}")
                yield ProblemRecord("warning", self.location, None, None, ref, message)
                continue
            seen.add(ref)
            entity_relations: list[tuple[str, str]] = []
            for problem_field, problem in _relations(item, entity_relations):
                message = f"{where}: {problem}; relation skipped"
                report.warn(f"{self.location}: {message} [{ref}]")
                yield ProblemRecord("warning", self.location, None, problem_field, ref, message)
            yield self._entity_record(ref, item, entity_relations)
            for rel_type, target in entity_relations:
                relations += 1
                yield RelationRecord(ref, rel_type, target)
        report.counts["entities"] = len(seen)
        report.counts["relations"] = relations

    def _entity_record(
        self, ref: str, item: dict[str, Any], relations: list[tuple[str, str]]
    ) -> EntityRecord:
        annotations = item["metadata"].get("annotations")
        managed_by = annotations.get(MANAGED_BY_LOCATION) if isinstance(annotations, dict) else None
        location = f"{self.location}#{managed_by}" if isinstance(managed_by, str) else self.location
        # relations live in the relations table; the rest is the entity as Backstage has it
        entity = {k: v for k, v in item.items() if k != "relations"}
        return entity_record(ref, entity, relations, location=location, line=0)


def _check(item: Any) -> str | ProblemRecord:
    """The item's canonical ref, or a problem (location filled in by the caller)."""

    def problem(field: str | None, message: str, ref: str | None = None) -> ProblemRecord:
        return ProblemRecord("error", "", None, field, ref, message)

    if not isinstance(item, dict):
        return problem(None, f"expected an entity object, got {_json_type(item)}")
    kind = item.get("kind")
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    namespace = metadata.get("namespace", "default") if isinstance(metadata, dict) else None
    label = " ".join(
        part
        for part in (
            kind if isinstance(kind, str) and kind else None,
            name if isinstance(name, str) and name else None,
        )
        if part
    )
    named = f"entity {label}" if label else "entity"
    if not isinstance(kind, str) or not kind:
        return problem("kind", f"{named} has no kind")
    if not isinstance(metadata, dict):
        return problem("metadata", f"{named} has no metadata object")
    if not isinstance(name, str) or not name:
        return problem("metadata.name", f"{named} has no metadata.name")
    if not isinstance(namespace, str) or not namespace:
        return problem("metadata.namespace", f"{named} has an invalid metadata.namespace")
    return stringify_entity_ref(kind, namespace, name)


def _relations(item: dict[str, Any], out: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Fill ``out`` with (type, canonical target); yield (field, problem) for bad relations."""
    raw = item.get("relations")
    if raw is None:
        return
    if not isinstance(raw, list):
        yield "relations", "relations is not a list"
        return
    seen: set[tuple[str, str]] = set()
    for i, relation in enumerate(raw):
        field = f"relations[{i}]"
        if not isinstance(relation, dict):
            yield field, f"{field} is not an object"
            continue
        rel_type = relation.get("type")
        target: Any = relation.get("targetRef")
        if target is None and isinstance(relation.get("target"), dict):
            target = relation["target"]  # the deprecated {kind, namespace, name} form
        if not isinstance(rel_type, str) or not rel_type:
            yield field, f"{field} has no type"
            continue
        try:
            canonical = canonical_ref(target) if target is not None else None
        except EntityRefError as exc:
            yield field, f"{field} ({rel_type}): {exc}"
            continue
        if canonical is None:
            yield field, f"{field} ({rel_type}) has no targetRef"
            continue
        if (rel_type, canonical) not in seen:
            seen.add((rel_type, canonical))
            out.append((rel_type, canonical))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
