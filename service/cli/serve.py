"""``steward serve``: the API and the scheduler in one long-running process."""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.errors import StewardError
from service.cli.common import ConfigOption, fail, load
from service.logs import LogFormat


def serve_command(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Default: api.host of the config.")] = None,
    port: Annotated[
        int | None, typer.Option(help="Default: api.port of the config; 0: any free port.")
    ] = None,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="stderr lines: text or JSON lines.")
    ] = LogFormat.text,
    stop_grace: Annotated[
        float,
        typer.Option(
            "--stop-grace",
            min=0,
            help="Seconds a running ingest may take to finish after SIGTERM before it is "
            "abandoned (the published snapshot is kept either way).",
        ),
    ] = 10.0,
) -> None:
    """Serve the HTTP API and run every source on its schedule, until SIGTERM or Ctrl-C.

    Other processes read the snapshot published after each run (steward sql does so itself)."""
    from service.logs import configure_logging
    from service.server import serve
    from service.steward_service import StewardService

    configure_logging(log_format)
    try:
        cfg = load(config)
        service = StewardService(cfg)
    except StewardError as exc:
        raise fail(exc) from None
    code = serve(
        service,
        host=host or cfg.api.host,
        port=cfg.api.port if port is None else port,
        auth=True,
        stop_grace_s=stop_grace,
        api_process=True,
        log_format=log_format,
    )
    raise typer.Exit(code)
