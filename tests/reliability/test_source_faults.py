"""Faults in every kind of source (issue 15): each run is recorded in ingest_runs as failed with
its reason, the other sources of the same pipeline go on, and a source's last good snapshot
stays."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from service.config import load_config
from service.steward_service import StewardService
from standins.server import LocalServer

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)
TOKEN = "fault-test-token-0123456789"


def answer(
    status: int, body: bytes, headers: dict[str, str] | None = None
) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return handle


def slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)
    answer(200, b"{}")(handler)


FAULTS: dict[str, tuple[str, Callable[[BaseHTTPRequestHandler], None], str]] = {
    # name: (source yaml with {url}, server behaviour, expected words in the stored reason)
    "pd_429": (
        "{{type: pagerduty, base_url: '{url}', token: '{token}', max_retries: 1, "
        "backoff_seconds: 0, max_retry_after_seconds: 1}}",
        answer(429, b'{"error": {"message": "Rate Limit Exceeded"}}', {"Retry-After": "3600"}),
        "429",
    ),
    "pd_503": (
        "{{type: pagerduty, base_url: '{url}', token: '{token}', max_retries: 1, "
        "backoff_seconds: 0}}",
        answer(503, b"<html>unavailable</html>", {"Content-Type": "text/html"}),
        "503",
    ),
    "pd_truncated": (
        "{{type: pagerduty, base_url: '{url}', token: '{token}', max_retries: 0}}",
        answer(200, b'{"users": [{"id": "P1", "name": "A'),
        "JSON",
    ),
    "pd_timeout": (
        "{{type: pagerduty, base_url: '{url}', token: '{token}', max_retries: 0, "
        "timeout_seconds: 0.5}}",
        slow,
        "Timeout",
    ),
    "gh_403": (
        "{{type: github, org: acme, base_url: '{url}', token: '{token}', "
        "max_rate_limit_wait_seconds: 1}}",
        answer(
            403,
            b'{"message": "API rate limit exceeded"}',
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3600)},
        ),
        "rate limit",
    ),
    "gh_502": (
        "{{type: github, org: acme, base_url: '{url}', token: '{token}'}}",
        answer(502, b"bad gateway", {"Content-Type": "text/plain"}),
        "502",
    ),
    "aws_throttled": (
        "{{type: aws_tags, regions: [us-east-1], endpoint_url: '{url}', max_attempts: 1, "
        "retry_mode: standard}}",
        answer(
            400,
            b'{"__type": "ThrottlingException", "message": "Rate exceeded"}',
            {"Content-Type": "application/x-amz-json-1.1"},
        ),
        "Throttling",
    ),
}


@contextmanager
def http_server(handle: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """Answers GET and POST (the AWS JSON protocol posts) with ``handle``."""

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            handle(self)

        def log_message(self, format: str, *args: object) -> None:
            return None

    with LocalServer(_Handler) as server:
        yield server.base_url


@pytest.fixture()
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StewardService]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    (tmp_path / "repos" / "a").mkdir(parents=True)
    (tmp_path / "repos" / "a" / "catalog-info.yaml").write_text(COMPONENT)
    with ExitStack() as stack:
        lines = ["  catalog: {type: catalog_files, roots: [./repos]}"]
        for name, (template, handle, _) in FAULTS.items():
            url = stack.enter_context(http_server(handle))
            lines.append(f"  {name}: " + template.format(url=url, token=TOKEN))
        (tmp_path / "steward.yaml").write_text(
            "database: ./s.duckdb\nallowed_hosts: [127.0.0.1]\nsources:\n" + "\n".join(lines) + "\n"
        )
        with StewardService(load_config(tmp_path / "steward.yaml")) as svc:
            yield svc


def test_every_fault_is_recorded_with_its_reason_and_others_go_on(
    service: StewardService,
) -> None:
    run = service.run_pipeline()
    by_source = {o.source: o for o in run.outcomes}
    assert by_source["catalog"].status == "ok"
    with service.reader() as cur:
        stored = {
            str(s): (str(st), str(m))
            for s, st, m in cur.execute(
                "SELECT source, status, message FROM ingest_runs"
            ).fetchall()
        }
        entities = cur.execute("SELECT count(*) FROM entities").fetchall()[0][0]
    assert entities == 1
    for name, (_, _, reason) in FAULTS.items():
        status, message = stored[name]
        assert status == "failed", (name, message)
        assert reason.lower() in message.lower(), (name, message)
        assert TOKEN not in message
    # the next pipeline run goes on the same way, and the catalog snapshot stays
    again = service.run_pipeline()
    assert {o.source: o.status for o in again.outcomes}["catalog"] == "unchanged"
