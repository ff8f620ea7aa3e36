"""Whole-graph queries, exports and the rebuild-only-on-change cache."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from catalog.store import Store
from graph import (
    GraphCache,
    OnCall,
    RiskyDependency,
    build_graph,
    critical_entities,
    dependency_cycles,
    export_graph,
    production_on_risky,
    without_oncall_path,
)
from graph.export import ExportFormat
from tests.graph.conftest import ingest

C = "component:default/"


def test_critical_entities_count_transitive_dependents(store: Store) -> None:
    top = critical_entities(build_graph(store.connection), limit=3)
    assert [(c.ref, c.dependents) for c in top] == [
        ("resource:default/orders-db", 9),
        (C + "orders", 6),
        ("api:default/orders-api", 4),  # checkout, web, shop, commerce
    ]


def test_cycles(store: Store) -> None:
    [cycle] = dependency_cycles(build_graph(store.connection))
    assert cycle.members == [C + "cyc-a", C + "cyc-b"]
    assert cycle.example == [C + "cyc-a", C + "cyc-b", C + "cyc-a"]


def test_production_on_deprecated_or_experimental(store: Store) -> None:
    assert production_on_risky(build_graph(store.connection)) == [
        RiskyDependency(C + "checkout", C + "checkout-worker", "experimental", None),
        RiskyDependency(C + "web", C + "legacy", "deprecated", None),
    ]


def test_no_path_to_oncall(store: Store) -> None:
    graph = build_graph(store.connection)
    everything = without_oncall_path(graph)
    assert C + "orders" in everything and "system:default/shop" in everything
    assert C + "ghost" not in everything  # missing nodes are not entities to fix
    graph.oncall = {
        "group:default/org": OnCall(None, None, "E", "org", 1, ()),  # covers team-a via parent
    }
    assert without_oncall_path(graph) == []
    graph.oncall = {"system:default/shop": OnCall(None, None, "E", "shop", 1, ())}
    # parts of shop are covered, checkout-worker through checkout; the rest is not
    assert without_oncall_path(graph) == [
        C + "cyc-a",
        C + "cyc-b",
        C + "legacy",
        C + "web",
        "component:finance/billing",
        "domain:default/commerce",
    ]


def test_cache_rebuilds_only_when_relations_change(store: Store, tmp_path: Path) -> None:
    cache = GraphCache()
    first = cache.get(store)
    assert cache.get(store) is first and cache.builds == 1
    ingest(store, tmp_path / "repos", tmp_path / "state")  # unchanged tree: nothing stored
    assert cache.get(store) is first and cache.builds == 1
    extra = tmp_path / "repos" / "new" / "catalog-info.yaml"
    extra.parent.mkdir()
    extra.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: new\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        "  dependsOn: [component:orders]\n"
    )
    ingest(store, tmp_path / "repos", tmp_path / "state")
    second = cache.get(store)
    assert second is not first and cache.builds == 2
    assert C + "new" in second.ids


def test_exports(store: Store, tmp_path: Path) -> None:
    graph = build_graph(store.connection)
    export_graph(graph, tmp_path / "g.graphml", ExportFormat.graphml)
    loaded = nx.read_graphml(tmp_path / "g.graphml")
    assert loaded.has_edge(C + "web", C + "checkout")
    assert loaded.nodes[C + "ghost"]["missing"] is True
    assert loaded.edges[C + "checkout", "api:default/orders-api"]["relation"] == "consumesApi"
    export_graph(graph, tmp_path / "g.json", ExportFormat.json)
    data = json.loads((tmp_path / "g.json").read_text())
    assert {"source": C + "web", "target": C + "legacy", "relation": "dependsOn"} in data["edges"]
    assert len(data["nodes"]) == len(graph.nodes) and len(data["edges"]) == graph.edge_count
