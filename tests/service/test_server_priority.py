"""The writer of ``steward serve`` yields the CPU to its API process: every thread of it
(those already running, as DuckDB's, and those it starts later) gets a lower priority."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import os, threading
from service.server import yield_cpu_to_readers

started = threading.Event()
stop = threading.Event()
tids = []

def wait():
    tids.append(threading.get_native_id())
    started.set()
    stop.wait()

early = threading.Thread(target=wait)
early.start()
started.wait()
before = os.getpriority(os.PRIO_PROCESS, 0)
yield_cpu_to_readers(3)
later = []
t = threading.Thread(target=lambda: later.append(os.getpriority(os.PRIO_PROCESS, 0)))
t.start(); t.join()
main = os.getpriority(os.PRIO_PROCESS, 0)
print(before, main, os.getpriority(os.PRIO_PROCESS, tids[0]), later[0])
stop.set()
early.join()
"""


def test_every_thread_of_the_writer_gets_a_lower_priority() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    before, main, early, later = (int(v) for v in out)
    assert (main, early, later) == (before + 3, before + 3, before + 3)
