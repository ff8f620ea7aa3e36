"""``steward sql``: one read-only SELECT over Steward's views."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import ConfigOption, console, err_console, read
from service.output import RowFormat, print_rows


def sql_command(
    query: Annotated[str, typer.Argument(help="One read-only SELECT over Steward's views.")],
    config: ConfigOption = None,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    max_rows: Annotated[int, typer.Option(help="Row cap.")] = 10_000,
) -> None:
    """Query the database read-only (anything but a SELECT is refused)."""
    from catalog.store import run_readonly_query

    result = read(config, lambda con: run_readonly_query(con, query, max_rows=max_rows))
    print_rows(console, result.columns, result.rows, format)
    if result.truncated:
        err_console.print(f"[yellow]truncated at {max_rows} rows[/]")
