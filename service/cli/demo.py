"""``steward demo``: the example organisation, its stand-ins and the server, until Ctrl-C."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from catalog.errors import StewardError
from service.cli.common import EXAMPLES, ConfigOption, console, fail, load
from service.cli.ingest import run_ingest
from service.output import RowFormat, print_rows

if TYPE_CHECKING:
    from service.steward_service import StewardService

SUMMARY = [
    "SELECT 'entities: ' || kind, count(*) FROM entities GROUP BY 1",
    "SELECT 'gaps: ' || gap, count(*) FROM ownership_gaps GROUP BY 1",
    "SELECT 'cloud resources', count(*) FROM cloud_resources",
    "SELECT 'pagerduty services', count(*) FROM pagerduty_services",
    "SELECT 'readiness: ' || scorecard || ' ' || coalesce(level, 'none'), count(*) "
    "FROM scorecard_scores GROUP BY 1",
]


def demo(
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on (0: any free port).")] = 7008,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Keep serving the API until Ctrl-C.")
    ] = True,
) -> None:
    """Ingest, score and serve the example organisation (auth off) until Ctrl-C.

    Local AWS and PagerDuty stand-ins run beside the server; --no-serve stops after the
    summary."""
    from catalog.store import run_readonly_query
    from service.demo import local_fakes
    from service.steward_service import StewardService

    path = config or EXAMPLES / "steward.yaml"
    with local_fakes(path.parent):
        try:
            cfg = load(path)
            service = StewardService(cfg)
        except StewardError as exc:
            raise fail(exc) from None
        try:
            # The stand-ins are new at every start (moto hands out new EC2 ids), so the
            # demo's first run replaces their resources wholesale: not a mass delete.
            run = run_ingest(cfg, [], scorecards=True, service=service, allow_mass_delete=True)
            with service.reader() as cur:
                result = run_readonly_query(cur, " UNION ALL ".join(SUMMARY) + " ORDER BY 1")
        except StewardError as exc:
            service.close()
            raise fail(exc) from None
        print_rows(
            console, ["what", "count"], result.rows, RowFormat.table, title="example organisation"
        )
        if not serve:
            service.close()
            if not run.ok:
                raise typer.Exit(1)
            return
        _serve_demo(service, path, host, port)


def _serve_demo(service: StewardService, path: Path, host: str, port: int) -> None:
    from service.logs import configure_logging
    from service.server import serve

    configure_logging()

    def started(url: str) -> None:
        console.print(
            f"\n[bold]Steward serves the example organisation on {url}[/] (auth off): "
            f"try {url}/docs or {url}/api/v1/entities/component/default/payments-api/"
            f"scorecards.\nIn a second terminal, the README's commands read the snapshot it "
            f'publishes, e.g. [bold]steward sql -c {escape(str(path))} "select count(*) from '
            'entities"[/]. Ctrl-C stops it.',
            highlight=False,
        )

    raise typer.Exit(serve(service, host=host, port=port, auth=False, on_started=started))
