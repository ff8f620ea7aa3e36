"""Building the graph from the store, and a cache so it is rebuilt only when the data changed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from graph import loading
from graph.model import CatalogGraph

if TYPE_CHECKING:
    from catalog.store import Store  # not at run time: the CLI's graph commands never need it


def build_graph(con: duckdb.DuckDBPyConnection, *, with_networkx: bool = True) -> CatalogGraph:
    """Load nodes, edges and the owner/on-call/level lookups: one set-based query each."""
    views = loading.existing_views(con)
    graph = CatalogGraph.from_columns(loading.load_nodes(con), loading.load_edges(con))
    graph.fingerprint = loading.topology_fingerprint(con)
    graph.group_parents = loading.load_group_parents(con)
    load_annotations(con, graph, views)
    if with_networkx:
        _ = graph.digraph
    return graph


def load_annotations(
    con: duckdb.DuckDBPyConnection, graph: CatalogGraph, views: frozenset[str]
) -> None:
    """(Re)load owners, on-call and levels; each lookup is swapped in as a whole."""
    graph.owners = loading.load_owners(con, views)
    graph.oncall = loading.load_oncall(con, views)
    graph.levels = loading.load_levels(con, views)
    graph.annotations_fingerprint = loading.annotations_fingerprint(con, views)


def _connection(source: Store | duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return source if isinstance(source, duckdb.DuckDBPyConnection) else source.connection


def _database_key(con: duckdb.DuckDBPyConnection) -> str:
    found = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    path = found[0][0] if found else None
    return str(Path(path).resolve()) if path else f"memory:{id(con)}"


class GraphCache:
    """Keeps one graph per database file; rebuilds the topology only when entities or relations
    changed and reloads the owner/on-call/level lookups only when those views changed.

    A check costs one cheap fingerprint query (row count and max run id of ``entities`` and
    ``relations``) plus a hash over the small lookup views, so the API can call :meth:`get` on
    every request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._graphs: dict[str, CatalogGraph] = {}
        self.builds = 0
        """How many full builds this cache did (for tests and metrics)."""

    def get(self, source: Store | duckdb.DuckDBPyConnection) -> CatalogGraph:
        con = _connection(source)
        key = _database_key(con)
        with self._lock:
            graph = self._graphs.get(key)
            if graph is not None and graph.fingerprint == loading.topology_fingerprint(con):
                views = loading.existing_views(con)
                if graph.annotations_fingerprint != loading.annotations_fingerprint(con, views):
                    load_annotations(con, graph, views)
                return graph
            graph = build_graph(con)
            self.builds += 1
            self._graphs[key] = graph
            return graph

    def invalidate(self) -> None:
        with self._lock:
            self._graphs.clear()


_DEFAULT_CACHE = GraphCache()


def get_graph(source: Store | duckdb.DuckDBPyConnection) -> CatalogGraph:
    """The current graph of ``source``'s database, from the process-wide cache."""
    return _DEFAULT_CACHE.get(source)
