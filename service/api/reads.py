"""How routes read: on a bounded number of threads, in one read transaction, answering bytes.

* **Bounded:** at most ``max_reads`` database reads run at once (default twice the cores);
  under overload further requests wait for a slot instead of each holding a cursor, a thread
  and its query's memory (the first L run reached 2.7 GB with requests piling up).
* **One transaction:** a route's queries see one committed state, never half of a write that
  landed between two of them.
* **Bytes:** the response model is serialised once by pydantic-core (``Response`` is returned
  as is), instead of FastAPI validating the model again in another thread hop and encoding it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
import duckdb
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from service.api.protocol import ServiceLike

T = TypeVar("T")
JSON = "application/json"


def default_max_reads() -> int:
    return 2 * (os.cpu_count() or 1)


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as JSON bytes (the same JSON as FastAPI's response_model path)."""
    return Response(model.__pydantic_serializer__.to_json(model), status_code, media_type=JSON)


class Reads:
    """The app's read slots (``app.state.reads``)."""

    def __init__(self, service: ServiceLike, max_reads: int) -> None:
        self.service = service
        self.max_reads = max_reads
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # made inside the event loop that uses it
            self._limiter = anyio.CapacityLimiter(self.max_reads)
        return self._limiter

    async def run(self, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """``read(cursor)`` on a worker thread, inside one read transaction."""
        return await anyio.to_thread.run_sync(self._in_transaction, read, limiter=self.limiter)

    def _in_transaction(self, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        with self.service.reader() as cur:
            cur.begin()
            try:
                return read(cur)
            finally:
                cur.rollback()

    async def call(self, work: Callable[[], T]) -> T:
        """``work()`` (no cursor: e.g. a graph refresh) on a read slot."""
        return await anyio.to_thread.run_sync(work, limiter=self.limiter)


def reads_of(request: Request) -> Reads:
    reads: Reads = request.app.state.reads
    return reads
