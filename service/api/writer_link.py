"""The local channel between ``steward serve``'s writer process and its API process.

The writer (scheduler, pipeline, the only read-write handle on the database) and the API
process (HTTP, reading the published snapshot) share one duplex ``multiprocessing`` pipe. The
API asks; the writer answers, one request at a time:

* ``("trigger", source)`` → ``{"source", "accepted", "message"}`` (the scheduler's run-now);
* ``("schedules",)`` → a list of ``{"job", "trigger", "next_run", "running"}``;
* ``("last_run",)`` → the writer's latest ``PipelineRun`` (or ``None``), so ``/readyz`` can
  name a pipeline step that failed (a failed publish leaves the snapshot as it was: only the
  writer knows);
* the API says ``("started", url)`` once uvicorn listens (the writer logs it).

A request the writer cannot answer comes back as ``{"error": message}`` and is raised here as
:class:`WriterUnavailable`, as is a writer that has gone away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any, Protocol

log = logging.getLogger(__name__)


class WriterUnavailable(RuntimeError):
    """The writer process did not answer (it stopped, or the request failed there)."""


class WriterSide(Protocol):
    """What the writer answers with (``StewardService``)."""

    def trigger(self, source: str) -> Any: ...

    def schedules(self) -> Any: ...


class WriterLink:
    """The API process's end: thread-safe request/response calls to the writer."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def call(self, *request: object) -> Any:
        with self._lock:
            try:
                self._conn.send(request)
                answer = self._conn.recv()
            except (EOFError, OSError) as exc:
                raise WriterUnavailable("the writer process is not answering") from exc
        if isinstance(answer, dict) and "error" in answer:
            raise WriterUnavailable(str(answer["error"]))
        return answer

    def announce(self, url: str) -> None:
        with self._lock:
            try:
                self._conn.send(("started", url))
            except OSError:
                log.warning("could not tell the writer process the URL %s", url)


def answer_requests(
    service: WriterSide, conn: Connection, on_started: Callable[[str], None]
) -> None:
    """The writer's end: answer the API process until it closes the pipe (run in a thread)."""
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request and request[0] == "started":
            on_started(str(request[1]))
            continue
        try:
            conn.send(_answer(service, request))
        except (BrokenPipeError, OSError):
            return


def _answer(service: WriterSide, request: tuple[Any, ...]) -> Any:
    try:
        match request:
            case ("trigger", str(source)):
                return _plain(service.trigger(source))
            case ("schedules",):
                return [_plain(info) for info in service.schedules()]
            case ("last_run",):
                return getattr(service, "last_run", None)  # pickled whole: a PipelineRun
            case _:
                return {"error": f"unknown request {request[:1]!r}"}
    except Exception as exc:  # answered, never raised: the channel must keep serving
        log.exception("writer request %s failed", request[:1])
        return {"error": f"{type(exc).__name__}: {exc}"}


def _plain(value: Any) -> Any:
    return asdict(value) if hasattr(value, "__dataclass_fields__") else value
