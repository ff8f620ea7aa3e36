"""The webhook against a local receiver on 127.0.0.1 (retries, no redirects, no secret in logs
or errors) and the weekly job (files in out_dir, summary posted)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from service.config import StewardConfig
from service.reports import IsoWeek, run_weekly_report
from service.reports.webhook import WebhookError, post_webhook
from standins.server import LocalServer
from tests.service.reports.conftest import GapClock

SECRET_PATH = "/services/T0001/B0002/s3cr3tW3bh00k"


class Receiver:
    def __init__(self, statuses: list[int], headers: dict[str, str] | None = None) -> None:
        self.statuses = statuses
        self.headers = headers or {}
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []


@contextmanager
def receiver(
    statuses: list[int], headers: dict[str, str] | None = None
) -> Iterator[tuple[Receiver, str]]:
    state = Receiver(statuses, headers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            state.bodies.append(json.loads(self.rfile.read(length)))
            state.paths.append(self.path)
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            for key, value in state.headers.items():
                self.send_header(key, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    with LocalServer(Handler) as server:
        yield state, f"{server.base_url}{SECRET_PATH}"


def test_retries_on_5xx_and_429_then_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sleeps: list[float] = []
    with receiver([500, 429, 200], {"retry-after": "2"}) as (state, url):
        attempts = post_webhook(url, "hello", backoff_s=0.5, sleep=sleeps.append)
    assert attempts == 3
    assert state.bodies == [{"text": "hello"}] * 3 and state.paths == [SECRET_PATH] * 3
    assert sleeps == [2.0, 2.0]  # Retry-After wins over the backoff
    assert "s3cr3t" not in caplog.text and "127.0.0.1" in caplog.text


def test_client_errors_are_not_retried_and_name_only_the_host() -> None:
    with receiver([404]) as (state, url), pytest.raises(WebhookError) as err:
        post_webhook(url, "x", sleep=lambda _: None)
    assert len(state.bodies) == 1
    assert str(err.value) == "webhook at 127.0.0.1 refused the report: HTTP 404"


def test_redirects_are_not_followed() -> None:
    moved = {"location": "http://example.com/elsewhere"}
    with receiver([302], moved) as (state, url), pytest.raises(WebhookError, match="HTTP 302"):
        post_webhook(url, "x", sleep=lambda _: None)
    assert len(state.bodies) == 1


def test_unreachable_receiver_fails_after_the_attempts(caplog: pytest.LogCaptureFixture) -> None:
    with receiver([]) as (_, url):
        pass  # closed: nothing listens on that port any more
    sleeps: list[float] = []
    with pytest.raises(WebhookError, match="failed 3 times") as err:
        post_webhook(url, "x", attempts=3, backoff_s=0.1, sleep=sleeps.append)
    assert sleeps == [0.1, 0.2]
    assert "s3cr3t" not in str(err.value) and "s3cr3t" not in caplog.text


def test_only_http_urls() -> None:
    for url in ("file:///etc/passwd", "ftp://host/x", "gopher://h/", "/relative"):
        with pytest.raises(WebhookError, match="http"):
            post_webhook(url, "x")
    from pydantic import ValidationError

    from service.config import OwnershipGapsReportConfig

    with pytest.raises(ValidationError):
        OwnershipGapsReportConfig(webhook_url="file:///etc/passwd")


class JobService:
    def __init__(self, clock: GapClock, config: StewardConfig) -> None:
        self.config = config
        self.reader = clock.store.reader


def test_weekly_job_writes_every_format_and_posts(
    history: GapClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with receiver([503, 200]) as (state, url):
        config = StewardConfig.model_validate(
            {"reports": {"ownership_gaps": {"out_dir": str(tmp_path / "out"), "webhook_url": url}}}
        )
        now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Monday of W49: reports W48
        result = run_weekly_report(JobService(history, config), now=now)  # type: ignore[arg-type]
    assert result.week == "2026-W48" and result.posted and result.error is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "ownership-gaps-2026-W48.html",
        "ownership-gaps-2026-W48.json",
        "ownership-gaps-2026-W48.md",
    ]
    text = state.bodies[-1]["text"]
    assert text.startswith("*Ownership gaps 2026-W48: 1 new, 1 resolved, 2 open")
    assert "group:default/team-a: 0 new, 1 resolved, 0 open" in text
    assert "s3cr3t" not in caplog.text


def test_quiet_week_posts_one_line_and_a_dead_webhook_does_not_stop_the_files(
    history: GapClock, tmp_path: Path
) -> None:
    with receiver([]) as (_, url):
        pass
    config = StewardConfig.model_validate(
        {"reports": {"ownership_gaps": {"out_dir": str(tmp_path), "webhook_url": url}}}
    )
    import service.reports.weekly as weekly

    original = weekly.post_webhook
    weekly.post_webhook = lambda u, t: original(u, t, attempts=2, backoff_s=0)  # type: ignore[assignment]
    try:
        result = run_weekly_report(
            JobService(history, config),  # type: ignore[arg-type]
            week=IsoWeek.parse("2026-W49"),
            now=datetime(2026, 12, 10, tzinfo=UTC),
        )
    finally:
        weekly.post_webhook = original
    assert not result.posted and result.error and "failed 2 times" in result.error
    md = (tmp_path / "ownership-gaps-2026-W49.md").read_text()
    assert md == "Ownership gaps 2026-W49: no change — 2 still open (same as last week).\n"
