"""``steward serve`` under load: whole HTTP requests over 127.0.0.1, as the plugin makes them.

* start-up: from ``steward serve`` to ``/readyz`` answering 200;
* blast radius p95: 500 sequential ``GET …/blast-radius`` on random components, idle service;
* API p95 at 200 rps during an ingest: every source triggered (``POST /api/v1/ingest/{source}``),
  and while the pipeline runs, requests are due at 200 per second, sent by 48 workers on
  hand-written HTTP/1.1 keep-alive connections (latency counted from the moment each request
  was due, so a stalled server cannot hide its queue) over a mix
  of the plugin's routes: entity scorecards 50 %, ownership 25 %, blast radius 15 %, team gaps
  10 %;
  the figures also per route (``api_routes_during_ingest``);
* issue 12's figure: the entity-scorecards route alone at 200 requests/s for 30 s while an
  ingest runs (every source triggered again whenever the previous ingest is done, so the load
  never meets an idle writer);
* peak RSS of ``steward serve``: the sum of the peaks (``VmHWM``) of its processes (the writer
  and the API process), read before it is stopped, or the largest sum of the resident memory
  (``VmRSS``) of every process of its tree sampled every 0.05 s while it runs, whichever is
  larger: the samples also see short-lived children (the AWS listing process) that have exited
  by the time the peaks are read.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import STEWARD, p95

TOKEN = "bench-api-token-0123456789"
RATE = 200
SCORECARDS_S = 30
"""Issue 12: the entity-scorecards route at ``RATE`` requests/s for this long during an ingest."""
SOURCES = ["catalog", "codeowners", "aws", "pagerduty"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _entity_path(ref: str) -> str:
    kind, _, rest = ref.partition(":")
    namespace, _, name = rest.partition("/")
    return f"{kind}/{namespace}/{name}"


def _status_mb(pid: int, field: str) -> float | None:
    """A ``/proc/<pid>/status`` memory field (``VmHWM``, ``VmRSS``) in MiB; None once gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _tree_pids(pid: int) -> list[int]:
    pids, pending = [], [pid]
    while pending:
        parent = pending.pop()
        pids.append(parent)
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        pending += [int(c) for c in children]
    return pids


class TreeRssSampler:
    """The largest sum of ``VmRSS`` over ``pid`` and its descendants, sampled every
    ``interval`` seconds in a thread until :meth:`stop`."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval = pid, interval
        self.peak_mb = 0.0
        self.peak_parts_mb: dict[str, float] = {}
        self.samples = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            parts = {str(p): _status_mb(p, "VmRSS") or 0.0 for p in _tree_pids(self.pid)}
            self.samples += 1
            total = sum(parts.values())
            if total > self.peak_mb:
                self.peak_mb, self.peak_parts_mb = total, parts

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


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


class RawConnection:
    """One keep-alive HTTP/1.1 connection spoken by hand over asyncio streams (as in
    ``bench_api``): httpx costs ~4 ms of client CPU a request here, and its pool slows down
    quadratically with thousands of queued requests, so the load generator, not the server,
    ran out of CPU (at S it sent 602 requests in 40 s instead of 8,000)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str, timeout: float) -> int:
        return await asyncio.wait_for(self._get(path), timeout)

    async def _get(self, path: str) -> int:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Authorization: Bearer {TOKEN}\r\n\r\n".encode()
        )
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split()[1])
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        return status

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


WORKERS = 48


class Load:
    """What a load run measured: every request's latency and route, errors, unanswered."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.routes: list[str] = []
        self.failed: list[bool] = []
        self.unanswered = 0

    def add(self, path: str, latency: float, failed: bool) -> None:
        self.latencies.append(latency)
        self.routes.append(route_of(path))
        self.failed.append(failed)

    @property
    def errors(self) -> int:
        return sum(self.failed)

    def by_route(self) -> dict[str, dict[str, float]]:
        """Per route: requests, errors, p50 and p95 (ms); unanswered requests count with the
        time they had waited, as in the totals."""
        out: dict[str, dict[str, float]] = {}
        for route in sorted(set(self.routes)):
            times = [t for t, r in zip(self.latencies, self.routes, strict=True) if r == route]
            fails = [f for f, r in zip(self.failed, self.routes, strict=True) if r == route]
            out[route] = {
                "requests": len(times),
                "errors": sum(fails),
                "p50_ms": sorted(times)[len(times) // 2] * 1000,
                "p95_ms": p95(times) * 1000,
            }
        return out


def route_of(path: str) -> str:
    """The plugin route a request path is for."""
    if path.startswith("/api/v1/teams/"):
        return "team-gaps"
    return path.rsplit("/", 1)[-1].split("?", 1)[0]


async def _load(port: int, paths: list[str], busy: asyncio.Event, limit_s: float) -> Load:
    """Requests due at RATE per second until ``busy`` is cleared (or ``limit_s``), sent by a
    fixed set of workers with a connection each; latency counts from the moment a request was
    due, so a stalled server cannot hide its queue. When the load ends, the requests in flight
    get 15 s; those then unanswered, and those that were due but never sent because every worker
    was waiting, count with the time they had waited (a lower bound)."""
    load = Load()
    in_flight: dict[int, tuple[float, str]] = {}  # worker → due time and path of its request
    start = time.perf_counter()
    next_index = 0

    def loading() -> bool:
        return busy.is_set() and time.perf_counter() - start < limit_s

    async def worker(w: int) -> None:
        nonlocal next_index
        conn = RawConnection("127.0.0.1", port)
        try:
            while loading():
                i = next_index
                next_index += 1
                due = start + i / RATE
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not loading():
                    break  # due after the load ended: never sent, not counted
                path = paths[i % len(paths)]
                in_flight[w] = (due, path)
                try:
                    failed = await conn.get(path, timeout=60) >= 400
                except (TimeoutError, OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                    failed = True
                load.add(path, time.perf_counter() - due, failed)
                del in_flight[w]
        finally:
            conn.close()

    tasks = [asyncio.create_task(worker(w)) for w in range(WORKERS)]
    while loading():
        await asyncio.sleep(0.05)
    end = time.perf_counter()
    unsent = [
        (start + i / RATE, paths[i % len(paths)])
        for i in range(next_index, int((end - start) * RATE))
    ]
    _, pending = await asyncio.wait(tasks, timeout=15)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    now = time.perf_counter()
    unanswered = list(in_flight.values()) + unsent
    for due, path in unanswered:
        load.add(path, now - due, False)
    load.unanswered = len(unanswered)
    return load


def _tree_peak_rss_mb(pid: int) -> dict[str, float]:
    """Peak RSS (``VmHWM``) of ``pid`` and of each of its descendants still alive (``steward
    serve`` is a writer process and an API process)."""
    out: dict[str, float] = {}
    for each in _tree_pids(pid):
        peak = _status_mb(each, "VmHWM")
        if peak is not None:
            try:
                name = Path(f"/proc/{each}/comm").read_text().strip()
            except OSError:
                name = "?"
            out[f"{name}:{each}"] = peak
    return out


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


LAST_INGEST_S = 120
"""How long the repeated ingests' last one may take after the load has ended."""


