"""The dependency graph for blast-radius requests, checked for changes at most once a second.

``service.graph()`` verifies the cached graph against the store on every call (two fingerprint
queries: ~25 ms at 50,000 entities); a blast radius itself takes under a millisecond. So the API
reuses the graph it got for ``TTL_S`` seconds: an answer is at most that much older than the
latest pipeline run. :meth:`GraphMemo.peek` never waits: past the TTL it answers from the graph
it has and checks for a newer one in a background thread.
"""

from __future__ import annotations

import logging
import threading
import time

from graph import CatalogGraph
from service.api.builds import building
from service.api.protocol import ServiceLike

TTL_S = 1.0
log = logging.getLogger("steward.api")


class GraphMemo:
    def __init__(self, service: ServiceLike) -> None:
        self._service = service
        self._lock = threading.Lock()
        self._graph: CatalogGraph | None = None
        self._at = 0.0
        self._refreshing: threading.Thread | None = None

    def get(self) -> CatalogGraph:
        """The graph, checked against the store when older than ``TTL_S`` (may query)."""
        with self._lock:
            if self._graph is not None and time.monotonic() - self._at < TTL_S:
                return self._graph
        return self._load()

    def peek(self) -> CatalogGraph | None:
        """The graph without waiting (None before the first load: use :meth:`get`)."""
        with self._lock:
            graph = self._graph
            if graph is None or time.monotonic() - self._at < TTL_S:
                return graph
            if self._refreshing is None or not self._refreshing.is_alive():
                self._at = time.monotonic()  # one check per TTL, even if it is slow
                self._refreshing = threading.Thread(
                    target=self._refresh, name="steward-graph-memo", daemon=True
                )
                self._refreshing.start()
            return graph

    def _load(self) -> CatalogGraph:
        with building():  # a rebuild after a new snapshot: not at the same time as the caches'
            graph = self._service.graph()
        with self._lock:
            self._graph, self._at = graph, time.monotonic()
        return graph

    def _refresh(self) -> None:
        try:
            self._load()
        except Exception:  # the graph we have keeps being served
            log.exception("graph refresh failed")
