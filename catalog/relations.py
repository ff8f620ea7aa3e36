"""Relation emission for accepted entities (``BuiltinKindsEntityProcessor.postProcessEntity``
and ``ScaffolderEntitiesProcessor``): every relation field emits both directions.

A ref without a namespace inherits the entity's namespace; a ref without a kind takes the field's
default kind, and where the field has none (``dependsOn``/``dependencyOf``) it is an error for the
entity, as is any ref ``parseEntityRef`` refuses.
"""

from __future__ import annotations

from typing import Any

from catalog.model import Relation
from catalog.refs import EntityRefError, canonical_target, js_falsy, parse_entity_ref
from catalog.rules import FieldPath, Issue

OWNED_BY, OWNER_OF = "ownedBy", "ownerOf"
PROVIDES_API, API_PROVIDED_BY = "providesApi", "apiProvidedBy"
CONSUMES_API, API_CONSUMED_BY = "consumesApi", "apiConsumedBy"
DEPENDS_ON, DEPENDENCY_OF = "dependsOn", "dependencyOf"
PARENT_OF, CHILD_OF = "parentOf", "childOf"
MEMBER_OF, HAS_MEMBER = "memberOf", "hasMember"
PART_OF, HAS_PART = "partOf", "hasPart"

# kind → [(spec field, default kind, outgoing relation, incoming relation)], Backstage's order.
RelationField = tuple[str, str | None, str, str]
RELATION_FIELDS: dict[str, list[RelationField]] = {
    "Component": [
        ("owner", "Group", OWNED_BY, OWNER_OF),
        ("subcomponentOf", "Component", PART_OF, HAS_PART),
        ("providesApis", "API", PROVIDES_API, API_PROVIDED_BY),
        ("consumesApis", "API", CONSUMES_API, API_CONSUMED_BY),
        ("dependsOn", None, DEPENDS_ON, DEPENDENCY_OF),
        ("dependencyOf", None, DEPENDENCY_OF, DEPENDS_ON),
        ("system", "System", PART_OF, HAS_PART),
    ],
    "API": [
        ("owner", "Group", OWNED_BY, OWNER_OF),
        ("system", "System", PART_OF, HAS_PART),
    ],
    "Resource": [
        ("owner", "Group", OWNED_BY, OWNER_OF),
        ("dependsOn", None, DEPENDS_ON, DEPENDENCY_OF),
        ("dependencyOf", None, DEPENDENCY_OF, DEPENDS_ON),
        ("system", "System", PART_OF, HAS_PART),
    ],
    "User": [("memberOf", "Group", MEMBER_OF, HAS_MEMBER)],
    "Group": [
        ("parent", "Group", CHILD_OF, PARENT_OF),
        ("children", "Group", PARENT_OF, CHILD_OF),
        ("members", "User", HAS_MEMBER, MEMBER_OF),
    ],
    "System": [
        ("owner", "Group", OWNED_BY, OWNER_OF),
        ("domain", "Domain", PART_OF, HAS_PART),
    ],
    "Domain": [
        ("owner", "Group", OWNED_BY, OWNER_OF),
        ("subdomainOf", "Domain", PART_OF, HAS_PART),
    ],
    "Template": [("owner", "Group", OWNED_BY, OWNER_OF)],
}


def emit_relations(entity: dict[str, Any], self_ref: str) -> tuple[list[Relation], Issue | None]:
    """Both directions of every relation, or the first ref error (Backstage throws there).

    ``[targets].flat()`` in Backstage: a list contributes its items, anything else itself.
    """
    fields = RELATION_FIELDS.get(entity["kind"])
    if not fields:
        return [], None
    spec = entity.get("spec")
    if not isinstance(spec, dict):
        return [], None
    namespace: str = entity["metadata"]["namespace"]
    out: list[Relation] = []
    for field, default_kind, outgoing, incoming in fields:
        value = spec.get(field)
        if js_falsy(value):
            continue
        targets = value if value.__class__ is list else (value,)
        for index, target in enumerate(targets):
            try:
                if target.__class__ is str:
                    ref = canonical_target(target, default_kind, namespace)
                else:
                    ref = parse_entity_ref(
                        target, default_kind=default_kind, default_namespace=namespace
                    ).canonical()
            except EntityRefError as exc:
                where: FieldPath = ("spec", field, index) if targets is value else ("spec", field)
                return [], Issue(exc.message, where)
            out.append((self_ref, outgoing, ref))
            out.append((ref, incoming, self_ref))
    return out, None
