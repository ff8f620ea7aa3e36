"""Kind validation: ``BuiltinKindsEntityProcessor`` + ``ScaffolderEntitiesProcessor``.

A validator recognises an entity only when both ``kind`` (case-sensitive) and ``apiVersion`` match
its schema's enums (``entityKindSchemaValidator``'s "soft" failure); when none does, Backstage
fails the entity with "No processor recognized the entity … as valid". A recognised entity must
then satisfy the rest of its kind's JSON schema (``spec`` required, spec field types).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.rules import FieldPath, Issue, ajv_type

BACKSTAGE_VERSIONS = frozenset({"backstage.io/v1alpha1", "backstage.io/v1beta1"})
TEMPLATE_VERSIONS = frozenset({"scaffolder.backstage.io/v1beta3"})

SpecCheck = Callable[[Any, FieldPath, list[Issue]], None]


def _err(path: FieldPath, message: str) -> Issue:
    return Issue(f"/{'/'.join(str(p) for p in path)} {message}", path)


def _str(min_length: int = 1) -> SpecCheck:
    def check(value: Any, path: FieldPath, issues: list[Issue]) -> None:
        if not isinstance(value, str):
            issues.append(_err(path, "must be string - type: string"))
        elif len(value) < min_length:
            issues.append(
                _err(
                    path, f"must NOT have fewer than {min_length} characters - limit: {min_length}"
                )
            )

    return check


def _str_or_bool(value: Any, path: FieldPath, issues: list[Issue]) -> None:
    if not isinstance(value, str | bool):
        issues.append(_err(path, "must be string,boolean - type: string,boolean"))


def _array(item: SpecCheck) -> SpecCheck:
    def check(value: Any, path: FieldPath, issues: list[Issue]) -> None:
        if not isinstance(value, list):
            issues.append(_err(path, "must be array - type: array"))
            return
        for i, element in enumerate(value):
            item(element, (*path, i), issues)

    return check


def _object(
    properties: dict[str, SpecCheck] | None = None,
    required: tuple[str, ...] = (),
    additional: SpecCheck | None = None,
) -> SpecCheck:
    props = properties or {}

    def check(value: Any, path: FieldPath, issues: list[Issue]) -> None:
        if not isinstance(value, dict):
            issues.append(_err(path, "must be object - type: object"))
            return
        for key in required:
            if key not in value:
                issues.append(
                    _err(path, f"must have required property '{key}' - missingProperty: {key}")
                )
        for key, element in value.items():
            prop = props.get(key)
            if prop is not None:
                prop(element, (*path, key), issues)
            elif additional is not None:
                additional(element, (*path, key), issues)

    return check


def _enum(*allowed: str) -> SpecCheck:
    def check(value: Any, path: FieldPath, issues: list[Issue]) -> None:
        if not (isinstance(value, str) and value in allowed):
            issues.append(
                _err(
                    path,
                    f"must be equal to one of the allowed values - allowedValues: "
                    f"{','.join(allowed)}",
                )
            )

    return check


def _one_of(*options: SpecCheck) -> SpecCheck:
    def check(value: Any, path: FieldPath, issues: list[Issue]) -> None:
        passing = 0
        for option in options:
            found: list[Issue] = []
            option(value, path, found)
            passing += not found
        if passing != 1:
            issues.append(
                _err(path, f"must match exactly one schema in oneOf (got {ajv_type(value)})")
            )

    return check


S1 = _str(1)
STRINGS = _array(S1)
PROFILE = _object({"displayName": S1, "email": S1, "picture": S1})
_PERMISSIONS = _object({"tags": _array(_str(0))})

KIND_SPECS: dict[str, SpecCheck] = {
    "Component": _object(
        {
            "type": S1,
            "lifecycle": S1,
            "owner": S1,
            "system": S1,
            "subcomponentOf": S1,
            "providesApis": STRINGS,
            "consumesApis": STRINGS,
            "dependsOn": STRINGS,
        },
        required=("type", "lifecycle", "owner"),
    ),
    "API": _object(
        {"type": S1, "lifecycle": S1, "owner": S1, "system": S1, "definition": S1},
        required=("type", "lifecycle", "owner", "definition"),
    ),
    "Resource": _object(
        {"type": S1, "owner": S1, "dependsOn": STRINGS, "system": S1},
        required=("type", "owner"),
    ),
    "System": _object({"owner": S1, "domain": S1, "type": S1}, required=("owner",)),
    "Domain": _object({"owner": S1, "subdomainOf": S1, "type": S1}, required=("owner",)),
    "Group": _object(
        {"type": S1, "profile": PROFILE, "parent": S1, "children": STRINGS, "members": STRINGS},
        required=("type", "children"),
    ),
    "User": _object({"profile": PROFILE, "memberOf": STRINGS}, required=("memberOf",)),
    "Location": _object(
        {"type": S1, "target": S1, "targets": STRINGS, "presence": _enum("required", "optional")}
    ),
    "Template": _object(
        {
            "type": S1,
            "owner": S1,
            "lifecycle": S1,
            "parameters": _one_of(
                _object({"backstage:permissions": _PERMISSIONS}),
                _array(_object({"when": _str_or_bool, "backstage:permissions": _PERMISSIONS})),
            ),
            "secrets": _object({"schema": _object()}),
            "presentation": _object(
                {
                    "buttonLabels": _object(
                        {
                            "backButtonText": _str(0),
                            "createButtonText": _str(0),
                            "reviewButtonText": _str(0),
                        }
                    )
                }
            ),
            "EXPERIMENTAL_recovery": _object({"EXPERIMENTAL_strategy": _str(0)}),
            "formDecorators": _array(_object({"id": _str(0), "input": _object()})),
            "EXPERIMENTAL_formDecorators": _array(_object({"id": _str(0), "input": _object()})),
            "steps": _array(
                _object(
                    {
                        "id": _str(0),
                        "name": _str(0),
                        "action": _str(0),
                        "input": _object(),
                        "if": _str_or_bool,
                        "backstage:permissions": _PERMISSIONS,
                    },
                    required=("action",),
                )
            ),
            "output": _object(
                {
                    "links": _array(
                        _object(
                            {
                                "if": _str_or_bool,
                                "url": S1,
                                "entityRef": S1,
                                "title": S1,
                                "icon": S1,
                            }
                        )
                    ),
                    "text": _array(
                        _object({"if": _str_or_bool, "title": S1, "icon": S1, "content": _str(0)})
                    ),
                },
                additional=_str(0),
            ),
        },
        required=("type", "steps"),
    ),
}

_VERSIONS: dict[str, frozenset[str]] = {
    kind: (TEMPLATE_VERSIONS if kind == "Template" else BACKSTAGE_VERSIONS) for kind in KIND_SPECS
}


# Kinds whose spec is flat: field → "s" (string, minLength 1) or "l" (list of those).
_SIMPLE: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "Component": (
        ("type", "lifecycle", "owner"),
        dict.fromkeys(("type", "lifecycle", "owner", "system", "subcomponentOf"), "s")
        | dict.fromkeys(("providesApis", "consumesApis", "dependsOn"), "l"),
    ),
    "API": (
        ("type", "lifecycle", "owner", "definition"),
        dict.fromkeys(("type", "lifecycle", "owner", "system", "definition"), "s"),
    ),
    "Resource": (
        ("type", "owner"),
        dict.fromkeys(("type", "owner", "system"), "s") | {"dependsOn": "l"},
    ),
    "System": (("owner",), dict.fromkeys(("owner", "domain", "type"), "s")),
    "Domain": (("owner",), dict.fromkeys(("owner", "subdomainOf", "type"), "s")),
    "Group": (
        ("type", "children"),
        dict.fromkeys(("type", "parent"), "s")
        | dict.fromkeys(("children", "members"), "l")
        | {"profile": "x"},
    ),
    "User": (("memberOf",), {"memberOf": "l", "profile": "x"}),
}


def _spec_passes_fast(kind: str, spec: Any) -> bool:
    """Sound shortcut for flat specs: True only when the kind schema surely passes."""
    simple = _SIMPLE.get(kind)
    if simple is None or spec.__class__ is not dict:
        return False
    required, fields = simple
    for key in required:
        if key not in spec:
            return False
    for key, value in spec.items():
        shape = fields.get(key)
        if shape is None:
            continue
        if shape == "s":
            if value.__class__ is not str or not value:
                return False
        elif shape == "l":
            if value.__class__ is not list:
                return False
            for item in value:
                if item.__class__ is not str or not item:
                    return False
        else:
            return False
    return True


def recognized(entity: dict[str, Any]) -> bool:
    """Does any default processor's validator accept this kind + apiVersion?"""
    versions = _VERSIONS.get(entity["kind"])
    return versions is not None and entity["apiVersion"] in versions


