"""Shared by the reliability tests: a local HTTP server, running ``steward`` as a process, and
taking away root's power to read anything (so permission tests mean the same under root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from standins.server import LocalServer

STEWARD = [str(Path(sys.executable).parent / "steward")]
REPO = Path(__file__).resolve().parents[2]

Handler = Callable[[BaseHTTPRequestHandler], None]


@contextmanager
def http_server(handle: Handler) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 (free port) answering every GET with ``handle``."""

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        def log_message(self, format: str, *args: object) -> None:
            return None

    with LocalServer(_Handler) as server:
        yield server.base_url


def unprivileged(command: Sequence[str]) -> list[str]:
    """``command`` run without the capabilities that let root ignore file permissions.

    As an ordinary user the command is returned unchanged; as root it is wrapped in ``setpriv``
    so that a ``chmod 000`` file is as unreadable as it is for everyone else."""
    if os.geteuid() != 0:
        return list(command)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("running as root needs setpriv (util-linux) to test permissions")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *command]


def steward(
    *args: str, cwd: Path, env: dict[str, str] | None = None, privileged: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the ``steward`` CLI in a fresh process (without root's file powers unless asked)."""
    command = [*STEWARD, *args]
    full_env = {**os.environ, "COLUMNS": "400", "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        command if privileged else unprivileged(command),
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def session_processes(session_id: int) -> list[int]:
    """Pids of the live processes in session ``session_id`` (zombies excluded)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, sid = fields[0], int(fields[3])
        if sid == session_id and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(session_id: int, timeout: float) -> list[int]:
    """Wait up to ``timeout`` s for every process of the session to exit; the survivors."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        alive = session_processes(session_id)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)
