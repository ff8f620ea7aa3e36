"""One in-memory build at a time in the API process, without garbage-collector pauses.

After every pipeline run the writer publishes a snapshot, and three things are rebuilt from it
in background threads: the scorecard results (``scorecard_cache``), the ownership answers
(``ownership_cache``) and the dependency graph (``graph_memo``). Each build's queries and
columns take ~250 MB at their peak at 50,000 entities, on top of what is being served
meanwhile; started together, the three peaks added up (the API process reached ~1 GB during an
ingest). Taken one after another they cost a second or two more before the last is fresh, and
the process's peak is one build's.

The builds also made the collector stop the whole process: their hundreds of thousands of new
objects set off full collections, each walking every object the process holds (the caches and
the graph: 50-120 ms at L, 14 of them during one ingest), with the GIL held, while requests
waited (measured at L: API p95 45-490 ms during an ingest). So a build runs with the collector
paused, and what is alive after it is frozen (``gc.freeze``: left out of every later
collection). The caches and the graph hold no reference cycles, so a replaced one is freed by
reference counting as before; requests' own short-lived garbage is collected as usual, in
collections that no longer walk the caches.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ingest.memory import gc_paused, release_freed_memory

BUILD_LOCK = threading.Lock()
"""Held for the whole of a build (its queries and its in-memory result)."""


@contextmanager
def building() -> Iterator[None]:
    """Hold ``BUILD_LOCK`` with the collector paused; afterwards hand the build's freed C heap
    back to the OS (without a full collection) and freeze what is alive, the build's result
    included."""
    with BUILD_LOCK:
        try:
            with gc_paused():
                yield
        finally:
            release_freed_memory(collect_garbage=False)
            gc.freeze()
