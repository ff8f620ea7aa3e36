"""The API process of ``steward serve``: uvicorn over the published snapshot.

Started by ``service.server`` (``multiprocessing`` spawn: a fresh interpreter, nothing of the
writer's threads or GIL). It dies with the writer (``PR_SET_PDEATHSIG`` where Linux has it, and
a thread watching the writer's pid), stops on SIGTERM/SIGINT, and tells the writer its URL once
it listens.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import select
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any

from service.api.writer_link import WriterLink
from service.config import StewardConfig
from service.logs import LogFormat

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ApiProcessArgs:
    config: StewardConfig
    host: str
    port: int
    auth: bool
    log_format: LogFormat
    writer_pid: int


def run_api_process(args: ApiProcessArgs, conn: Connection) -> None:
    """The process's target: serve until a signal, or until the writer is gone."""
    import uvicorn

    from service.api.app import create_app
    from service.api.snapshot_service import SnapshotService
    from service.logs import configure_logging

    configure_logging(args.log_format)
    _exit_with(args.writer_pid)
    link = WriterLink(conn)
    service = SnapshotService(args.config, link)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service, auth=args.auth),
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,  # a line per request costs ~6 % of a request's CPU at 200/s;
            # requests are counted by route in /metrics
            lifespan="auto",
            timeout_graceful_shutdown=5,
        )
    )

    def on_signal(sig: int, frame: FrameType | None) -> None:
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    threading.Thread(
        target=_announce, args=[server, args.host, link], daemon=True, name="steward-announce"
    ).start()
    server.run()


def _announce(server: Any, host: str, link: WriterLink) -> None:
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    link.announce(f"http://{host}:{port}")


def _exit_with(writer_pid: int) -> None:
    """Exit when the writer process exits, however it ends (SIGKILL included)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != writer_pid:
        os._exit(1)
    try:
        pidfd = os.pidfd_open(writer_pid)
    except (AttributeError, OSError):
        threading.Thread(target=_poll, args=[writer_pid], daemon=True).start()
        return
    threading.Thread(target=_wait, args=[pidfd], daemon=True, name="writer-watch").start()


def _wait(pidfd: int) -> None:
    select.select([pidfd], [], [])
    os._exit(1)


def _poll(writer_pid: int) -> None:
    while os.getppid() == writer_pid:
        time.sleep(0.5)
    os._exit(1)
