"""The ``steward`` command line: a thin Typer layer over the same functions the API uses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from catalog.check import check_paths
from catalog.errors import ConfigError, StewardError
from catalog.store import Store, run_readonly_query
from catalog.store.readonly import connect_readonly
from graph import (
    CatalogGraph,
    Direction,
    ExportFormat,
    blast_radius,
    build_graph,
    critical_entities,
    dependency_cycles,
    export_graph,
    production_on_risky,
    without_oncall_path,
)
from ingest.runner import RunOutcome
from ingest.source import ProgressCallback
from scorecards import run_scorecards
from scorecards.queries import (
    DIFF_COLUMNS,
    parse_since,
    scorecard_diff,
    scorecards_of,
    team_scorecard,
)
from service.config import load_config
from service.demo import local_fakes
from service.ingestion import ingest
from service.output import RowFormat, print_rows
from service.ownership import GAP_COLUMNS, ownership_gaps, ownership_of
from service.steward_service import PipelineRun

app = typer.Typer(
    help="Steward: Backstage-compatible catalog ingestion, ownership and scorecards.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(
    help="Catalog files, validated exactly as Backstage would.", no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")

console = Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="steward.yaml (default ./steward.yaml or $STEWARD_CONFIG)"),
]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
T = TypeVar("T")


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def _read(config: Path | None, query: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run ``query`` on a read-only connection to the configured database; errors exit 2."""
    try:
        con = connect_readonly(load_config(config).database)
        try:
            return query(con)
        finally:
            con.close()
    except StewardError as exc:
        raise _fail(exc) from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def _fail(exc: StewardError) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    return typer.Exit(2)