def _during_ingest(
    client: httpx.Client, port: int, paths: list[str], limit_s: float, *, repeat: bool = False
) -> tuple[Load, float, int]:
    """Requests of ``paths`` due at ``RATE`` per second while every source is ingested (all
    triggered through the API). Without ``repeat`` the load ends with the ingest (or at
    ``limit_s``); with it, the load runs ``limit_s`` and the sources are triggered again each
    time the ingest before is done (the last one is waited for, without load). Returns the
    load, the seconds from the first trigger until the (last) ingest was done, and the number
    of ingests."""
    busy = asyncio.Event()
    busy.set()

    async def drive() -> tuple[Load, float, int]:
        load = asyncio.create_task(_load(port, paths, busy, limit_s))
        t0 = time.perf_counter()
        ingests = 0
        while True:
            before = await asyncio.to_thread(_runs, client)
            for source in SOURCES:
                client.post(f"/api/v1/ingest/{source}").raise_for_status()
            ingests += 1
            wait_until = t0 + limit_s + (LAST_INGEST_S if repeat else 0)
            while time.perf_counter() < wait_until:
                await asyncio.sleep(0.5)
                if await asyncio.to_thread(_runs, client) >= before + len(SOURCES):
                    break
            if not repeat or time.perf_counter() - t0 >= limit_s:
                break
        ingest_s = time.perf_counter() - t0
        busy.clear()
        return await load, ingest_s, ingests

    return asyncio.run(drive())


def _scorecards_during_ingest(
    client: httpx.Client, port: int, refs: list[str], rng: random.Random, seconds: float
) -> dict[str, Any]:
    """Issue 12's figure: the entity-scorecards route alone at ``RATE`` requests/s for
    ``seconds`` while the sources are ingested (again and again, so it always overlaps)."""
    paths = [f"/api/v1/entities/{_entity_path(rng.choice(refs))}/scorecards" for _ in range(5_000)]
    load, ingest_s, ingests = _during_ingest(client, port, paths, seconds, repeat=True)
    return {
        "scorecards_requests_during_ingest": len(load.latencies),
        "scorecards_errors_during_ingest": load.errors,
        "scorecards_unfinished_during_ingest": load.unanswered,
        "scorecards_p95_during_ingest_ms": p95(load.latencies) * 1000,
        "scorecards_p50_during_ingest_ms": sorted(load.latencies)[len(load.latencies) // 2] * 1000,
        "scorecards_load_s": seconds,
        "scorecards_ingest_s": ingest_s,
        "scorecards_ingests": ingests,
    }


def measure(
    config: Path,
    env: dict[str, str],
    refs: list[str],
    teams: list[str],
    *,
    scorecards_s: float = SCORECARDS_S,
) -> dict[str, Any]:
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
        sampler = TreeRssSampler(proc.pid)
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
                paths = _mix(refs, teams, rng)
                load, out["ingest_under_load_s"], _ = _during_ingest(client, port, paths, 120)
                out["api_requests_during_ingest"] = len(load.latencies)
                out["api_errors_during_ingest"] = load.errors
                out["api_unfinished_during_ingest"] = load.unanswered
                out["api_p95_during_ingest_ms"] = p95(load.latencies) * 1000
                out["api_p50_during_ingest_ms"] = (
                    sorted(load.latencies)[len(load.latencies) // 2] * 1000
                )
                out["api_routes_during_ingest"] = load.by_route()
                parts = _tree_peak_rss_mb(proc.pid)  # as before the scorecards figure existed
                out["serve_peak_rss_parts_mb"] = parts
                out["serve_peak_rss_mb"] = max(sum(parts.values()), sampler.peak_mb)
                if scorecards_s:
                    out.update(_scorecards_during_ingest(client, port, refs, rng, scorecards_s))
                    end = _tree_peak_rss_mb(proc.pid)
                    out["serve_peak_rss_end_parts_mb"] = end
                    out["serve_peak_rss_end_mb"] = max(sum(end.values()), sampler.peak_mb)
                sampler.stop()
                out["serve_sampled_rss_peak_mb"] = sampler.peak_mb
                out["serve_sampled_rss_peak_parts_mb"] = sampler.peak_parts_mb
                out["serve_rss_samples"] = sampler.samples
        finally:
            sampler.stop()
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return out