def check_kind(entity: dict[str, Any], ref: str) -> list[Issue]:
    """Kind validation; all schema violations of a recognised kind, as ajv ``allErrors`` would."""
    if not recognized(entity):
        return [
            Issue(
                f"No processor recognized the entity {ref} as valid, possibly caused by a "
                "foreign kind or apiVersion",
                ("kind",),
            )
        ]
    if "spec" not in entity:
        return [Issue("<root> must have required property 'spec' - missingProperty: spec")]
    if _spec_passes_fast(entity["kind"], entity["spec"]):
        return check_location_targets(entity["spec"]) if entity["kind"] == "Location" else []
    issues: list[Issue] = []
    KIND_SPECS[entity["kind"]](entity["spec"], ("spec",), issues)
    if not issues and entity["kind"] == "Location":
        issues = check_location_targets(entity["spec"])
    return issues


ALLOWED_LOCATION_TYPES = ("url",)
"""CatalogBuilder's default ``allowedLocationTypes``; a file's own type (``file``) is also fine."""


def check_location_targets(spec: dict[str, Any]) -> list[Issue]:
    """The orchestrator's Location step, short of reading the targets (not followed here)."""
    location_type = spec.get("type", "file")
    if location_type != "file" and location_type not in ALLOWED_LOCATION_TYPES:
        return [
            Issue(
                'Registered locations must be of an allowed type ["url"]',
                ("spec", "type"),
            )
        ]
    targets: list[tuple[Any, FieldPath]] = []
    if spec.get("target"):
        targets.append((spec["target"], ("spec", "target")))
    targets += [(t, ("spec", "targets", i)) for i, t in enumerate(spec.get("targets") or [])]
    return [
        Issue(
            f"LocationEntityProcessor cannot handle {location_type} type location with target "
            f"{target} that ends with a path separator",
            path,
        )
        for target, path in targets
        if location_type == "file" and isinstance(target, str) and target.endswith("/")
    ]
