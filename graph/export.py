"""Exports for other tools: GraphML (Gephi, yEd, networkx) and a plain JSON node/edge list."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from graph.loading import LABELS
from graph.model import CatalogGraph


class ExportFormat(StrEnum):
    graphml = "graphml"
    json = "json"


def graph_json(graph: CatalogGraph) -> dict[str, Any]:
    """``{"nodes": [{"ref", "kind", …, "missing"}], "edges": [{"source", "target",
    "relation"}]}``; an edge reads "source depends on target"."""
    refs = [node.ref for node in graph.nodes]
    a, b, label = graph.edges
    return {
        "nodes": [node._asdict() for node in graph.nodes],
        "edges": [
            {"source": refs[x], "target": refs[y], "relation": LABELS[z]}
            for x, y, z in zip(a, b, label, strict=True)
        ],
    }


def export_graph(graph: CatalogGraph, out: Path, fmt: ExportFormat) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is ExportFormat.graphml:
        import networkx as nx  # here, not at start-up: it costs every CLI command ~0.2 s

        nx.write_graphml(graph.digraph, out)
    else:
        out.write_text(json.dumps(graph_json(graph), indent=1) + "\n", encoding="utf-8")
