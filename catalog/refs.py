"""Entity references, exactly as ``@backstage/catalog-model``'s ``parseEntityRef``.

A ref is ``[<kind>:][<namespace>/]<name>``; a missing kind or namespace takes the default the
caller gives (per relation field), the namespace otherwise ``default``. Refs compare
case-insensitively and print as lowercase ``kind:namespace/name``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from catalog.errors import CatalogError

DEFAULT_NAMESPACE = "default"


class EntityRefError(CatalogError):
    """A ref that Backstage's ``parseEntityRef`` would refuse."""


@dataclass(frozen=True)
class EntityRef:
    kind: str
    namespace: str
    name: str

    def canonical(self) -> str:
        return stringify_entity_ref(self.kind, self.namespace, self.name)

    def __str__(self) -> str:
        return self.canonical()


def js_falsy(value: Any) -> bool:
    """JavaScript truthiness: ``undefined``/``null``, ``false``, ``0``, ``NaN`` and ``""``."""
    if value.__class__ is str:
        return not value
    if value is None or value is False:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == 0
    if isinstance(value, float):
        return value == 0 or math.isnan(value)
    if isinstance(value, str):
        return value == ""
    return False


def _parse_ref_string(ref: str) -> tuple[str | None, str | None, str]:
    colon = ref.find(":")
    slash = ref.find("/")
    if slash != -1 and slash < colon:
        colon = -1
    kind = None if colon == -1 else ref[:colon]
    namespace = None if slash == -1 else ref[colon + 1 : slash]
    name = ref[max(colon + 1, slash + 1) :]
    if kind == "" or namespace == "" or name == "":
        raise EntityRefError(
            f'Entity reference "{ref}" was not on the form [<kind>:][<namespace>/]<name>'
        )
    return kind, namespace, name


def _js_json(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)


def parse_entity_ref(
    ref: Any, *, default_kind: str | None = None, default_namespace: str | None = None
) -> EntityRef:
    """Parse a string ref (or a ``{kind, namespace, name}`` mapping) like Backstage does."""
    if js_falsy(ref):
        raise EntityRefError("Entity reference must not be empty")
    namespace_default = default_namespace or DEFAULT_NAMESPACE
    kind: Any
    namespace: Any
    name: Any
    if isinstance(ref, str):
        p_kind, p_namespace, name = _parse_ref_string(ref)
        kind = p_kind if p_kind is not None else default_kind
        namespace = p_namespace if p_namespace is not None else namespace_default
    else:
        fields: dict[str, Any] = ref if isinstance(ref, dict) else {}
        kind = fields.get("kind")
        kind = default_kind if kind is None else kind
        namespace = fields.get("namespace")
        namespace = namespace_default if namespace is None else namespace
        name = fields.get("name")
    if (
        kind
        and namespace
        and name
        and kind.__class__ is namespace.__class__ is name.__class__ is str
    ):
        return EntityRef(kind, namespace, name)
    textual = _js_json(ref)
    if js_falsy(kind):
        raise EntityRefError(
            f"Entity reference {textual} had missing or empty kind "
            '(e.g. did not start with "component:" or similar)'
        )
    if js_falsy(namespace):
        raise EntityRefError(f"Entity reference {textual} had missing or empty namespace")
    if js_falsy(name):
        raise EntityRefError(f"Entity reference {textual} had missing or empty name")
    if not (isinstance(kind, str) and isinstance(namespace, str) and isinstance(name, str)):
        # Backstage would crash lowercasing a non-string part; it is an error either way.
        raise EntityRefError(f"Entity reference {textual} has a part that is not a string")
    return EntityRef(kind, namespace, name)


@functools.lru_cache(maxsize=65536)
def canonical_target(ref: str, default_kind: str | None, default_namespace: str) -> str:
    """Canonical form of a string ref with per-field defaults (memoised; refs repeat a lot)."""
    return parse_entity_ref(
        ref, default_kind=default_kind, default_namespace=default_namespace
    ).canonical()


def stringify_entity_ref(kind: str, namespace: str | None, name: str) -> str:
    """Canonical lowercase ``kind:namespace/name``."""
    return f"{kind.lower()}:{(namespace or DEFAULT_NAMESPACE).lower()}/{name.lower()}"


def canonical_ref(
    ref: str, *, default_kind: str | None = None, default_namespace: str | None = None
) -> str:
    """Parse ``ref`` with the given defaults and return its canonical form."""
    return parse_entity_ref(
        ref, default_kind=default_kind, default_namespace=default_namespace
    ).canonical()


def refs_equal(a: str, b: str) -> bool:
    """Case-insensitive comparison of two full refs (``kind:namespace/name``)."""
    return canonical_ref(a) == canonical_ref(b)
