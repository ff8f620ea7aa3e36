"""``steward scorecard``: run, show an entity or a team, what changed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from catalog.errors import ConfigError, StewardError
from service.cli.common import (
    ConfigOption,
    TextFormat,
    console,
    err_console,
    fail,
    load,
    print_json,
    read,
)
from service.output import RowFormat, print_rows

app = typer.Typer(
    help="Readiness scorecards: run, show an entity or a team, what changed.",
    no_args_is_help=True,
)


@app.command("run")
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
    from catalog.store import Store
    from scorecards import run_scorecards

    try:
        cfg = load(config, sources=False)
        if cfg.scorecards is None:
            raise ConfigError("no `scorecards:` directory in the config")
        with Store(cfg.database, memory_limit=cfg.database_memory_limit) as store:
            result = run_scorecards(
                store,
                cfg.scorecards,
                only=scorecard or [],
                dry_run=dry_run,
                stale_after_days=cfg.ownership.stale_after_days,
            )
    except StewardError as exc:
        raise fail(exc) from None
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


@app.command("show")
def scorecard_show(
    ref: Annotated[str, typer.Argument(help="Entity ref: name, kind:name or kind:ns/name.")],
    format: Annotated[TextFormat, typer.Option("--format", "-f")] = TextFormat.text,
    config: ConfigOption = None,
) -> None:
    """REF's level and score in every scorecard, each check with its evidence and exemption."""
    from scorecards.queries import scorecards_of

    found = read(config, lambda con: scorecards_of(con, ref))
    if format is TextFormat.json:
        print_json(found)
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


@app.command("team")
def scorecard_team(
    ref: Annotated[str, typer.Argument(help="Group ref; its roll-up includes every group below.")],
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """A team's (or department's) scorecards rolled up the group tree, and its entities."""
    from scorecards.queries import team_scorecard

    found = read(config, lambda con: team_scorecard(con, ref))
    if format is RowFormat.json:
        print_json(found)
        return
    for key, title in (("scorecards", f"{found['team']}: roll-up"), ("entities", "entities")):
        rows = found[key]
        columns = list(rows[0]) if rows else ["scorecard"]
        print_rows(console, columns, [list(r.values()) for r in rows], format, title=title)


@app.command("diff")
def scorecard_diff_command(
    since: Annotated[str, typer.Option("--since", help="e.g. 24h, 7d, 2w")] = "7d",
    team: Annotated[str | None, typer.Option(help="Only this group and those below.")] = None,
    format: Annotated[RowFormat, typer.Option("--format", "-f")] = RowFormat.table,
    config: ConfigOption = None,
) -> None:
    """What got better or worse per entity and per team since then."""
    from scorecards.queries import DIFF_COLUMNS, parse_since, scorecard_diff

    found = read(config, lambda con: scorecard_diff(con, parse_since(since), team=team))
    if format is RowFormat.json:
        print_json(found)
        return
    ents = [[e[c] for c in DIFF_COLUMNS] for e in found["entities"]]
    print_rows(console, DIFF_COLUMNS, ents, format, title=f"changes since {found['since']:%F %R}")
    if found["teams"]:
        columns = list(found["teams"][0])
        rows = [list(t.values()) for t in found["teams"]]
        print_rows(console, columns, rows, format, title="per team (rolled up)")
