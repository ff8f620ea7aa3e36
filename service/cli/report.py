"""``steward report ownership-gaps``: the weekly ownership-gap report, on demand."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import ConfigOption, err_console, fail, read

app = typer.Typer(help="Reports: the weekly ownership-gap report.", no_args_is_help=True)


@app.command("ownership-gaps")
def ownership_gaps_report(
    config: ConfigOption = None,
    week: Annotated[
        str | None, typer.Option(help="YYYY-Www (default: the current week so far).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="md, html or json.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to FILE.")] = None,
) -> None:
    """Per team (rolled up the group tree): gaps new, resolved and still open, the change
    from last week, an 8-week trend and suggested owners for unowned entities."""
    from datetime import UTC, datetime

    from catalog.errors import ConfigError, StewardError
    from service.reports import IsoWeek, ReportFormat, build_report, render

    try:
        fmt = ReportFormat(format)
        chosen = IsoWeek.parse(week) if week else IsoWeek.containing(datetime.now(UTC))
    except ValueError:
        raise fail(ConfigError(f"unknown --format {format!r}: use md, html or json")) from None
    except StewardError as exc:
        raise fail(exc) from None
    text = render(read(config, lambda con: build_report(con, chosen)), fmt)
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {out}", highlight=False)
