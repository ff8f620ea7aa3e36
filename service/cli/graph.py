"""``steward graph``: blast radius, critical entities, cycles, exports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from catalog.errors import StewardError
from service.cli.common import (
    ConfigOption,
    console,
    err_console,
    fail,
    load,
    print_json,
    reading,
)
from service.output import RowFormat, print_rows

if TYPE_CHECKING:
    from graph import CatalogGraph

app = typer.Typer(
    help="Dependency graph: blast radius, critical entities, cycles, exports.",
    no_args_is_help=True,
)


class GraphFormat(StrEnum):
    table = "table"
    json = "json"


class DirectionChoice(StrEnum):
    """``graph.Direction``'s values (importing the graph package loads networkx: too slow for
    every start-up)."""

    dependents = "dependents"
    dependencies = "dependencies"


class ExportChoice(StrEnum):
    """``graph.ExportFormat``'s values."""

    graphml = "graphml"
    json = "json"


def _load_graph(config: Path | None, *, with_networkx: bool = False) -> CatalogGraph:
    """The graph from the cache file in the state directory when it matches the catalog (the
    first command after a change builds it and writes the file)."""
    from graph.cache_file import cached_graph

    state_dir = load(config, sources=False).resolved_state_dir
    with reading(config) as con:
        graph = cached_graph(con, state_dir)
    if with_networkx:
        _ = graph.digraph
    return graph


@app.command("blast-radius")
def graph_blast_radius(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    depth: Annotated[int | None, typer.Option("--depth", "-d", min=0, help="Max hops.")] = None,
    direction: Annotated[
        DirectionChoice, typer.Option("--direction", help="dependents: impacted if REF fails.")
    ] = DirectionChoice.dependents,
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.table,
    config: ConfigOption = None,
) -> None:
    """Everything impacted if REF fails (or, with --direction dependencies, what it needs)."""
    from graph import Direction, blast_radius

    try:
        result = blast_radius(
            _load_graph(config), ref, depth=depth, direction=Direction(direction.value)
        )
    except StewardError as exc:
        raise fail(exc) from None
    if format is GraphFormat.json:
        print_json(result.to_json())
        return
    rows = [
        [
            i.depth,
            i.ref + (" (missing)" if i.node.missing else ""),
            ", ".join(i.owners),
            "" if i.oncall is None else i.oncall.escalation_policy_name or i.oncall.service_name,
            "" if i.level is None else i.level,
            " -> ".join(i.path[1:-1]),
        ]
        for i in result.impacted
    ]
    columns = ["depth", "ref", "owners", "on-call", "level", "via"]
    print_rows(console, columns, rows, RowFormat.table, title=f"{direction.value} of {result.ref}")
    summary = result.summary()
    console.print(
        f"{summary['impacted']} impacted, {summary['production_components']} production "
        f"components, {len(summary['teams'])} teams, {len(summary['without_oncall'])} components "
        f"without on-call, {len(summary['missing'])} missing"
        + ("; REF is in a dependency cycle" if summary["in_cycle"] else ""),
        highlight=False,
    )


@app.command("critical")
def graph_critical(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 20,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Entities with the most transitive dependents."""
    from graph import critical_entities

    try:
        found = critical_entities(_load_graph(config, with_networkx=True), limit)
    except StewardError as exc:
        raise fail(exc) from None
    rows = [[c.ref, c.kind, c.dependents] for c in found]
    print_rows(console, ["ref", "kind", "dependents"], rows, format, title="most critical")


@app.command("cycles")
def graph_cycles(
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Groups of entities that depend on each other, with one example cycle each."""
    from graph import dependency_cycles

    try:
        found = dependency_cycles(_load_graph(config, with_networkx=True))
    except StewardError as exc:
        raise fail(exc) from None
    rows = [[len(c.members), " -> ".join(c.example), c.members] for c in found]
    print_rows(console, ["size", "example", "members"], rows, format, title="dependency cycles")


@app.command("risky")
def graph_risky(
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Production components depending on deprecated or experimental entities."""
    from graph import production_on_risky

    try:
        found = production_on_risky(_load_graph(config))
    except StewardError as exc:
        raise fail(exc) from None
    rows = [[r.dependent, r.dependency, r.lifecycle, r.via] for r in found]
    columns = ["dependent", "dependency", "lifecycle", "via"]
    print_rows(console, columns, rows, format, title="production on deprecated/experimental")


@app.command("no-oncall")
def graph_no_oncall(
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Entities with no path to an on-call (own, owner's, owner's parents', system's)."""
    from graph import without_oncall_path

    try:
        found = without_oncall_path(_load_graph(config))
    except StewardError as exc:
        raise fail(exc) from None
    print_rows(console, ["ref"], [[r] for r in found], format, title="no path to on-call")


@app.command("export")
def graph_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    format: Annotated[ExportChoice, typer.Option("--format", "-f")] = ExportChoice.graphml,
    config: ConfigOption = None,
) -> None:
    """Write the dependency graph as GraphML or JSON (an edge reads "source depends on target")."""
    from graph import ExportFormat, export_graph

    try:
        graph = _load_graph(config, with_networkx=format is ExportChoice.graphml)
    except StewardError as exc:
        raise fail(exc) from None
    export_graph(graph, out, ExportFormat(format.value))
    err_console.print(f"wrote {len(graph.nodes)} nodes, {graph.edge_count} edges to {out}")
