"""Running the service: the scheduler beside uvicorn serving the API, until SIGTERM/SIGINT.

``steward serve`` runs two processes: this one, the writer (scheduler, pipeline, the only
read-write handle on the database), and the API process (``service.api.worker``: uvicorn over
the snapshot published after every pipeline run). They share no GIL, so a pipeline building
records in Python never delays a request; a manual trigger and the schedules reach the writer
over a pipe (``service.api.writer_link``). ``steward demo`` (and an in-memory database) serve
the API in this process instead, reading the live database.

On a signal the scheduler stops taking jobs, the pipeline stops after its current step and
publishes nothing, and the process waits ``stop_grace_s`` for it. A run still going then is
abandoned: its transaction never commits, its ``runs`` row is marked ``abandoned`` on the next
start, and the published snapshot stays the last good one.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from service.logs import LogFormat
from service.scheduler import SourceScheduler
from service.steward_service import StewardService

log = logging.getLogger(__name__)


READER_SWITCH_INTERVAL_S = 0.001
"""How long a thread holding the GIL runs before a waiting one gets it (Python's default is
5 ms): an ingest building records in Python would otherwise delay each API read by several
switch intervals (measured at 50k entities: reads' p95 47 ms instead of 82 ms during an
ingest; see benchmarks/bench_serve.py)."""


WRITER_NICE = 5
"""How much lower the writer's CPU priority is than its API process's (``nice`` steps): on a
busy machine a pipeline run then takes the cores the API leaves, not the other way round."""


def yield_cpu_to_readers(steps: int = WRITER_NICE) -> None:
    """Lower this process's priority by ``steps``: every thread it has (DuckDB's included) and
    every thread or process it starts afterwards. Linux keeps a nice value per thread."""
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]
    for tid in threads:
        with contextlib.suppress(OSError):
            current = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(current + steps, 19))


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
    api_process: bool = False,
    log_format: LogFormat = LogFormat.text,
) -> int:
    """Serve ``service`` until a signal; returns the exit code. ``api_process``: the API in a
    process of its own, on the published snapshot (``steward serve``)."""
    if api_process and str(service.config.database) != ":memory:":
        return _serve_beside_api_process(
            service,
            host=host,
            port=port,
            auth=auth,
            stop_grace_s=stop_grace_s,
            on_started=on_started,
            log_format=log_format,
        )
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


def _serve_beside_api_process(
    service: StewardService,
    *,
    host: str,
    port: int,
    auth: bool,
    stop_grace_s: float,
    on_started: Callable[[str], None] | None,
    log_format: LogFormat,
) -> int:
    from service.api.worker import ApiProcessArgs, run_api_process
    from service.api.writer_link import answer_requests

    stop = threading.Event()

    def on_signal(sig: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    service.warm_graph = False  # the API process builds its own graph from the snapshot
    service.store.publish_snapshot()  # what the API process reads until the first run
    ours, theirs = multiprocessing.Pipe(duplex=True)
    api = multiprocessing.get_context("spawn").Process(
        target=run_api_process,
        args=[ApiProcessArgs(service.config, host, port, auth, log_format, os.getpid()), theirs],
        name="steward-api",
    )
    api.start()
    theirs.close()
    yield_cpu_to_readers()  # after the API process started: it keeps the normal priority

    def started(url: str) -> None:
        log.info("serving url=%s api_pid=%s", url, api.pid)
        if on_started is not None:
            on_started(url)

    threading.Thread(
        target=answer_requests, args=[service, ours, started], daemon=True, name="steward-link"
    ).start()
    scheduler = SourceScheduler(service)
    scheduler.start()
    try:
        while not stop.is_set() and api.is_alive():
            stop.wait(0.2)
    finally:
        scheduler.shutdown(wait=False)
        api_exited = not api.is_alive()
        _stop_process(api)
    if api_exited and not stop.is_set():
        log.error("the API process exited (code %s); stopping", api.exitcode)
        stop_service(service, stop_grace_s)
        return 1
    return stop_service(service, stop_grace_s)


def _stop_process(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.terminate()
        process.join(10)
    if process.is_alive():
        process.kill()
    process.join()


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
