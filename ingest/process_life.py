"""Child processes that die with the process that started them and hold none of its stdio.

A ``forkserver`` child outlives a parent killed with SIGKILL: a pool worker waits on a queue
whose write end it holds itself, and the forkserver it was forked from waits on the child. A
child bound with :func:`bind_to_parent` watches the parent's pid (a pidfd where the kernel has
one, polling otherwise) and exits the moment the parent is gone; its forkserver then sees its
last client go and exits too. It also drops the parent's stdin/stdout/stderr, so a caller
reading the parent's output sees end-of-file when the parent dies instead of waiting on an
orphan. Used by the catalog's parser workers and the AWS listing process.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from functools import partial

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def bind_to_parent(parent_pid: int) -> None:
    """Call first thing in the child: drop the inherited stdio, exit when ``parent_pid`` does."""
    _detach_stdio()
    _exit_with_parent(parent_pid)


def _detach_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _exit_with_parent(parent_pid: int) -> None:
    # The direct parent is the forkserver: if it is killed, take the worker with it.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        pass
    watch: Callable[[], None]
    try:
        pidfd = os.pidfd_open(parent_pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd: poll instead
        watch = partial(_poll_parent, parent_pid)
    else:
        watch = partial(_wait_pidfd, pidfd)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _wait_pidfd(pidfd: int) -> None:
    select.select([pidfd], [], [])  # readable once the process has exited
    os._exit(1)


def _poll_parent(parent_pid: int) -> None:
    while True:
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # alive (or its pid reused by another user)
            pass
        time.sleep(POLL_SECONDS)
