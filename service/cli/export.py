"""``steward export parquet DIR``: every view as Parquet (history by day, Hive layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from service.cli.common import ConfigOption, console, read

app = typer.Typer(help="Export the database for other engines.", no_args_is_help=True)


@app.command("parquet")
def parquet_command(
    directory: Annotated[Path, typer.Argument(help="Directory to write (created).")],
    config: ConfigOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace DIR if it exists (atomically).")
    ] = False,
) -> None:
    """Write every view as Parquet under DIR: current views one file each, history views
    (ingest_runs, *_history) partitioned by day (day=YYYY-MM-DD), plus export.json."""
    from catalog.store.export import export_parquet

    result = read(config, lambda con: export_parquet(con, directory, replace=replace))
    rows = sum(v.rows for v in result.views)
    console.print(
        f"exported {len(result.views)} views ({rows:,} rows) to {escape(str(result.directory))}",
        highlight=False,
    )
