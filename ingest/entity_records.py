"""Building the stored form of an entity, shared by every source that emits entities."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ingest.records import EntityRecord

MANAGED_BY_LOCATION = "backstage.io/managed-by-location"
MANAGED_BY_ORIGIN_LOCATION = "backstage.io/managed-by-origin-location"


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def entity_record(
    ref: str,
    entity: dict[str, Any],
    outgoing: Iterable[tuple[str, str]],
    *,
    location: str,
    line: int,
) -> EntityRecord:
    """``ref`` canonical; ``outgoing`` the entity's own relations as (type, target ref).

    The owner is the target of ``ownedBy`` and the system the ``partOf`` target of kind
    system, exactly as Backstage's relations say (so ``spec.owner: team-x`` in namespace
    ``ns`` is ``group:ns/team-x``).
    """
    metadata = entity.get("metadata") if isinstance(entity.get("metadata"), dict) else {}
    spec = entity.get("spec") if isinstance(entity.get("spec"), dict) else {}
    assert isinstance(metadata, dict) and isinstance(spec, dict)
    kind, rest = ref.split(":", 1)
    namespace, name = rest.split("/", 1)
    owner = system = None
    for rel_type, target in outgoing:
        if rel_type == "ownedBy" and owner is None:
            owner = target
        elif rel_type == "partOf" and system is None and target.startswith("system:"):
            system = target
    tags = metadata.get("tags")
    return EntityRecord(
        ref=ref,
        kind=kind,
        namespace=namespace,
        name=str(metadata.get("name", name)),
        title=_str_or_none(metadata.get("title")),
        description=_str_or_none(metadata.get("description")),
        type=_str_or_none(spec.get("type")),
        lifecycle=_str_or_none(spec.get("lifecycle")),
        owner=owner,
        system=system,
        tags=[str(t) for t in tags] if isinstance(tags, list) else [],
        entity=entity,
        location=location,
        line=line,
    )


def with_location_annotations(
    entity: dict[str, Any], managed_by: str, origin: str
) -> dict[str, Any]:
    """A copy of ``entity`` carrying Backstage's location annotations (input left untouched:
    parsed YAML may share objects between entities through aliases)."""
    metadata = dict(entity.get("metadata") or {})
    annotations = dict(metadata.get("annotations") or {})
    annotations[MANAGED_BY_LOCATION] = managed_by
    annotations[MANAGED_BY_ORIGIN_LOCATION] = origin
    metadata["annotations"] = annotations
    return {**entity, "metadata": metadata}
