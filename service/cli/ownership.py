"""``steward ownership``: who owns what, according to every source."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import ConfigOption, TextFormat, console, print_json, read
from service.output import RowFormat, print_rows

app = typer.Typer(help="Who owns what, according to every source.", no_args_is_help=True)


@app.command("show")
def ownership_show(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    config: ConfigOption = None,
    format: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
) -> None:
    """The resolved owner of REF and every claim, with its evidence."""
    from service.ownership import ownership_of

    result = read(config, lambda con: ownership_of(con, ref))
    if format is TextFormat.json:
        print_json(result)
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


@app.command("gaps")
def ownership_gaps_command(
    config: ConfigOption = None,
    team: Annotated[
        str | None, typer.Option(help="Only this group and the groups below it.")
    ] = None,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
) -> None:
    """Open ownership gaps, with when each was first and last seen."""
    from service.ownership import GAP_COLUMNS, ownership_gaps

    gaps = read(config, lambda con: ownership_gaps(con, team=team))
    print_rows(
        console,
        GAP_COLUMNS,
        [[g[c] for c in GAP_COLUMNS] for g in gaps],
        format,
        title=f"ownership gaps ({len(gaps)})",
    )
