"""Handing freed memory back to the operating system after a big step.

glibc's malloc keeps what a process frees inside its heaps (one arena per thread that
allocated, the main heap trimmed only from its top), so a process that once built a large
source's records stays at its peak: at organisation L the writer of ``steward serve`` kept
~400 MB after an AWS listing of 200,000 resources whose records it had already dropped, and
the scorecard step's own peak came on top of that. ``malloc_trim(0)`` returns every arena's
free pages. Python's own small-object pools and DuckDB's and Arrow's allocators are not
affected (they return memory by themselves).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory(*, collect_garbage: bool = True) -> bool:
    """Collect garbage cycles (unless ``collect_garbage`` is false: a full collection holds
    the GIL for a while in a process answering requests), then give the C heap's free pages
    back to the OS (the GIL released meanwhile). Returns whether the C library could trim
    (glibc only)."""
    if collect_garbage:
        gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while a run builds records and columns (or the API process one of
    its caches): hundreds of thousands of new tuples and lists (none of them cyclic) otherwise
    trigger collection after collection (measured: 2.7 s instead of 0.3 s for 390k records).
    Counted, so that concurrent users resume it only when the last one ends."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
