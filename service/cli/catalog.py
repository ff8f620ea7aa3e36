"""``steward catalog check``: validate catalog files as Backstage would (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from service.cli.common import TextFormat, console, err_console, print_json

app = typer.Typer(help="Catalog files, validated exactly as Backstage would.", no_args_is_help=True)


@app.command("check")
def catalog_check(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files (always checked) or directories (catalog-info.yaml/.yml)."),
    ],
    all_yaml: Annotated[
        bool, typer.Option("--all-yaml", help="In directories, check every *.yaml/*.yml.")
    ] = False,
    format: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
) -> None:
    """Validate catalog files; exit 1 if any file is not ok."""
    from catalog.check import check_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[bold red]error:[/] no such file or directory: {', '.join(missing)}")
        raise typer.Exit(2)
    report = check_paths(paths, all_yaml=all_yaml)
    if format is TextFormat.json:
        print_json(report.to_json())
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
            for warning in report.warnings(checked):
                console.print(
                    f"   warning: {warning.render(checked.key)}",
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
