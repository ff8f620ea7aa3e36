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
collections that no longer walk the caches. What freezing keeps for good is garbage that is
cyclic and not yet collected at that moment (a request's exception and its frames, say): so
every ``SWEEP_EVERY_S`` a build starts with one full collection of everything, frozen objects
included, and the process never holds more than that interval's worth.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ingest.memory import gc_paused, release_freed_memory

BUILD_LOCK = threading.Lock()
"""Held for the whole of a build (its queries and its in-memory result)."""

SWEEP_EVERY_S = 600.0
"""How often a build first collects everything, frozen objects included (one pause of a full
collection: 50-120 ms at organisation L)."""

_last_sweep: float | None = None


@contextmanager
def building() -> Iterator[None]:
    """Hold ``BUILD_LOCK`` with the collector paused; afterwards hand the build's freed C heap
    back to the OS (without a full collection) and freeze what is alive, the build's result
    included."""
    with BUILD_LOCK:
        _sweep_if_due()
        try:
            with gc_paused():
                yield
        finally:
            release_freed_memory(collect_garbage=False)
            gc.freeze()


def _sweep_if_due() -> None:
    """Unfreeze and collect everything when the last sweep is ``SWEEP_EVERY_S`` old (or there
    was none): cyclic garbage frozen by earlier builds is freed then."""
    global _last_sweep
    now = time.monotonic()
    if _last_sweep is not None and now - _last_sweep < SWEEP_EVERY_S:
        return
    gc.unfreeze()
    gc.collect()
    _last_sweep = now
