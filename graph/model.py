"""The in-memory dependency graph: plain lists indexed by node id for the hot paths, and a
networkx DiGraph (built on first use) for exports and whole-graph algorithms.

An edge ``A -> B`` means *A depends on B*: if B fails, A is impacted. Edges come from
``dependsOn``/``dependencyOf``, ``consumesApi``/``apiConsumedBy`` (consumer -> API),
``apiProvidedBy``/``providesApi`` (API -> its provider) and ``hasPart``/``partOf``
(the whole -> its part: a system or a parent component is impacted when one of its parts fails,
so impact rolls up subcomponent -> component -> system -> domain).

Refs that relations name but no entity has become nodes with ``missing=True``, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import networkx as nx

from catalog.refs import EntityRefError, parse_entity_ref
from graph.loading import LABELS, EdgeColumns, NodeRow, OnCall


class Node(NamedTuple):
    ref: str
    kind: str
    namespace: str
    name: str
    owner: str | None
    lifecycle: str | None
    type: str | None
    missing: bool

    @classmethod
    def from_row(cls, row: NodeRow) -> Node:
        if not row[7]:
            return cls._make(row)
        ref = row[0]
        try:
            parsed = parse_entity_ref(ref)
            kind, namespace, name = parsed.kind, parsed.namespace, parsed.name
        except EntityRefError:
            kind, namespace, name = "unknown", "default", ref
        return cls(ref, kind.lower(), namespace.lower(), name, None, None, None, True)

    def attributes(self) -> dict[str, Any]:
        """Node attributes for networkx/GraphML (no ``None`` values: GraphML has no null)."""
        return {k: v for k, v in self._asdict().items() if v is not None and k != "ref"}


@dataclass
class CatalogGraph:
    """Everything a blast-radius query needs, loaded once per build (``GraphCache`` builds again
    only when entities or relations changed)."""

    nodes: list[Node]
    """Indexed by node id; ids follow sorted ref order."""
    dependencies: list[tuple[int, ...]]
    """id -> ids it depends on, sorted."""
    dependents: list[tuple[int, ...]]
    """id -> ids that depend on it, sorted."""
    edges: EdgeColumns
    group_parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """group ref -> parent group refs."""
    owners: dict[str, tuple[str, ...]] = field(default_factory=dict)
    oncall: dict[str, OnCall] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    fingerprint: tuple[Any, ...] = ()
    """Of the entities and relations this graph was built from."""
    annotations_fingerprint: tuple[Any, ...] = ()
    """Of the owner/on-call/level views its lookups were loaded from."""

    @classmethod
    def from_rows(cls, node_rows: list[NodeRow], edges: EdgeColumns) -> CatalogGraph:
        nodes = list(map(Node.from_row, node_rows))
        n = len(nodes)
        dependencies: list[list[int]] = [[] for _ in range(n)]
        dependents: list[list[int]] = [[] for _ in range(n)]
        # Rows are sorted by (dependent, dependency), so both lists come out sorted.
        for a, b in zip(edges[0], edges[1], strict=True):
            dependencies[a].append(b)
            dependents[b].append(a)
        empty: tuple[int, ...] = ()
        return cls(
            nodes=nodes,
            dependencies=[tuple(x) if x else empty for x in dependencies],
            dependents=[tuple(x) if x else empty for x in dependents],
            edges=edges,
        )

    @cached_property
    def ids(self) -> dict[str, int]:
        return {node.ref: i for i, node in enumerate(self.nodes)}

    def owners_of(self, ref: str) -> tuple[str, ...]:
        """Owners from the ownership model, else the catalog ``spec.owner``."""
        owners = self.owners.get(ref)
        if owners:
            return owners
        i = self.ids.get(ref)
        owner = None if i is None else self.nodes[i].owner
        return (owner,) if owner else ()

    @cached_property
    def digraph(self) -> nx.DiGraph:
        """The networkx view: nodes keyed by ref with their attributes, edges with
        ``relation`` (dependsOn, consumesApi, apiProvidedBy or hasPart)."""
        g = nx.DiGraph()
        refs = [node.ref for node in self.nodes]
        g.add_nodes_from((node.ref, node.attributes()) for node in self.nodes)
        labels = [{"relation": label} for label in LABELS]
        a, b, label = self.edges
        g.add_edges_from((refs[x], refs[y], labels[z]) for x, y, z in zip(a, b, label, strict=True))
        return g

    @cached_property
    def wholes(self) -> dict[int, tuple[int, ...]]:
        """id -> ids of what it is part of (its system, parent component, domain)."""
        has_part = LABELS.index("hasPart")
        out: dict[int, list[int]] = {}
        for a, b, label in zip(*self.edges, strict=True):
            if label == has_part:
                out.setdefault(b, []).append(a)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def edge_count(self) -> int:
        return len(self.edges[0])
