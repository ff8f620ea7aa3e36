"""Blast radius: what is impacted if REF fails (or, reversed, what REF depends on).

A breadth-first walk over precomputed id adjacency (plain lists, no networkx on this path), so
each impacted entity comes with its shortest depth and one shortest path; visited ids make
cycles terminate. Owners, on-call and levels come from the lookups loaded with the graph: no
query per impacted entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.loading import OnCall
from graph.model import CatalogGraph, Node
from graph.resolve import resolve_ref

PRODUCTION = "production"


class Direction(StrEnum):
    dependents = "dependents"
    """Who is impacted if REF fails (transitive dependents)."""
    dependencies = "dependencies"
    """What REF depends on (transitively)."""


@dataclass(frozen=True)
class Impacted:
    node: Node
    depth: int
    path: tuple[str, ...]
    """From this entity to REF, following the edges walked."""
    owners: tuple[str, ...]
    oncall: OnCall | None
    level: str | None
    """Readiness level from scorecards; ``None`` while no scorecard has rated the entity."""

    @property
    def ref(self) -> str:
        return self.node.ref

    @property
    def is_production_component(self) -> bool:
        return self.node.kind == "component" and self.node.lifecycle == PRODUCTION

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ref": self.node.ref,
            "depth": self.depth,
            "path": list(self.path),
            "owners": list(self.owners),
            "oncall": None if self.oncall is None else self.oncall.to_json(),
            "level": self.level,
        }
        if self.node.missing:
            out["missing"] = True
        return out


@dataclass(frozen=True)
class BlastRadius:
    ref: str
    direction: Direction
    depth_limit: int | None
    impacted: list[Impacted]
    """Sorted by depth, then ref."""
    in_cycle: bool
    """REF was reached again from itself (within the depth walked)."""

    def summary(self) -> dict[str, Any]:
        teams: dict[str | None, dict[str, Any]] = {}
        without_oncall: list[str] = []
        kinds: dict[str, int] = {}
        for item in self.impacted:
            kinds[item.node.kind] = kinds.get(item.node.kind, 0) + 1
            production = item.is_production_component
            no_oncall = item.node.kind == "component" and not item.node.missing and not item.oncall
            if no_oncall:
                without_oncall.append(item.ref)
            for team in item.owners or (None,):
                entry = teams.setdefault(
                    team,
                    {"team": team, "impacted": 0, "production_components": 0, "without_oncall": []},
                )
                entry["impacted"] += 1
                entry["production_components"] += production
                if no_oncall:
                    entry["without_oncall"].append(item.ref)
        return {
            "direction": self.direction.value,
            "depth_limit": self.depth_limit,
            "impacted": len(self.impacted),
            "max_depth": max((i.depth for i in self.impacted), default=0),
            "by_kind": dict(sorted(kinds.items())),
            "production_components": sum(i.is_production_component for i in self.impacted),
            "teams": sorted(teams.values(), key=lambda t: (-t["impacted"], t["team"] or "~")),
            "without_oncall": without_oncall,
            "unowned": [i.ref for i in self.impacted if not i.owners and not i.node.missing],
            "missing": [i.ref for i in self.impacted if i.node.missing],
            "in_cycle": self.in_cycle,
        }

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md contract: ``{"ref", "impacted": [...], "summary": {...}}``."""
        return {
            "ref": self.ref,
            "impacted": [item.to_json() for item in self.impacted],
            "summary": self.summary(),
        }


def walk(
    graph: CatalogGraph, start: int, direction: Direction, depth_limit: int | None
) -> tuple[dict[int, int], list[tuple[int, int]], bool]:
    """BFS from ``start``: (parent per reached id, [(id, depth)] in visit order, in_cycle)."""
    adjacency = graph.dependents if direction is Direction.dependents else graph.dependencies
    parent: dict[int, int] = {start: -1}
    order: list[tuple[int, int]] = []
    frontier = [start]
    depth = 0
    while frontier and (depth_limit is None or depth < depth_limit):
        depth += 1
        reached: list[int] = []
        for u in frontier:
            for v in adjacency[u]:
                if v not in parent:
                    parent[v] = u
                    reached.append(v)
        order.extend((v, depth) for v in reached)
        frontier = reached
    back = graph.dependencies if direction is Direction.dependents else graph.dependents
    in_cycle = any(v in parent for v in back[start])
    return parent, order, in_cycle


def blast_radius(
    graph: CatalogGraph,
    ref: str,
    *,
    depth: int | None = None,
    direction: Direction = Direction.dependents,
) -> BlastRadius:
    """Everything impacted if ``ref`` fails (or that it depends on), up to ``depth`` hops.

    ``ref`` is resolved leniently (see :mod:`graph.resolve`); an unknown one raises
    :class:`catalog.errors.UnknownEntityError` with close names.
    """
    if depth is not None and depth < 0:
        raise ValueError("depth must be >= 0")
    direction = Direction(direction)
    canonical = resolve_ref(graph, ref)
    start = graph.ids[canonical]
    parent, order, in_cycle = walk(graph, start, direction, depth)
    nodes = graph.nodes
    paths: dict[int, tuple[str, ...]] = {start: (canonical,)}
    owners, oncall, levels = graph.owners, graph.oncall, graph.levels
    impacted: list[Impacted] = []
    for v, d in sorted(order, key=lambda item: (item[1], item[0])):
        node = nodes[v]
        ref_v = node.ref
        path = paths[v] = (ref_v, *paths[parent[v]])
        node_owners = owners.get(ref_v) or ((node.owner,) if node.owner else ())
        impacted.append(Impacted(node, d, path, node_owners, oncall.get(ref_v), levels.get(ref_v)))
    return BlastRadius(canonical, direction, depth, impacted, in_cycle)
