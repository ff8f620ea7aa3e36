"""The dependency graph of the store's entities and relations; answers blast-radius questions.

``GraphCache`` (and ``get_graph(store)`` on top of it) returns a cached graph, rebuilt only when
entities or relations changed: the service's pipeline asks for it after every ingest
(``StewardService.graph()``), so the API reads a graph that is at most one ingest old; the CLI
builds one per command with ``build_graph``. ``blast_radius(graph, ref)`` and the whole-graph
queries take that graph.
"""

from graph.blast import BlastRadius, Direction, Impacted, blast_radius
from graph.build import GraphCache, build_graph, get_graph
from graph.export import ExportFormat, export_graph, graph_json
from graph.loading import OnCall
from graph.model import CatalogGraph, Node
from graph.queries import (
    Critical,
    Cycle,
    RiskyDependency,
    critical_entities,
    dependency_cycles,
    production_on_risky,
    without_oncall_path,
)
from graph.resolve import resolve_ref

__all__ = [
    "BlastRadius",
    "CatalogGraph",
    "Critical",
    "Cycle",
    "Direction",
    "ExportFormat",
    "GraphCache",
    "Impacted",
    "Node",
    "OnCall",
    "RiskyDependency",
    "blast_radius",
    "build_graph",
    "critical_entities",
    "dependency_cycles",
    "export_graph",
    "get_graph",
    "graph_json",
    "production_on_risky",
    "resolve_ref",
    "without_oncall_path",
]
