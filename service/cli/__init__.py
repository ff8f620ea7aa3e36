"""The ``steward`` command line: one small module per command group, thin over the service layer.

Each module imports only typer, rich and ``service.cli.common`` at start-up; what a command
needs (DuckDB, the graph, sources, scorecards, the server) is imported when it runs. To add a
command: put it in the module of its group (or a new module) and register it below.
"""

from __future__ import annotations

import typer

from service.cli import (
    catalog,
    demo,
    export,
    gate,
    graph,
    ingest,
    ownership,
    report,
    scorecard,
    serve,
    sql,
    suggest,
)

app = typer.Typer(
    help="Steward: Backstage-compatible catalog ingestion, ownership and scorecards.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("ingest")(ingest.ingest_command)
app.command("sql")(sql.sql_command)
app.command("serve")(serve.serve_command)
app.command("demo")(demo.demo)
app.add_typer(catalog.app, name="catalog")
app.add_typer(ownership.app, name="ownership")
app.add_typer(graph.app, name="graph")
app.add_typer(scorecard.app, name="scorecard")
app.add_typer(report.app, name="report")
app.add_typer(export.app, name="export")
ownership.app.command("suggest")(suggest.suggest_command)
scorecard.app.command("gate")(gate.gate_command)


def main() -> None:  # pragma: no cover - console entry point
    app()
