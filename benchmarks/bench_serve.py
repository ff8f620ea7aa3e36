"""Serve figures (issue 11): CLI start-up, reads from other threads during a 50k-entity ingest,
snapshot publish of the 50k organisation.

    python -m benchmarks.bench_serve [--size L] [--data bench-data]

* **CLI start-up**: whole ``steward --help`` and ``steward catalog check FILE`` processes,
  median and p95 of 15, beside the floor ``python -c pass`` and ``python -c "import typer"``.
* **reads during an ingest**: 4 reader threads on ``StewardService.reader()`` cursors (an
  entity by ref, its scores, an aggregate over a view, in turn) while the pipeline
  re-ingests the catalog of the organisation from cold (parse caches removed) and re-scores it;
  p50/p95/max per read, beside the same reads with nothing else running.
* **snapshot publish**: ``Store.publish_snapshot()`` on the ingested and scored database
  (CHECKPOINT, copy, open check, rename), median of 5, beside a plain ``cp`` of the same file.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from benchmarks import generate
from benchmarks.measure import ROOT, STEWARD, median, p95, run


def startup(catalog_file: Path) -> dict[str, Any]:
    def times(cmd: list[str], n: int = 15) -> list[float]:
        run(cmd, cwd=ROOT)  # warm the page cache
        return [run(cmd, cwd=ROOT).seconds for _ in range(n)]

    figures: dict[str, Any] = {}
    for name, cmd in {
        "steward_help": [STEWARD, "--help"],
        "steward_catalog_check": [STEWARD, "catalog", "check", str(catalog_file)],
        "floor_python_bare": [sys.executable, "-c", "pass"],
        "floor_python_import_typer": [sys.executable, "-c", "import typer"],
    }.items():
        values = times(cmd)
        figures[f"{name}_median_s"] = round(median(values), 3)
        figures[f"{name}_p95_s"] = round(p95(values), 3)
    return figures


def _config(data: Path, work: Path) -> Path:
    config = work / "steward.yaml"
    config.write_text(
        f"database: {work / 'steward.duckdb'}\n"
        "sources:\n"
        f"  catalog: {{type: catalog_files, roots: [{data / 'org'}, {data / 'repos'}]}}\n"
        f"scorecards: {data / 'scorecards'}\n"
    )
    return config


def _reads(refs: list[str]) -> list[Callable[[duckdb.DuckDBPyConnection], object]]:
    """Reads an API request makes: an entity by ref, its scores, an aggregate over a view."""
    rng = random.Random(7)
    return [
        lambda con: con.execute(
            "SELECT * FROM entities WHERE ref = ?", [rng.choice(refs)]
        ).fetchall(),
        lambda con: con.execute(
            "SELECT scorecard, level, score FROM scorecard_scores WHERE ref = ?",
            [rng.choice(refs)],
        ).fetchall(),
        lambda con: con.execute(
            "SELECT owner, count(*) FROM entities GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
        ).fetchall(),
    ]


def _library_reads(service: Any, refs: list[str]) -> dict[str, Any]:
    """What the per-entity library reads cost on their own (no ingest running), for context."""
    from scorecards.queries import scorecards_of
    from service.ownership import ownership_of

    figures = {}
    for name, read in (("ownership_of", ownership_of), ("scorecards_of", scorecards_of)):
        times = []
        for ref in refs[:10]:
            start = time.perf_counter()
            with service.reader() as cur:
                read(cur, ref)
            times.append(time.perf_counter() - start)
        figures[f"idle_{name}_median_ms"] = round(median(times) * 1000, 1)
    return figures


def _read_loop(service: Any, reads: list[Any], stop: threading.Event, out: list[float]) -> None:
    i = 0
    while not stop.is_set():
        start = time.perf_counter()
        with service.reader() as cur:
            reads[i % len(reads)](cur)
        out.append(time.perf_counter() - start)
        i += 1


def _read_figures(prefix: str, values: list[float]) -> dict[str, Any]:
    return {
        f"{prefix}_reads": len(values),
        f"{prefix}_p50_ms": round(median(values) * 1000, 2),
        f"{prefix}_p95_ms": round(p95(values) * 1000, 2),
        f"{prefix}_max_ms": round(max(values) * 1000, 2),
    }


def serve_figures(data: Path) -> dict[str, Any]:
    from service.config import load_config
    from service.steward_service import StewardService

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        service = StewardService(load_config(_config(data, work)))
        try:
            start = time.perf_counter()
            first = service.run_pipeline()
            figures["first_pipeline_s"] = round(time.perf_counter() - start, 2)
            assert first.ok, first.errors
            with service.reader() as cur:
                refs = [
                    r[0]
                    for r in cur.execute(
                        "SELECT ref FROM entities WHERE kind = 'component' USING SAMPLE 2000"
                    ).fetchall()
                ]
                figures["entities"] = cur.execute("SELECT count(*) FROM entities").fetchall()[0][0]

            figures.update(_library_reads(service, refs))
            reads = _reads(refs)
            idle: list[float] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=_read_loop, args=[service, reads, stop, idle])
                for _ in range(4)
            ]
            for t in threads:
                t.start()
            time.sleep(5)
            stop.set()
            for t in threads:
                t.join()
            figures.update(_read_figures("idle", idle))

            shutil.rmtree(service.config.resolved_state_dir)  # the next ingest parses again
            busy: list[float] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=_read_loop, args=[service, reads, stop, busy])
                for _ in range(4)
            ]
            for t in threads:
                t.start()
            start = time.perf_counter()
            second = service.run_pipeline()
            figures["pipeline_under_reads_s"] = round(time.perf_counter() - start, 2)
            stop.set()
            for t in threads:
                t.join()
            assert second.ok, second.errors
            figures.update(_read_figures("during_ingest", busy))

            publish = []
            for _ in range(5):
                start = time.perf_counter()
                snapshot = service.store.publish_snapshot()
                publish.append(time.perf_counter() - start)
            figures["snapshot_publish_median_s"] = round(median(publish), 3)
            figures["snapshot_publish_max_s"] = round(max(publish), 3)
            figures["snapshot_mb"] = round(snapshot.bytes / 2**20, 1)
            copies = []
            for _ in range(5):
                start = time.perf_counter()
                subprocess.run(["cp", str(snapshot.path), str(work / "copy.duckdb")], check=True)
                copies.append(time.perf_counter() - start)
            figures["floor_cp_median_s"] = round(median(copies), 3)
        finally:
            service.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="L", choices=sorted(generate.SIZES))
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_OUT)
    args = parser.parse_args()
    data = args.data / args.size
    if not (data / "steward.yaml").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.generate",
                "--size",
                args.size,
                "--out",
                str(args.data),
            ],
            cwd=ROOT,
            check=True,
        )
    catalog_file = next((data / "repos").glob("*/catalog-info.yaml"))
    from service.server import prefer_readers

    prefer_readers()  # as steward serve does
    figures = {"size": args.size, **startup(catalog_file), **serve_figures(data)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