@catalog_app.command("check")
def catalog_check(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (every *.yaml/*.yml).")],
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.text,
) -> None:
    """Validate catalog files; exit 1 if any file is not ok."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[bold red]error:[/] no such file or directory: {', '.join(missing)}")
        raise typer.Exit(2)
    report = check_paths(paths)
    if format is CheckFormat.json:
        _print_json(report.to_json())
    else:
        for checked in report.files:
            mark = "[green]ok[/]" if checked.result.ok else "[red]FAIL[/]"
            console.print(
                f"{mark} {escape(checked.key)} ({len(checked.accepted)} entities)", highlight=False
            )
            for problem in report.problems(checked):
                console.print(
                    f"   {problem.render(checked.key)}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
        for ref, kept, rejected in report.conflicts:
            console.print(
                "[yellow]conflict[/] " + escape(f"{ref}: kept from {kept}, rejected in {rejected}"),
                highlight=False,
            )
        bad = sum(1 for f in report.files if not f.result.ok)
        console.print(
            f"{len(report.files)} files, {bad} not ok, "
            f"{sum(len(f.accepted) for f in report.files)} entities accepted, "
            f"{len(report.relations)} relations, {len(report.conflicts)} conflicts"
        )
    if not report.ok:
        raise typer.Exit(1)


def _print_outcomes(outcomes: list[RunOutcome]) -> None:
    table = Table(title="ingest summary")
    for column in ("source", "run", "status", "counts", "warnings", "errors"):
        table.add_column(column)
    for o in outcomes:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(o.report.counts.items()))
        style = {"ok": "green", "unchanged": "cyan", "failed": "red"}[o.status]
        table.add_row(
            o.source,
            str(o.run_id),
            f"[{style}]{o.status}[/]",
            counts,
            str(len(o.report.warnings)),
            str(len(o.report.errors)),
        )
    console.print(table)
    for o in outcomes:
        for message in o.report.errors[:50]:
            err_console.print(f"[red]{o.source}[/] {escape(message)}", highlight=False)
        if len(o.report.errors) > 50:
            err_console.print(f"[red]{o.source}[/] … and {len(o.report.errors) - 50} more errors")


def _run_ingest(
    config_path: Path | None, sources: list[str], *, scorecards: bool = False
) -> PipelineRun:
    config = load_config(config_path)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:

        def progress_for(name: str) -> ProgressCallback:
            task = progress.add_task(name, total=None)

            def advance(step: int, total: int | None) -> None:
                if total is not None:
                    progress.update(task, total=total)
                progress.advance(task, step)

            return advance

        run = ingest(config, only=sources, progress_for=progress_for, scorecards=scorecards)
    _print_outcomes(run.outcomes)
    for error in run.errors:
        err_console.print(f"[red]pipeline[/] {escape(error)}", highlight=False)
    return run


@app.command("ingest")
def ingest_command(
    config: ConfigOption = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Run only this source (repeatable).")
    ] = None,
) -> None:
    """Run the configured sources once and store their snapshots."""
    try:
        run = _run_ingest(config, source or [])
    except StewardError as exc:
        raise _fail(exc) from None
    if not run.ok:
        raise typer.Exit(1)


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="One read-only SELECT over Steward's views.")],
    config: ConfigOption = None,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    max_rows: Annotated[int, typer.Option(help="Row cap.")] = 10_000,
) -> None:
    """Query the database read-only (anything but a SELECT is refused)."""
    try:
        result = run_readonly_query(load_config(config).database, query, max_rows=max_rows)
    except StewardError as exc:
        raise _fail(exc) from None
    print_rows(console, result.columns, result.rows, format)
    if result.truncated:
        err_console.print(f"[yellow]truncated at {max_rows} rows[/]")


ownership_app = typer.Typer(help="Who owns what, according to every source.", no_args_is_help=True)
app.add_typer(ownership_app, name="ownership")


@ownership_app.command("show")
def ownership_show(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    config: ConfigOption = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.text,
) -> None:
    """The resolved owner of REF and every claim, with its evidence."""
    result = _read(config, lambda con: ownership_of(con, ref))
    if format is CheckFormat.json:
        _print_json(result)
        return
    console.print(
        f"[bold]{result['ref']}[/]  owner: [bold]{result['owner'] or '-'}[/] "
        f"(from {result['resolved_from'] or 'no claim'})",
        highlight=False,
    )
    console.print(
        f"agreeing sources: {', '.join(result['agreeing_sources'] or []) or '-'}; "
        f"disagreeing: {', '.join(result['disagreeing_sources'] or []) or '-'}",
        highlight=False,
    )
    claim_columns = ["role", "owner", "owner_raw", "source", "evidence", "observed_at"]
    print_rows(
        console,
        claim_columns,
        [[c[k] for k in claim_columns] for c in result["claims"]],
        RowFormat.table,
        title="claims",
    )
    if result["gaps"]:
        gap_columns = ["gap", "detail", "evidence", "first_seen"]
        print_rows(
            console,
            gap_columns,
            [[g[k] for k in gap_columns] for g in result["gaps"]],
            RowFormat.table,
            title="gaps",
        )


@ownership_app.command("gaps")
def ownership_gaps_command(
    config: ConfigOption = None,
    team: Annotated[
        str | None, typer.Option(help="Only this group and the groups below it.")
    ] = None,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
) -> None:
    """Open ownership gaps, with when each was first and last seen."""
    gaps = _read(config, lambda con: ownership_gaps(con, team=team))
    print_rows(
        console,
        GAP_COLUMNS,
        [[g[c] for c in GAP_COLUMNS] for g in gaps],
        format,
        title=f"ownership gaps ({len(gaps)})",
    )


graph_app = typer.Typer(
    help="Dependency graph: blast radius, critical entities, cycles, exports.",
    no_args_is_help=True,
)
app.add_typer(graph_app, name="graph")


class GraphFormat(StrEnum):
    table = "table"
    json = "json"


def _load_graph(config: Path | None, *, with_networkx: bool = False) -> CatalogGraph:
    con = connect_readonly(load_config(config).database)
    try:
        return build_graph(con, with_networkx=with_networkx)
    finally:
        con.close()


@graph_app.command("blast-radius")
def graph_blast_radius(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    depth: Annotated[int | None, typer.Option("--depth", "-d", min=0, help="Max hops.")] = None,
    direction: Annotated[
        Direction, typer.Option("--direction", help="dependents: impacted if REF fails.")
    ] = Direction.dependents,
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.table,
    config: ConfigOption = None,
) -> None:
    """Everything impacted if REF fails (or, with --direction dependencies, what it needs)."""
    try:
        result = blast_radius(_load_graph(config), ref, depth=depth, direction=direction)
    except StewardError as exc:
        raise _fail(exc) from None
    if format is GraphFormat.json:
        _print_json(result.to_json())
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


@graph_app.command("critical")
def graph_critical(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 20,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Entities with the most transitive dependents."""
    try:
        found = critical_entities(_load_graph(config, with_networkx=True), limit)
    except StewardError as exc:
        raise _fail(exc) from None
    rows = [[c.ref, c.kind, c.dependents] for c in found]
    print_rows(console, ["ref", "kind", "dependents"], rows, format, title="most critical")


@graph_app.command("cycles")
def graph_cycles(
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Groups of entities that depend on each other, with one example cycle each."""
    try:
        found = dependency_cycles(_load_graph(config, with_networkx=True))
    except StewardError as exc:
        raise _fail(exc) from None
    rows = [[len(c.members), " -> ".join(c.example), c.members] for c in found]
    print_rows(console, ["size", "example", "members"], rows, format, title="dependency cycles")


@graph_app.command("risky")
def graph_risky(
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Production components depending on deprecated or experimental entities."""
    try:
        found = production_on_risky(_load_graph(config))
    except StewardError as exc:
        raise _fail(exc) from None
    rows = [[r.dependent, r.dependency, r.lifecycle, r.via] for r in found]
    columns = ["dependent", "dependency", "lifecycle", "via"]
    print_rows(console, columns, rows, format, title="production on deprecated/experimental")


@graph_app.command("no-oncall")
def graph_no_oncall(
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """Entities with no path to an on-call (own, owner's, owner's parents', system's)."""
    try:
        found = without_oncall_path(_load_graph(config))
    except StewardError as exc:
        raise _fail(exc) from None
    print_rows(console, ["ref"], [[r] for r in found], format, title="no path to on-call")


@graph_app.command("export")
def graph_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.graphml,
    config: ConfigOption = None,
) -> None:
    """Write the dependency graph as GraphML or JSON (an edge reads "source depends on target")."""
    try:
        graph = _load_graph(config, with_networkx=format is ExportFormat.graphml)
    except StewardError as exc:
        raise _fail(exc) from None
    export_graph(graph, out, format)
    err_console.print(f"wrote {len(graph.nodes)} nodes, {graph.edge_count} edges to {out}")


scorecard_app = typer.Typer(
    help="Readiness scorecards: run, show an entity or a team, what changed.",
    no_args_is_help=True,
)
app.add_typer(scorecard_app, name="scorecard")


@scorecard_app.command("run")
def scorecard_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Evaluate and print level changes; store nothing.")
    ] = False,
    scorecard: Annotated[
        list[str] | None,
        typer.Option("--scorecard", "-s", help="Only this scorecard (repeatable)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Evaluate every scorecard (definitions: the `scorecards:` directory) and store the run."""
    try:
        cfg = load_config(config)
        if cfg.scorecards is None:
            raise ConfigError("no `scorecards:` directory in the config")
        with Store(cfg.database) as store:
            result = run_scorecards(
                store,
                cfg.scorecards,
                only=scorecard or [],
                dry_run=dry_run,
                stale_after_days=cfg.ownership.stale_after_days,
            )
    except StewardError as exc:
        raise _fail(exc) from None
    rows = [
        [
            s.id,
            s.entities,
            ", ".join(f"{k} {v}" for k, v in s.level_counts.items()),
            s.average_score,
            ", ".join(f"{k} {v}" for k, v in s.states.items()),
        ]
        for s in result.summaries
    ]
    title = "dry run (nothing stored)" if dry_run else f"scorecard run {result.run_id}"
    columns = ["scorecard", "entities", "levels", "avg score", "results"]
    title += f": {result.result_count} results, {result.seconds:.2f} s"
    print_rows(console, columns, rows, RowFormat.table, title=title)
    for x in result.expired:
        err_console.print(
            "[yellow]expired exemption[/] "
            + escape(
                f"{x.file}:{x.line}: {x.subject} / {x.check} (expired {x.expires}): {x.reason}"
            ),
            highlight=False,
        )
    verb = "would change" if dry_run else "changed"
    changes = [
        [c.scorecard, c.ref, c.direction, c.before or "-", c.after or "-", c.owner or ""]
        for c in result.changes
    ]
    if changes:
        columns = ["scorecard", "ref", "change", "before", "after", "owner"]
        title = f"levels that {verb} since the last stored run"
        print_rows(console, columns, changes, RowFormat.table, title=title)
    else:
        console.print(f"no entity's level {verb} since the last stored run")


@scorecard_app.command("show")
def scorecard_show(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.text,
    config: ConfigOption = None,
) -> None:
    """REF's level and score in every scorecard, each check with its evidence and exemption."""
    found = _read(config, lambda con: scorecards_of(con, ref))
    if format is CheckFormat.json:
        _print_json(found)
        return
    if not found["scorecards"]:
        console.print(f"{found['ref']} is in no scorecard's latest run", highlight=False)
    for card in found["scorecards"]:
        console.print(
            f"[bold]{escape(card['title'])}[/] ({card['scorecard']}): level "
            f"[bold]{card['level'] or 'none'}"
            f"[/] of {', '.join(card['levels'])}, score {card['score']}",
            highlight=False,
        )
        columns = ["level", "check_id", "state", "evidence", "exemption_reason"]
        rows = [[c[k] for k in columns] for c in card["checks"]]
        print_rows(console, columns, rows, RowFormat.table)
    for x in found["expired_exemptions"]:
        console.print(
            "[yellow]expired exemption[/] "
            + escape(f"{x['check_id']} ({x['expires']}): {x['reason']}"),
            highlight=False,
        )


@scorecard_app.command("team")
def scorecard_team(
    ref: Annotated[str, typer.Argument(help="Group ref; its roll-up includes every group below.")],
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """A team's (or department's) scorecards rolled up the group tree, and its entities."""
    found = _read(config, lambda con: team_scorecard(con, ref))
    if format is RowFormat.json:
        _print_json(found)
        return
    for key, title in (("scorecards", f"{found['team']}: roll-up"), ("entities", "entities")):
        rows = found[key]
        columns = list(rows[0]) if rows else ["scorecard"]
        print_rows(console, columns, [list(r.values()) for r in rows], format, title=title)


@scorecard_app.command("diff")
def scorecard_diff_command(
    since: Annotated[str, typer.Option("--since", help="e.g. 24h, 7d, 2w")] = "7d",
    team: Annotated[str | None, typer.Option(help="Only this group and those below.")] = None,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """What got better or worse per entity and per team since then."""
    found = _read(config, lambda con: scorecard_diff(con, parse_since(since), team=team))
    if format is RowFormat.json:
        _print_json(found)
        return
    ents = [[e[c] for c in DIFF_COLUMNS] for e in found["entities"]]
    print_rows(console, DIFF_COLUMNS, ents, format, title=f"changes since {found['since']:%F %R}")
    if found["teams"]:
        columns = list(found["teams"][0])
        rows = [list(t.values()) for t in found["teams"]]
        print_rows(console, columns, rows, format, title="per team (rolled up)")


@app.command("demo")
def demo(
    config: ConfigOption = None,
) -> None:
    """Ingest the bundled example organisation, score it and print a summary (serving comes with
    the API)."""
    path = config or EXAMPLES / "steward.yaml"
    summary = [
        "SELECT 'entities: ' || kind, count(*) FROM entities GROUP BY 1",
        "SELECT 'gaps: ' || gap, count(*) FROM ownership_gaps GROUP BY 1",
        "SELECT 'cloud resources', count(*) FROM cloud_resources",
        "SELECT 'pagerduty services', count(*) FROM pagerduty_services",
    ]
    try:
        with local_fakes(path.parent):
            run = _run_ingest(path, [], scorecards=True)
        cfg = load_config(path)
        if cfg.scorecards is not None:
            summary.append(
                "SELECT 'readiness: ' || scorecard || ' ' || coalesce(level, 'none'), count(*) "
                "FROM scorecard_scores GROUP BY 1"
            )
        result = run_readonly_query(cfg.database, " UNION ALL ".join(summary) + " ORDER BY 1")
    except StewardError as exc:
        raise _fail(exc) from None
    print_rows(
        console, ["what", "count"], result.rows, RowFormat.table, title="example organisation"
    )
    console.print(
        "The HTTP API is not built yet; explore the data with "
        f'[bold]steward sql --config {path} "SELECT …"[/], '
        f"[bold]steward ownership gaps --config {path}[/], "
        f"[bold]steward graph blast-radius REF --config {path}[/] and "
        f"[bold]steward scorecard show REF --config {path}[/]."
    )
    if not run.ok:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    app()
