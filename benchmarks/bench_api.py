"""The HTTP API on the 50,000-entity organisation (``L``), as the Backstage plugin uses it.

    python -m benchmarks.bench_api [--size L] [--seconds 30] [--rate 200]

1. ``steward ingest`` and ``steward scorecard run`` on a fresh database (not timed here);
2. ``steward serve`` in a process of its own, stand-ins for AWS and PagerDuty in another;
3. blast radius through the API: 500 sequential ``GET …/blast-radius`` on random components;
4. the entity-scorecards endpoint at ``--rate`` requests per second for ``--seconds``, open
   loop (latency counted from the moment each request was due, so a stalled server cannot hide
   its queue) **while ingests run**: every source is triggered (``POST /api/v1/ingest/…``) and
   triggered again whenever it is idle, for the whole window;
5. the weekly report: ``GET /api/v1/reports/ownership-gaps?format=html`` (whole request) and
   ``steward report ownership-gaps`` (whole command, on the published snapshot).

Prints one JSON line with the figures (targets: scorecards p95 ≤ 25 ms and no errors, blast
radius p95 ≤ 10 ms, report ≤ 5 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

from benchmarks import generate
from benchmarks.measure import STEWARD, median, p95, run
from benchmarks.run import standins
from benchmarks.serve_load import (
    TOKEN,
    _entity_path,
    _free_port,
    _status_mb,
    _tree_pids,
    _wait_ready,
)

WORKERS = 48


def _components(database: Path) -> tuple[list[str], list[str]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        scored = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT ref FROM scorecard_scores WHERE ref LIKE 'component:%' ORDER BY 1"
            ).fetchall()
        ]
        counts = con.execute("SELECT count(*) FROM entities").fetchone()
    finally:
        con.close()
    return scored, [str(counts[0] if counts else 0)]


class RawConnection:
    """One keep-alive HTTP/1.1 connection spoken by hand over asyncio streams.

    httpx costs ~4 ms of client CPU per request on this machine: at 200 requests/s the load
    generator, not the server, ran out of CPU (measured: client 12.2 CPU-s, API process 3.4
    CPU-s for the same 3,000 requests). This client costs a small fraction of that."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str, timeout: float) -> tuple[int, bytes]:
        return await asyncio.wait_for(self._get(path), timeout)

    async def _get(self, path: str) -> tuple[int, bytes]:
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
            body = await reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        return status, body

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _scorecards_under_ingest(
    base: str, paths: list[str], seconds: float, rate: int, sources: list[str]
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    busy_samples: list[bool] = []
    triggered = 0
    url = httpx.URL(base)
    host, port = url.host, url.port or 80

    async def one(conn: RawConnection, path: str, due: float) -> None:
        nonlocal errors
        try:
            status, _ = await conn.get(path, timeout=30)
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200:
                errors += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            errors += 1
        latencies.append(time.perf_counter() - due)

    async def keep_ingesting(stop: asyncio.Event) -> None:
        nonlocal triggered
        async with httpx.AsyncClient(base_url=base, headers=headers) as admin:
            while not stop.is_set():
                for source in sources:
                    r = await admin.post(f"/api/v1/ingest/{source}", timeout=30)
                    triggered += r.status_code == 202
                jobs = (await admin.get("/api/v1/schedules", timeout=30)).json()["schedules"]
                busy_samples.append(any(j["running"] for j in jobs))
                await asyncio.sleep(0.5)

    stop = asyncio.Event()
    ingesting = asyncio.create_task(keep_ingesting(stop))
    await asyncio.sleep(1.0)  # let the first pipeline start
    start = time.perf_counter()
    total = int(seconds * rate)
    next_index = 0

    async def worker() -> None:
        # a fixed set of workers, one connection each: httpx's pool slows down
        # quadratically with thousands of queued requests, which measured the client
        nonlocal next_index
        conn = RawConnection(host, port)
        while next_index < total:
            i = next_index
            next_index += 1
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await one(conn, paths[i % len(paths)], due)
        conn.close()

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    elapsed = time.perf_counter() - start
    stop.set()
    await ingesting
    return {
        "scorecards_requests": len(latencies),
        "scorecards_achieved_rps": round(len(latencies) / elapsed, 1),
        "scorecards_errors": errors,
        "scorecards_statuses": statuses,
        "scorecards_p50_ms": round(median(latencies) * 1000, 2),
        "scorecards_p95_ms": round(p95(latencies) * 1000, 2),
        "scorecards_p99_ms": round(sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "scorecards_max_ms": round(max(latencies) * 1000, 2),
        "ingest_triggers_accepted": triggered,
        "ingest_running_share": round(sum(busy_samples) / max(len(busy_samples), 1), 2),
    }


def _tree_labels(pid: int) -> dict[str, int]:
    """``pid`` (as ``serve``) and each of its descendants still alive (as ``comm:pid``)."""
    out = {"serve": pid}
    for child in _tree_pids(pid)[1:]:
        comm = Path(f"/proc/{child}/comm")
        out[f"{comm.read_text().strip() if comm.exists() else '?'}:{child}"] = child
    return out


def _tree_peak_rss_mb(pid: int) -> dict[str, float | None]:
    """Peak RSS (``VmHWM``) of ``pid`` and of each of its descendants still alive."""
    return {label: _status_mb(each, "VmHWM") for label, each in _tree_labels(pid).items()}


def _tree_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of ``pid`` and each descendant still alive."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for label, each in _tree_labels(pid).items():
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        out[label] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _py_spy(pid: int, out: Path, seconds: float) -> list[subprocess.Popen[bytes]]:
    """One py-spy per Python process of the tree (``out.<pid>``): collapsed stacks of the
    threads on a CPU."""
    spy = Path(sys.executable).parent / "py-spy"
    pids = list(_tree_labels(pid).values())
    return [
        subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(p),
                "--threads",
                "--format",
                "raw",
                "--duration",
                str(int(seconds)),
                "--output",
                f"{out}.{p}",
                "--rate",
                "100",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in pids
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="L", choices=sorted(generate.SIZES))
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--blast", type=int, default=500)
    parser.add_argument("--no-report", action="store_true", help="leave the report figures out")
    parser.add_argument(
        "--profile",
        type=Path,
        help="record a py-spy profile (collapsed stacks of the thread holding the GIL) of the "
        "serve process "
        "tree during the load window into this file",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="start from bench-data/<size>-db/steward.duckdb when it exists (ingested and "
        "scored by an earlier run) instead of ingesting and scoring again",
    )
    args = parser.parse_args()

    data = generate.ensure(args.size, changed_ok=True)
    config = data / "steward.yaml"
    shutil.rmtree(data / "steward.duckdb.state", ignore_errors=True)
    for path in data.glob("steward*.duckdb*"):
        path.unlink()
    out: dict[str, Any] = {"size": args.size}
    saved = data.parent / f"{args.size}-db" / "steward.duckdb"
    if args.reuse and saved.is_file():
        shutil.copy(saved, data / "steward.duckdb")
    else:
        with standins(data) as env:
            ingest = run([STEWARD, "ingest", "--config", str(config)], env=env, cwd=data)
            out["setup_ingest_s"] = round(ingest.seconds, 1)
        score = run([STEWARD, "scorecard", "run", "--config", str(config)], cwd=data)
        out["setup_scorecards_s"] = round(score.seconds, 1)
        saved.parent.mkdir(exist_ok=True)
        shutil.copy(data / "steward.duckdb", saved)
    refs, (entities,) = _components(data / "steward.duckdb")
    out["entities"] = int(entities)
    rng = random.Random(12)

    port = _free_port()
    with standins(data) as env:
        serve_env = {
            **os.environ,
            **env,
            "STEWARD_BENCH_PORT": str(port),
            "STEWARD_API_TOKENS": TOKEN,
        }
        log = data / "serve-bench-api.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen(
                [STEWARD, "serve", "--config", str(config)],
                env=serve_env,
                cwd=data,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                with httpx.Client(
                    base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
                ) as client:
                    out["serve_ready_s"] = round(_wait_ready(client, proc, 600), 1)
                    # wait for the start-up pipeline (overdue sources run at start) to finish
                    deadline = time.monotonic() + 600
                    while time.monotonic() < deadline:
                        jobs = client.get("/api/v1/schedules").json()["schedules"]
                        if not any(j["running"] for j in jobs):
                            break
                        time.sleep(1)
                    times = []
                    for ref in [rng.choice(refs) for _ in range(args.blast)]:
                        t0 = time.perf_counter()
                        r = client.get(f"/api/v1/entities/{_entity_path(ref)}/blast-radius")
                        times.append(time.perf_counter() - t0)
                        r.raise_for_status()
                    out["blast_api_p50_ms"] = round(median(times) * 1000, 2)
                    out["blast_api_p95_ms"] = round(p95(times) * 1000, 2)
                    out["rss_mb_after_blast"] = _tree_peak_rss_mb(proc.pid)
                    if not args.no_report:
                        t0 = time.perf_counter()
                        r = client.get("/api/v1/reports/ownership-gaps", params={"format": "html"})
                        out["report_api_s"] = round(time.perf_counter() - t0, 2)
                        r.raise_for_status()
                        out["report_html_bytes"] = len(r.content)
                        out["rss_mb_after_report"] = _tree_peak_rss_mb(proc.pid)
                    sources = [
                        j["job"].split(":", 1)[1]
                        for j in client.get("/api/v1/schedules").json()["schedules"]
                        if j["job"].startswith("source:")
                    ]
                paths = [
                    f"/api/v1/entities/{_entity_path(rng.choice(refs))}/scorecards"
                    for _ in range(10_000)
                ]
                spy = _py_spy(proc.pid, args.profile, args.seconds + 5) if args.profile else None
                out["load_before"] = os.getloadavg()[0]
                cpu_before = _tree_cpu_s(proc.pid)
                client_before = time.process_time()
                out.update(
                    asyncio.run(
                        _scorecards_under_ingest(base, paths, args.seconds, args.rate, sources)
                    )
                )
                out["load_after"] = os.getloadavg()[0]
                out["client_cpu_s"] = round(time.process_time() - client_before, 2)
                cpu_after = _tree_cpu_s(proc.pid)
                out["serve_cpu_s_during_load"] = {
                    k: round(v - cpu_before.get(k, 0.0), 2) for k, v in cpu_after.items()
                }
                out["serve_peak_rss_mb"] = _tree_peak_rss_mb(proc.pid)
                for one_spy in spy or []:
                    one_spy.wait()
            finally:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    if args.no_report:
        print(json.dumps(out))
        return
    report = run(
        [
            STEWARD,
            "report",
            "ownership-gaps",
            "--format",
            "html",
            "--out",
            str(data / "weekly-report.html"),
            "--config",
            str(config),
        ],
        cwd=data,
    )
    out["report_cli_s"] = round(report.seconds, 2)
    out["targets"] = {
        "scorecards_p95_ms": 25,
        "scorecards_errors": 0,
        "blast_api_p95_ms": 10,
        "report_s": 5,
    }
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
