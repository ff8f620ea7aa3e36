"""Issue 5 benchmark: 200,000 tagged AWS resources through the aws_tags source into DuckDB.

Run: ``python -m benchmarks.bench_aws_tags [--resources N] [--regions N]``. Prints one JSON line.

moto needs minutes to create 200k resources, so the resources are served by ``FakeTaggingApi``:
a small HTTP server on 127.0.0.1 speaking the Tagging API's ``GetResources`` JSON protocol
(``X-Amz-Target: ResourceGroupsTaggingAPI_20170126.GetResources``, ``ResourcesPerPage``,
``PaginationToken``), with the region taken from the request's SigV4 credential scope. The
source reaches it through real boto3 (``endpoint_url``), so signing, retries, the paginator and
response parsing are all measured. Reported separately: the source (listing + records), the
store load (``Store.finish_run``: Arrow conversion and the snapshot replacement in one
transaction) and the runner's own share (grouping records by table, columns, freeing them).

``FakeTaggingApi`` also injects faults for the tests: failing regions (HTTP 500), endless
pagination, throttling (``ThrottlingException`` for the first N requests) and rejected
credentials.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from catalog.store import Store
from ingest.aws_tags import AwsTagsConfig, AwsTagsSource
from ingest.records import Record
from ingest.runner import run_source
from ingest.source import SourceContext

TARGET = "ResourceGroupsTaggingAPI_20170126.GetResources"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
Item = dict[str, Any]

_KINDS = (
    ("ec2", "{region}:{account}:instance/i-{n:017x}"),
    ("s3", "::bench-bucket-{n}"),
    ("lambda", "{region}:{account}:function:fn-{n}"),
    ("rds", "{region}:{account}:db:db-{n}"),
    ("sqs", "{region}:{account}:queue-{n}"),
    ("dynamodb", "{region}:{account}:table/table-{n}"),
)


def generate_resources(count: int, region: str, *, start: int = 0, teams: int = 50) -> list[Item]:
    """``count`` resources of six types; one in 20 without an owner tag."""
    items: list[Item] = []
    for n in range(start, start + count):
        service, tail = _KINDS[n % len(_KINDS)]
        arn = f"arn:aws:{service}:" + tail.format(region=region, account="123456789012", n=n)
        tags = [
            {"Key": "Name", "Value": f"resource-{n}"},
            {"Key": "env", "Value": "prod" if n % 3 else "staging"},
            {"Key": "service", "Value": f"component-{n % 2000}"},
            {"Key": "cost-center", "Value": f"cc-{n % 97}"},
        ]
        if n % 20:
            tags.append({"Key": "team", "Value": f"team-{n % teams}"})
        items.append({"ResourceARN": arn, "Tags": tags})
    return items


class FakeTaggingApi:
    """A GetResources server on 127.0.0.1; ``resources`` maps region → items. Use as a context
    manager; ``endpoint_url`` is where to point the source."""

    def __init__(self, resources: dict[str, list[Item]]) -> None:
        self.resources = resources
        self.fail_regions: set[str] = set()
        self.endless = False
        self.throttle_requests = 0
        self.reject_credentials: str | None = None  # an error code such as "ExpiredTokenException"
        self.requests = 0
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes
            error_content_type = "application/x-amz-json-1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = api.answer(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeTaggingApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @staticmethod
    def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
        return status, json.dumps({"__type": code, "message": message}).encode()

    def answer(self, headers: Any, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests += 1
            throttled = self.requests <= self.throttle_requests
        if headers.get("X-Amz-Target") != TARGET:
            return self._error(400, "UnknownOperationException", "only GetResources is served")
        if self.reject_credentials:
            return self._error(400, self.reject_credentials, "The security token has expired.")
        if throttled:
            return self._error(400, "ThrottlingException", "Rate exceeded")
        found = _SCOPE.search(headers.get("Authorization") or "")
        region = found.group(1) if found else "us-east-1"
        if region in self.fail_regions:
            return self._error(500, "InternalServiceException", f"{region} is unavailable")
        request = json.loads(body or b"{}")
        per_page = int(request.get("ResourcesPerPage") or 50)
        offset = int(request.get("PaginationToken") or 0)
        items = self.resources.get(region, [])
        page = items[offset : offset + per_page]
        token = str(offset + per_page) if offset + per_page < len(items) or self.endless else ""
        return 200, json.dumps({"PaginationToken": token, "ResourceTagMappingList": page}).encode()


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
