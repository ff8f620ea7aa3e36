"""``steward ingest``: run the configured sources once (the pipeline without scoring)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from catalog.errors import StewardError
from service.cli.common import ConfigOption, console, err_console, fail, load

if TYPE_CHECKING:
    from ingest.runner import RunOutcome
    from service.config import StewardConfig
    from service.steward_service import PipelineRun, StewardService


def print_outcomes(outcomes: list[RunOutcome]) -> None:
    from rich.table import Table

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


def run_ingest(
    config: StewardConfig,
    sources: list[str],
    *,
    scorecards: bool = False,
    service: StewardService | None = None,
    allow_mass_delete: bool = False,
    wait: float = 0.0,
) -> PipelineRun:
    """Run the pipeline once (on ``service``, or a service opened for this run, waiting up to
    ``wait`` seconds for a database another process holds) with a progress bar and print the
    summary."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from ingest.source import ProgressCallback
    from service.ingestion import ingest

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

        if service is None:

            def on_wait(seconds: float) -> None:
                err_console.print(
                    f"sources collected; waiting up to {seconds:g} s: "
                    f"{escape(str(config.database))} is held by another process (steward "
                    "serve, or a long query)…",
                    highlight=False,
                )

            run = ingest(
                config,
                only=sources,
                progress_for=progress_for,
                scorecards=scorecards,
                allow_mass_delete=allow_mass_delete,
                wait=wait,
                on_wait=on_wait,
            )
        else:
            run = service.run_pipeline(
                sources,
                progress_for=progress_for,
                scorecards=scorecards,
                allow_mass_delete=allow_mass_delete,
            )
    print_outcomes(run.outcomes)
    for error in run.errors:
        err_console.print(f"[red]pipeline[/] {escape(error)}", highlight=False)
    return run


def ingest_command(
    config: ConfigOption = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Run only this source (repeatable).")
    ] = None,
    allow_mass_delete: Annotated[
        bool,
        typer.Option(
            "--allow-mass-delete",
            help="Accept runs that remove more than mass_delete.max_share of a source's objects.",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            help="Seconds to wait for a database another process holds (then exit 3).",
        ),
    ] = 30.0,
) -> None:
    """Run the configured sources once and store their snapshots.

    Sources are collected (fetched, parsed) first; the database is held only to store them.
    Exit 0: every source ok; 1: a source failed, or the database could not be written (a full
    disk); 2: configuration error; 3: the database stayed held by another process (e.g.
    `steward serve`, a long query) for --wait seconds."""
    import duckdb

    from catalog.secrets import redact
    from service.ingestion import DatabaseHeld

    try:
        cfg = load(config)
    except StewardError as exc:
        raise fail(exc) from None
    try:
        run = run_ingest(cfg, source or [], allow_mass_delete=allow_mass_delete, wait=wait)
    except DatabaseHeld:
        message = held_by_service(cfg, source or [])
        err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
        raise typer.Exit(HELD_EXIT) from None
    except duckdb.Error as exc:  # the database failed under the run: a full disk, I/O
        err_console.print(
            f"[bold red]error:[/] the database could not be written: {escape(redact(str(exc)))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
    except StewardError as exc:
        raise fail(exc) from None
    if not run.ok:
        raise typer.Exit(1)


HELD_EXIT = 3
"""``steward ingest``'s exit status when the database stays held (2 means a config error)."""


def held_by_service(config: StewardConfig, sources: list[str]) -> str:
    """What to do instead when another process (``steward serve``) holds the database."""
    base = f"http://{config.api.host}:{config.api.port}"
    names = sources or list(config.source_configs)
    curls = "\n".join(
        f'  curl -X POST -H "Authorization: Bearer $STEWARD_TOKEN" {base}/api/v1/ingest/{name}'
        for name in names
    )
    return (
        f"{config.database} is held by another process, probably a running `steward serve`, "
        "which ingests every source on its schedule and publishes a snapshot for readers. "
        f"To run a source now, ask the service:\n{curls}"
    )
