"""The ``steward`` command line: a thin Typer layer over the same functions the API uses."""

from __future__ import annotations

import csv
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
from ingest.runner import RunOutcome
from ingest.source import ProgressCallback
from service.config import load_config
from service.ingestion import ingest

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


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
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
    format: Annotated[SqlFormat, typer.Option("--format", "-f")] = SqlFormat.table,
    max_rows: Annotated[int, typer.Option(help="Row cap.")] = 10_000,
) -> None:
    """Query the database read-only (anything but a SELECT is refused)."""
    try:
        result = run_readonly_query(load_config(config).database, query, max_rows=max_rows)
    except StewardError as exc:
        raise _fail(exc) from None
    if format is SqlFormat.json:
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
    elif format is SqlFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
    if result.truncated:
        err_console.print(f"[yellow]truncated at {max_rows} rows[/]")


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
