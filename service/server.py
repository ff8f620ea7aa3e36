"""Running the service: the scheduler beside uvicorn serving the API, until SIGTERM/SIGINT.

On a signal the scheduler stops taking jobs, the pipeline stops after its current step and
publishes nothing, and the process waits ``stop_grace_s`` for it. A run still going then is
abandoned: its transaction never commits, its ``runs`` row is marked ``abandoned`` on the next
start, and the published snapshot stays the last good one.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from service.scheduler import SourceScheduler
from service.steward_service import StewardService

log = logging.getLogger(__name__)


READER_SWITCH_INTERVAL_S = 0.001
"""How long a thread holding the GIL runs before a waiting one gets it (Python's default is
5 ms): an ingest building records in Python would otherwise delay each API read by several
switch intervals (measured at 50k entities: reads' p95 47 ms instead of 82 ms during an
ingest; see benchmarks/bench_serve.py)."""


def prefer_readers() -> None:
    sys.setswitchinterval(READER_SWITCH_INTERVAL_S)


def serve(
    service: StewardService,
    *,
    host: str,
    port: int,
    auth: bool,
    stop_grace_s: float = 10.0,
    on_started: Callable[[str], None] | None = None,
) -> int:
    """Serve ``service`` until a signal; returns the exit code."""
    import uvicorn

    from service.api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service, auth=auth),
            host=host,
            port=port,
            log_config=None,
            lifespan="auto",  # the app warms its caches at start-up
            timeout_graceful_shutdown=5,
        )
    )

    def on_signal(sig: int, frame: FrameType | None) -> None:
        server.should_exit = True

    # Before uvicorn serves (and after: it re-raises the signals it handled), a signal only
    # asks the server to exit, so the shutdown below always runs.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    prefer_readers()
    scheduler = SourceScheduler(service)
    scheduler.start()
    watcher = threading.Thread(
        target=_announce, args=[server, host, on_started], daemon=True, name="steward-announce"
    )
    watcher.start()
    try:
        server.run()
    finally:
        scheduler.shutdown(wait=False)
    return stop_service(service, stop_grace_s)


def _announce(server: Any, host: str, on_started: Callable[[str], None] | None) -> None:
    """Log the URL (with the port the OS chose for port 0) once uvicorn listens."""
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://{host}:{port}"
    log.info("serving url=%s", url)
    if on_started is not None:
        on_started(url)


def stop_service(service: StewardService, grace_s: float) -> int:
    """Stop the pipeline (waiting ``grace_s`` for a running one) and close the store."""
    log.info("stopping")
    if service.stop(grace_s):
        service.close()
        log.info("stopped")
        return 0
    log.warning(
        "abandoned the running ingest after %.0f s; the last good snapshot is kept", grace_s
    )
    logging.shutdown()
    os._exit(0)
