"""``steward demo``: the example organisation, its stand-ins and the server, until Ctrl-C."""

from __future__ import annotations

import typer

from catalog.errors import StewardError
from service.cli.common import EXAMPLES, ConfigOption, console, fail, load
from service.cli.ingest import run_ingest
from service.output import RowFormat, print_rows


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
    from catalog.store import run_readonly_query
    from service.demo import local_fakes

    try:
        with local_fakes(path.parent):
            cfg = load(path)
            run = run_ingest(cfg, [], scorecards=True)
        if cfg.scorecards is not None:
            summary.append(
                "SELECT 'readiness: ' || scorecard || ' ' || coalesce(level, 'none'), count(*) "
                "FROM scorecard_scores GROUP BY 1"
            )
        result = run_readonly_query(cfg.database, " UNION ALL ".join(summary) + " ORDER BY 1")
    except StewardError as exc:
        raise fail(exc) from None
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

