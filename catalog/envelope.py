"""Read-stage checks: Backstage's ``parseEntityYaml`` + ``ProcessorOutputCollector``.

A document that is not an object, an envelope that fails ``EntityEnvelope.schema.json``
(``apiVersion``, ``kind``, ``metadata.name``, ``metadata.namespace``), or annotations that are not
an object reject the whole file.
"""

from __future__ import annotations

from typing import Any

from catalog.refs import js_falsy
from catalog.rules import FieldPath, Issue, ajv_type, js_typeof


def _string_min1(value: Any, path: FieldPath, issues: list[Issue]) -> None:
    where = "/" + "/".join(str(p) for p in path)
    if not isinstance(value, str):
        issues.append(Issue(f"{where} must be string - type: string", path))
    elif len(value) < 1:
        issues.append(Issue(f"{where} must NOT have fewer than 1 characters - limit: 1", path))


def check_root(value: Any) -> Issue | None:
    """``parseEntityYaml``: every non-null document must be a plain object."""
    if isinstance(value, dict):
        return None
    return Issue(f"Expected object at root, got {js_typeof(value)}")


def check_envelope(entity: dict[str, Any]) -> list[Issue]:
    """``EntityEnvelope.schema.json`` (ajv, all errors) and then the annotations check."""
    issues: list[Issue] = []
    for key in ("apiVersion", "kind", "metadata"):
        if key not in entity:
            issues.append(
                Issue(f"<root> must have required property '{key}' - missingProperty: {key}")
            )
    for key in ("apiVersion", "kind"):
        if key in entity:
            _string_min1(entity[key], (key,), issues)
    metadata = entity.get("metadata")
    if "metadata" in entity:
        if not isinstance(metadata, dict):
            issues.append(
                Issue(
                    f"/metadata must be object - type: object (got {ajv_type(metadata)})",
                    ("metadata",),
                )
            )
        else:
            if "name" not in metadata:
                issues.append(
                    Issue(
                        "/metadata must have required property 'name' - missingProperty: name",
                        ("metadata",),
                    )
                )
            else:
                _string_min1(metadata["name"], ("metadata", "name"), issues)
            if "namespace" in metadata:
                _string_min1(metadata["namespace"], ("metadata", "namespace"), issues)
    if issues:
        return issues
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not js_falsy(annotations) and not isinstance(annotations, dict):
        return [Issue("metadata.annotations must be a valid object", ("metadata", "annotations"))]
    return []


def normalize_envelope(entity: dict[str, Any]) -> None:
    """What the collector does to an accepted envelope: falsy annotations become ``{}``."""
    metadata: dict[str, Any] = entity["metadata"]
    if "annotations" in metadata and js_falsy(metadata["annotations"]):
        metadata["annotations"] = {}
