"""Issue 5 benchmark: 200,000 tagged AWS resources through the aws_tags source into DuckDB.

Run: ``python -m benchmarks.bench_aws_tags [--resources N] [--regions N]``. Prints one JSON line.

moto needs minutes to create 200k resources, so the resources are served by
``standins.aws.FakeTaggingApi``, a small server on 127.0.0.1 speaking the Tagging API's
``GetResources`` JSON protocol. The source reaches it through real boto3 (``endpoint_url``), so
signing, retries, the paginator and response parsing are all measured. Reported separately: the
source (listing + records), the store load (``Store.finish_run``: Arrow conversion and the snapshot
replacement in one transaction) and the runner's own share (grouping records by table, columns,
freeing them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from catalog.store import Store
from ingest.aws_tags import AwsTagsConfig, AwsTagsSource
from ingest.records import Record
from ingest.runner import run_source
from ingest.source import SourceContext
from standins.aws import FakeTaggingApi, Item, generate_resources


class _TimedSource:
    """Wraps a source to time its run (listing + records) apart from the runner's store load."""

    type_name: ClassVar[str] = AwsTagsSource.type_name
    tables: ClassVar[frozenset[str]] = AwsTagsSource.tables

    def __init__(self, inner: AwsTagsSource) -> None:
        self.inner = inner
        self.seconds = 0.0

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        start = time.perf_counter()
        records = list(self.inner.run(ctx))
        self.seconds = time.perf_counter() - start
        return records


class _TimedStore(Store):
    """Times the store's share of a run: Arrow conversion and the snapshot replacement."""

    seconds = 0.0

    def finish_run(self, run_id: int, **kwargs: Any) -> None:
        start = time.perf_counter()
        super().finish_run(run_id, **kwargs)
        self.seconds += time.perf_counter() - start


def _dataset(resources: int, regions: Sequence[str]) -> dict[str, list[Item]]:
    per_region = resources // len(regions)
    return {
        r: generate_resources(per_region, r, start=i * per_region) for i, r in enumerate(regions)
    }


def serve(resources: int, regions: Sequence[str]) -> None:
    """Serve the dataset until stdin closes; the first stdout line is the endpoint URL."""
    with FakeTaggingApi(_dataset(resources, regions)) as api:
        print(api.endpoint_url, flush=True)
        sys.stdin.read()


def run(resources: int, regions: Sequence[str]) -> dict[str, Any]:
    # the server runs in its own process so that its CPU time is not charged to the source
    cmd = [sys.executable, "-m", "benchmarks.bench_aws_tags", "--serve"]
    cmd += ["--resources", str(resources), "--regions", str(len(regions))]
    with (
        subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        assert server.stdout is not None and server.stdin is not None
        endpoint_url = server.stdout.readline().strip()
        result = _measure(endpoint_url, resources, regions, Path(tmp))
        server.stdin.close()
    return result


def _measure(
    endpoint_url: str, resources: int, regions: Sequence[str], tmp: Path
) -> dict[str, Any]:
    config = AwsTagsConfig(
        type="aws_tags",
        regions=list(regions),
        endpoint_url=endpoint_url,
        owner_tags=["team"],
        component_tags=["service"],
    )
    source = _TimedSource(AwsTagsSource(config))
    store = _TimedStore(Path(tmp) / "bench.duckdb")
    with store:
        start = time.perf_counter()
        outcome = run_source(store, "aws", source, state_dir=Path(tmp) / "state")
        total = time.perf_counter() - start
        assert outcome.status == "ok", outcome.message
        stored = store.connection.execute("SELECT count(*) FROM cloud_resources").fetchone()
        gaps = store.connection.execute("SELECT count(*) FROM _gaps_cloud").fetchone()
    return {
        "benchmark": "ingest_aws_tags",
        "resources": resources,
        "regions": len(regions),
        "page_size": config.page_size,
        "pages": outcome.report.counts["pages"],
        "stored_resources": stored[0] if stored else None,
        "infra_claims": outcome.report.counts["infra_claims"],
        "cloud_gaps": gaps[0] if gaps else None,
        "total_seconds": round(total, 2),
        "source_seconds": round(source.seconds, 2),
        "store_load_seconds": round(store.seconds, 2),
        "runner_seconds": round(total - source.seconds - store.seconds, 2),
        "budget": {"total_seconds": 20, "store_load_seconds": 2},
        "ok": total < 20 and store.seconds < 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=200_000)
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The local server accepts any signature, but boto3 signs only when it finds credentials.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "steward-bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "steward-bench")
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"][: max(1, args.regions)]
    if args.serve:
        serve(args.resources, regions)
        return
    print(json.dumps(run(args.resources, regions)))


if __name__ == "__main__":
    main()
