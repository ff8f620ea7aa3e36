"""The parser worker pool: processes that die with the process that started them
(``ingest.process_life``: a killed parent takes its workers along; workers hold no stdio)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from ingest.process_life import bind_to_parent


def parser_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forkserver processes bound to the life of this process."""
    return ProcessPoolExecutor(
        workers,
        mp_context=get_context("forkserver"),
        initializer=bind_to_parent,
        initargs=(os.getpid(),),
    )
