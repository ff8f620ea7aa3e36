"""The ``steward`` command line: a thin Typer layer over the same functions the API uses."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from catalog.check import check_paths
from catalog.errors import StewardError
from catalog.store import run_readonly_query
from catalog.store.readonly import connect_readonly
from ingest.runner import RunOutcome
from ingest.source import ProgressCallback
from service.config import load_config
from service.ingestion import ingest
from service.output import RowFormat, print_rows
from service.ownership import GAP_COLUMNS, ownership_gaps, ownership_of

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


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def _fail(exc: StewardError) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
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
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        for checked in report.files:
            mark = "[green]ok[/]" if checked.result.ok else "[red]FAIL[/]"
            console.print(
                f"{mark} {checked.key} ({len(checked.accepted)} entities)", highlight=False
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
                f"[yellow]conflict[/] {ref}: kept from {kept}, rejected in {rejected}",
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
            err_console.print(f"[red]{o.source}[/] {message}", highlight=False)
        if len(o.report.errors) > 50:
            err_console.print(f"[red]{o.source}[/] … and {len(o.report.errors) - 50} more errors")


def _run_ingest(config_path: Path | None, sources: list[str]) -> list[RunOutcome]:
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

        outcomes = ingest(config, only=sources, progress_for=progress_for)
    _print_outcomes(outcomes)
    return outcomes


@app.command("ingest")
def ingest_command(
    config: ConfigOption = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Run only this source (repeatable).")
    ] = None,
) -> None:
    """Run the configured sources once and store their snapshots."""
    try:
        outcomes = _run_ingest(config, source or [])
    except StewardError as exc:
        raise _fail(exc) from None
    if any(o.status == "failed" for o in outcomes):
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
    try:
        con = connect_readonly(load_config(config).database)
        try:
            result = ownership_of(con, ref)
        finally:
            con.close()
    except StewardError as exc:
        raise _fail(exc) from None
    if format is CheckFormat.json:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
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
    try:
        con = connect_readonly(load_config(config).database)
        try:
            gaps = ownership_gaps(con, team=team)
        finally:
            con.close()
    except StewardError as exc:
        raise _fail(exc) from None
    print_rows(
        console,
        GAP_COLUMNS,
        [[g[c] for c in GAP_COLUMNS] for g in gaps],
        format,
        title=f"ownership gaps ({len(gaps)})",
    )


@app.command("demo")
def demo(
    config: ConfigOption = None,
) -> None:
    """Ingest the bundled example organisation and print a summary (serving comes with the API)."""
    path = config or EXAMPLES / "steward.yaml"
    try:
        outcomes = _run_ingest(path, [])
        result = run_readonly_query(
            load_config(path).database,
            "SELECT kind, count(*) AS entities FROM entities GROUP BY 1 ORDER BY 2 DESC",
        )
    except StewardError as exc:
        raise _fail(exc) from None
    table = Table("kind", "entities", title="example organisation")
    for kind, count in result.rows:
        table.add_row(str(kind), str(count))
    console.print(table)
    console.print(
        "The HTTP API is not built yet; query the data with "
        f'[bold]steward sql --config {path} "SELECT …"[/].'
    )
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    app()
