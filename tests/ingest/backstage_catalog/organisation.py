"""A small organisation as the Backstage backend returns it, relations computed as Backstage does
(served by ``standins.backstage.FakeBackstage`` in these tests)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def entity(
    kind: str,
    name: str,
    spec: dict[str, Any] | None = None,
    relations: Sequence[tuple[str, str]] = (),
    **metadata: Any,
) -> dict[str, Any]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{kind.lower()}-{name.lower()}",
            "etag": "abc",
            "annotations": {
                "backstage.io/managed-by-location": f"url:https://github.com/acme/{name}/blob/main/catalog-info.yaml",
                "backstage.io/managed-by-origin-location": "url:https://github.com/acme/org/blob/main/all.yaml",
            },
            **metadata,
        },
        "spec": spec or {},
        "relations": [{"type": t, "targetRef": r} for t, r in relations],
    }


def organisation() -> list[dict[str, Any]]:
    return [
        entity(
            "Group",
            "team-a",
            {"type": "team", "children": []},
            [("hasMember", "user:default/alice"), ("ownerOf", "component:default/payments-api")],
        ),
        entity(
            "Group",
            "team-b",
            {"type": "team", "children": []},
            [("ownerOf", "component:default/Web-Frontend")],
        ),
        entity("User", "alice", {"memberOf": ["team-a"]}, [("memberOf", "group:default/team-a")]),
        entity(
            "System",
            "payments",
            {"owner": "team-a"},
            [("ownedBy", "group:default/team-a"), ("hasPart", "component:default/payments-api")],
        ),
        entity(
            "Component",
            "payments-api",
            {"type": "service", "lifecycle": "production", "owner": "team-a", "system": "payments"},
            [
                ("ownedBy", "group:default/team-a"),
                ("partOf", "system:default/payments"),
                ("providesApi", "api:default/payments"),
                ("dependencyOf", "component:default/Web-Frontend"),
            ],
            title="Payments API",
            description="Takes the money",
            tags=["python", "tier-1"],
        ),
        entity(
            "API",
            "payments",
            {"type": "openapi", "lifecycle": "production", "owner": "team-a", "definition": "x"},
            [
                ("ownedBy", "group:default/team-a"),
                ("apiProvidedBy", "component:default/payments-api"),
            ],
        ),
        entity(
            "Component",
            "Web-Frontend",
            {"type": "website", "lifecycle": "experimental", "owner": "group:team-b"},
            [
                ("ownedBy", "group:default/team-b"),
                ("dependsOn", "component:default/payments-api"),
                ("dependsOn", "resource:default/web-db"),
            ],
        ),
        {
            **entity(
                "Resource",
                "web-db",
                {"type": "database", "owner": "team-b"},
                [("ownedBy", "group:default/team-b")],
            ),
            "metadata": {"name": "web-db", "namespace": "default"},  # no managed-by annotation
        },
    ]
