"""Lenient ref lookup over the graph's nodes (missing entities included): the one algorithm of
``catalog.lookup`` (``name``, ``kind:name``, ``ns/name``, ``kind:ns/name``, any case)."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.lookup import DEFAULT_KIND, resolve_in
from graph.model import CatalogGraph


class GraphRefs:
    def __init__(self, graph: CatalogGraph) -> None:
        self.graph = graph

    def has(self, ref: str) -> bool:
        return ref in self.graph.ids

    def named(self, name: str) -> list[str]:
        return sorted(node.ref for node in self.graph.nodes if node.name.lower() == name)

    def all(self) -> Iterable[str]:
        return (node.ref for node in self.graph.nodes)

    def near(self, name: str) -> Iterable[str]:
        return self.all()


def resolve_ref(graph: CatalogGraph, text: str, *, default_kind: str = DEFAULT_KIND) -> str:
    """The canonical ref of the node ``text`` names, or :class:`UnknownEntityError`."""
    return resolve_in(GraphRefs(graph), text, default_kind=default_kind)
