"""``steward serve`` under load: whole HTTP requests over 127.0.0.1, as the plugin makes them.

* start-up: from ``steward serve`` to ``/readyz`` answering 200;
* blast radius p95: 500 sequential ``GET …/blast-radius`` on random components, idle service;
* API p95 at 200 rps during an ingest: every source triggered (``POST /api/v1/ingest/{source}``),
  and while the pipeline runs, requests are sent open-loop at 200 per second (latency counted
  from the moment each request was due, so a stalled server cannot hide its queue) over a mix
  of the plugin's routes: entity scorecards 50 %, ownership 25 %, blast radius 15 %, team gaps
  10 %;
* peak RSS of the serve process (``VmHWM``), read before it is stopped.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import STEWARD, p95

TOKEN = "bench-api-token-0123456789"
RATE = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _entity_path(ref: str) -> str:
    kind, _, rest = ref.partition(":")
    namespace, _, name = rest.partition("/")
    return f"{kind}/{namespace}/{name}"


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _wait_ready(client: httpx.Client, proc: subprocess.Popen[bytes], timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"steward serve exited {proc.returncode}")
        try:
            if client.get("/readyz").status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"steward serve not ready after {timeout:.0f} s")


def _runs(client: httpx.Client) -> int:
    body = client.get("/api/v1/runs", params={"limit": 10_000}).json()
    runs = body.get("runs", body) if isinstance(body, dict) else body
    return len(runs) if isinstance(runs, list) else 0


async def _load(
    base: str, paths: list[str], busy: asyncio.Event, limit_s: float
) -> tuple[list[float], int, int]:
    """Send requests at RATE per second until ``busy`` is cleared (or ``limit_s``); then give
    the ones in flight 15 s. Returns latencies (an unfinished request counts with the time it
    had waited when it was abandoned: a lower bound), errors, unfinished."""
    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {TOKEN}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    due_of: dict[asyncio.Task[None], float] = {}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=httpx.Timeout(60.0)
    ) as client:

        async def one(path: str, due: float) -> None:
            nonlocal errors
            try:
                response = await client.get(path)
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter()
        i = 0
        while busy.is_set() and time.perf_counter() - start < limit_s:
            due = start + i / RATE
            # always yield: a loop that falls behind must still let its requests run
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            task = asyncio.create_task(one(paths[i % len(paths)], due))
            due_of[task] = due
            i += 1
        _, pending = await asyncio.wait(list(due_of), timeout=15)
        now = time.perf_counter()
        for task in pending:
            task.cancel()
            latencies.append(now - due_of[task])
        await asyncio.gather(*pending, return_exceptions=True)
    return latencies, errors, len(pending)


def _mix(refs: list[str], teams: list[str], rng: random.Random) -> list[str]:
    out = []
    for _ in range(5_000):
        roll = rng.random()
        entity = f"/api/v1/entities/{_entity_path(rng.choice(refs))}"
        if roll < 0.5:
            out.append(f"{entity}/scorecards")
        elif roll < 0.75:
            out.append(f"{entity}/ownership")
        elif roll < 0.9:
            out.append(f"{entity}/blast-radius")
        else:
            out.append(f"/api/v1/teams/default/{rng.choice(teams)}/gaps")
    return out


def measure(config: Path, env: dict[str, str], refs: list[str], teams: list[str]) -> dict[str, Any]:
    port = _free_port()
    env = {
        **os.environ,
        **env,
        "STEWARD_BENCH_PORT": str(port),
        "STEWARD_API_TOKENS": TOKEN,
    }
    log = config.parent / "serve.log"
    out: dict[str, Any] = {}
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [STEWARD, "serve", "--config", str(config), "--port", str(port)],
            env=env,
            cwd=config.parent,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
            ) as client:
                out["serve_ready_s"] = _wait_ready(client, proc, 600)
                # serve runs overdue sources at start: let that settle before measuring idle
                last, stable = _runs(client), time.perf_counter()
                while time.perf_counter() - stable < 5:
                    time.sleep(0.5)
                    now = _runs(client)
                    if now != last:
                        last, stable = now, time.perf_counter()
                rng = random.Random(11)
                times = []
                for ref in [rng.choice(refs) for _ in range(500)]:
                    t0 = time.perf_counter()
                    r = client.get(f"/api/v1/entities/{_entity_path(ref)}/blast-radius")
                    times.append(time.perf_counter() - t0)
                    r.raise_for_status()
                out["blast_api_p95_ms"] = p95(times) * 1000
                out["blast_api_p50_ms"] = sorted(times)[len(times) // 2] * 1000
                before = _runs(client)
                sources = ["catalog", "codeowners", "aws", "pagerduty"]
                paths = _mix(refs, teams, rng)
                busy = asyncio.Event()
                busy.set()

                async def drive() -> tuple[list[float], int, int]:
                    load = asyncio.create_task(_load(base, paths, busy, 120))
                    t0 = time.perf_counter()
                    for source in sources:
                        client.post(f"/api/v1/ingest/{source}").raise_for_status()
                    while time.perf_counter() - t0 < 120:
                        await asyncio.sleep(0.5)
                        if await asyncio.to_thread(_runs, client) >= before + len(sources):
                            break
                    out["ingest_under_load_s"] = time.perf_counter() - t0
                    busy.clear()
                    return await load

                latencies, errors, unfinished = asyncio.run(drive())
                out["api_requests_during_ingest"] = len(latencies)
                out["api_errors_during_ingest"] = errors
                out["api_unfinished_during_ingest"] = unfinished
                out["api_p95_during_ingest_ms"] = p95(latencies) * 1000
                out["api_p50_during_ingest_ms"] = sorted(latencies)[len(latencies) // 2] * 1000
                out["serve_peak_rss_mb"] = _peak_rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return out
