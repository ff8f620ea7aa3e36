"""The in-memory dependency graph: columns and compressed adjacency indexed by node id for the
hot paths, and a networkx DiGraph (built on first use) for exports and whole-graph algorithms.

An edge ``A -> B`` means *A depends on B*: if B fails, A is impacted. Edges come from
``dependsOn``/``dependencyOf``, ``consumesApi``/``apiConsumedBy`` (consumer -> API),
``apiProvidedBy``/``providesApi`` (API -> its provider) and ``hasPart``/``partOf``
(the whole -> its part: a system or a parent component is impacted when one of its parts fails,
so impact rolls up subcomponent -> component -> system -> domain).

Adjacency is kept as two ``array('i')`` per direction (offsets and targets, "CSR"): built from
the sorted edge columns without a Python object per edge, and written to or read from the
graph's cache file (``graph.cache_file``) as raw bytes.

Refs that relations name but no entity has become nodes with ``missing=True``, not errors.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, repeat
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from catalog.refs import EntityRefError, parse_entity_ref
from graph.loading import LABELS, EdgeColumns, NodeColumns, NodeRow, OnCall

if TYPE_CHECKING:
    import networkx as nx


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


class NodeTable(Sequence[Node]):
    """Nodes kept as columns; a :class:`Node` is made when one is read (a graph read from the
    cache file answers a blast radius without making 50,000 of them)."""

    __slots__ = ("_made", "columns")

    def __init__(self, columns: NodeColumns) -> None:
        self.columns = columns
        self._made: dict[int, Node] = {}

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> Node: ...
    @overload
    def __getitem__(self, index: slice) -> list[Node]: ...
    def __getitem__(self, index: int | slice) -> Node | list[Node]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        node = self._made.get(index)
        if node is None:
            if index < 0:
                index += len(self)
            node = Node.from_row(tuple(column[index] for column in self.columns))  # type: ignore[arg-type]
            self._made[index] = node
        return node

    def __iter__(self) -> Iterator[Node]:
        return map(Node.from_row, zip(*self.columns, strict=True))


class Adjacency(Sequence[Sequence[int]]):
    """id -> the ids it points to, sorted: ``targets[offsets[id]:offsets[id + 1]]``."""

    __slots__ = ("offsets", "targets")

    def __init__(self, offsets: array[int], targets: array[int]) -> None:
        self.offsets = offsets
        self.targets = targets

    @classmethod
    def from_sorted(cls, n: int, sources: Sequence[int], targets: array[int]) -> Adjacency:
        """From edge columns sorted by (source, target) (``sources`` in any order will do:
        only how often each id occurs is read from it)."""
        counts = Counter(sources)
        offsets = array("i", accumulate(map(counts.get, range(n), repeat(0)), initial=0))
        return cls(offsets, targets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> Sequence[int]: ...
    @overload
    def __getitem__(self, index: slice) -> list[Sequence[int]]: ...
    def __getitem__(self, index: int | slice) -> Sequence[int] | list[Sequence[int]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return self.targets[self.offsets[index] : self.offsets[index + 1]]


def adjacency_both_ways(n: int, edges: EdgeColumns) -> tuple[Adjacency, Adjacency]:
    """(dependencies, dependents) from edge columns sorted by (dependent, dependency)."""
    a, b, _ = edges
    dependencies = Adjacency.from_sorted(n, a, b if isinstance(b, array) else array("i", b))
    # A stable sort by dependency keeps the dependents of each in ascending order.
    order = sorted(range(len(b)), key=b.__getitem__)
    dependents = Adjacency.from_sorted(n, b, array("i", map(a.__getitem__, order)))
    return dependencies, dependents


@dataclass
class CatalogGraph:
    """Everything a blast-radius query needs, loaded once per build (``GraphCache`` builds again
    only when entities or relations changed)."""

    nodes: Sequence[Node]
    """Indexed by node id; ids follow sorted ref order."""
    dependencies: Sequence[Sequence[int]]
    """id -> ids it depends on, sorted."""
    dependents: Sequence[Sequence[int]]
    """id -> ids that depend on it, sorted."""
    edges: EdgeColumns
    """Parallel columns (dependent id, dependency id, label index), sorted by both ids."""
    group_parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """group ref -> parent group refs."""
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    oncall: Mapping[str, OnCall] = field(default_factory=dict)
    levels: Mapping[str, str] = field(default_factory=dict)
    fingerprint: tuple[Any, ...] = ()
    """Of the entities and relations this graph was built from."""
    annotations_fingerprint: tuple[Any, ...] = ()
    """Of the owner/on-call/level views its lookups were loaded from."""

    @classmethod
    def from_columns(cls, columns: NodeColumns, edges: EdgeColumns) -> CatalogGraph:
        nodes = list(map(Node.from_row, zip(*columns, strict=True)))
        return cls.from_nodes(nodes, edges)

    @classmethod
    def from_nodes(cls, nodes: Sequence[Node], edges: EdgeColumns) -> CatalogGraph:
        dependencies, dependents = adjacency_both_ways(len(nodes), edges)
        return cls(nodes=nodes, dependencies=dependencies, dependents=dependents, edges=edges)

    @cached_property
    def ids(self) -> dict[str, int]:
        refs = self.nodes.columns[0] if isinstance(self.nodes, NodeTable) else self.refs
        return dict(zip(refs, range(len(refs)), strict=True))

    @property
    def refs(self) -> list[str]:
        if isinstance(self.nodes, NodeTable):
            return self.nodes.columns[0]
        return [node.ref for node in self.nodes]

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
        import networkx as nx  # only here: importing it costs a CLI command ~0.2 s

        g = nx.DiGraph()
        refs = self.refs
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
