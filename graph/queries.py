"""Whole-graph questions: critical entities, cycles, risky dependencies, on-call coverage."""

from __future__ import annotations

from dataclasses import dataclass

from graph.model import CatalogGraph

RISKY_LIFECYCLES = frozenset({"deprecated", "experimental"})
COVERED_KINDS = frozenset({"component", "api", "resource", "system", "domain"})


@dataclass(frozen=True)
class Critical:
    ref: str
    kind: str
    dependents: int
    """How many entities are transitively impacted if this one fails."""


def critical_entities(graph: CatalogGraph, limit: int = 20) -> list[Critical]:
    """Entities with the most transitive dependents, most first (ties by ref).

    Counted on the condensation (one node per strongly connected component), in topological
    order, with each component's set of dependents as a Python-int bitset; a set is dropped as
    soon as everything that needs it has been counted, so memory stays near the DAG's width.
    """
    import networkx as nx  # here, not at start-up: it costs every CLI command ~0.2 s

    g = graph.digraph
    cond = nx.condensation(g)
    order = list(nx.topological_sort(cond))  # dependents before what they depend on
    members: dict[int, list[str]] = {c: sorted(cond.nodes[c]["members"]) for c in order}
    bit = 0
    masks: dict[int, int] = {}
    for c in order:
        size = len(members[c])
        masks[c] = ((1 << size) - 1) << bit
        bit += size
    pending = {c: cond.out_degree(c) for c in order}
    reach: dict[int, int] = {}
    counts: list[tuple[int, str]] = []
    for c in order:
        mask = masks[c]
        for p in cond.predecessors(c):
            mask |= reach[p]
            pending[p] -= 1
            if pending[p] == 0:
                del reach[p]
        if pending[c]:
            reach[c] = mask
        dependents = mask.bit_count() - 1
        counts.extend((dependents, ref) for ref in members[c])
    counts.sort(key=lambda item: (-item[0], item[1]))
    kinds = {node.ref: node.kind for node in graph.nodes}
    return [Critical(ref, kinds[ref], n) for n, ref in counts[:limit] if n > 0]


@dataclass(frozen=True)
class Cycle:
    members: list[str]
    """Every entity in the strongly connected component, sorted."""
    example: list[str]
    """One cycle through it, first entity repeated at the end."""


def dependency_cycles(graph: CatalogGraph) -> list[Cycle]:
    """Each group of entities that depend on each other (largest first), with one example."""
    import networkx as nx

    g = graph.digraph
    cycles: list[Cycle] = []
    for component in nx.strongly_connected_components(g):
        start = min(component)
        if len(component) == 1 and not g.has_edge(start, start):
            continue
        if g.has_edge(start, start):
            example = [start, start]
        else:  # the shortest way back to start from its first successor inside the group
            sub = g.subgraph(component)
            first = min(sub.successors(start))
            example = [start, *nx.shortest_path(sub, first, start)]
        cycles.append(Cycle(sorted(component), example))
    cycles.sort(key=lambda c: (-len(c.members), c.members[0]))
    return cycles


@dataclass(frozen=True)
class RiskyDependency:
    dependent: str
    dependency: str
    lifecycle: str
    via: str | None
    """The API between them, when the dependency is the provider of a consumed API."""


def production_on_risky(graph: CatalogGraph) -> list[RiskyDependency]:
    """Production components depending directly (or through one consumed API on its provider)
    on a deprecated or experimental entity."""
    nodes = graph.nodes
    out: list[RiskyDependency] = []
    for i, node in enumerate(nodes):
        if node.kind != "component" or node.lifecycle != "production":
            continue
        for j in graph.dependencies[i]:
            target = nodes[j]
            if target.lifecycle in RISKY_LIFECYCLES:
                out.append(RiskyDependency(node.ref, target.ref, target.lifecycle, None))
            if target.kind == "api":
                for k in graph.dependencies[j]:
                    provider = nodes[k]
                    if provider.lifecycle in RISKY_LIFECYCLES and k != i:
                        out.append(
                            RiskyDependency(node.ref, provider.ref, provider.lifecycle, target.ref)
                        )
    return out


def without_oncall_path(graph: CatalogGraph) -> list[str]:
    """Components, APIs, resources, systems and domains with no way to page anyone.

    An entity is covered when it has an on-call itself, when one of its owners or an ancestor
    group of one (``childOf``) has one, or when something it is part of (its parent component,
    system, domain) is covered.
    """
    oncall = graph.oncall
    group_memo: dict[str, bool] = {}

    def group_covered(ref: str, seen: frozenset[str] = frozenset()) -> bool:
        if ref in group_memo:
            return group_memo[ref]
        result = ref in oncall or any(
            group_covered(parent, seen | {ref})
            for parent in graph.group_parents.get(ref, ())
            if parent not in seen
        )
        group_memo[ref] = result
        return result

    memo: dict[int, bool] = {}
    wholes = graph.wholes

    def covered(i: int, seen: frozenset[int] = frozenset()) -> bool:
        if i in memo:
            return memo[i]
        ref = graph.nodes[i].ref
        result = (
            ref in oncall
            or any(group_covered(owner) for owner in graph.owners_of(ref))
            or any(covered(w, seen | {i}) for w in wholes.get(i, ()) if w not in seen)
        )
        memo[i] = result
        return result

    return [
        node.ref
        for i, node in enumerate(graph.nodes)
        if node.kind in COVERED_KINDS and not node.missing and not covered(i)
    ]
