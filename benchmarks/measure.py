"""Timing whole commands: wall time and peak RSS of a process, start-up included."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STEWARD = str(BIN / "steward")


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
    stdin: str | None = None,
) -> Timing:
    """Run ``cmd`` to its end; wall time from fork to exit, peak RSS from ``wait4``."""
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            env=full_env,
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        timing = Timing(
            seconds,
            usage.ru_maxrss / 1024,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )
    if check and timing.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {timing.returncode}:\n{timing.stderr[-3000:]}")
    return timing


def python(code: str, *args: str, env: Mapping[str, str] | None = None) -> Timing:
    """Run a snippet in a fresh interpreter of this venv (``sys.argv[1:]`` = ``args``)."""
    return run([sys.executable, "-c", code, *args], env=env, cwd=ROOT)


def json_tail(timing: Timing) -> dict[str, object]:
    """The last stdout line of a snippet, as JSON (anything before its ``{`` on that line, such
    as a DuckDB progress bar ended by ``\r``, is dropped)."""
    lines = [ln for ln in timing.stdout.splitlines() if "{" in ln]
    if not lines:
        raise RuntimeError(f"no output:\n{timing.stderr[-3000:]}")
    last = lines[-1]
    value = json.loads(last[last.index("{") :])
    assert isinstance(value, dict)
    return value


def p95(values: Sequence[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
