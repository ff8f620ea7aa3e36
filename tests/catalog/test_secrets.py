from __future__ import annotations

import logging
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from catalog import secrets
from catalog.store import Store
from ingest.pagerduty import PagerDutyConfig, PagerDutySource
from ingest.runner import run_source
from tests.reliability.helpers import http_server

SECRET = "s3cr3t-Tok/en+value"


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    secrets.forget_all()
    yield
    secrets.forget_all()


def test_every_form_of_a_secret_is_redacted() -> None:
    raw = SECRET + "\r\n"
    secrets.register(raw)
    texts = [
        f"header {raw} sent",
        f"Illegal header value {('Token token=' + raw).encode()!r}",
        f"repr {raw!r}",
        f"url https://h/x?token={quote(raw, safe='')}",
        f"url https://h/x?token={quote(SECRET)}",
        f"stripped {SECRET}.",
    ]
    for text in texts:
        redacted = secrets.redact(text)
        assert "s3cr3t" not in redacted, text
        assert secrets.MASK in redacted


def test_short_values_are_not_treated_as_secrets() -> None:
    secrets.register("ab")
    assert secrets.redact("about abba") == "about abba"


def test_secret_problem_never_quotes_the_value() -> None:
    for value in [SECRET + "\r", SECRET + "\n", "a\x00b" + SECRET, SECRET + "é"]:
        problem = secrets.secret_problem(value)
        assert problem is not None
        assert "s3cr3t" not in problem
    assert secrets.secret_problem(SECRET) is None
    assert "at its end" in (secrets.secret_problem(SECRET + "\r\n") or "")


def test_log_records_are_redacted_even_with_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    secrets.register(SECRET)
    log = logging.getLogger("steward.test")
    with caplog.at_level(logging.INFO):
        log.info("token is %s", SECRET)
        try:
            raise ValueError(f"bad header {SECRET!r}")
        except ValueError:
            log.exception("crashed")
    text = caplog.text
    assert "s3cr3t" not in text
    assert "token is ***" in text
    assert "ValueError: bad header '***'" in text


def test_a_leaking_http_error_is_redacted_in_ingest_runs_and_report(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx refuses a header value with a CR and quotes it in its error: before redaction the
    token reached ``ingest_runs.message`` and the printed report."""
    token = SECRET + "\r"
    secrets.register(token)  # what load_config does for every SecretStr

    def ok(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()

    with http_server(ok) as url:
        config = PagerDutyConfig.model_validate(
            {"type": "pagerduty", "base_url": url, "token": token, "max_retries": 0}
        )
        with caplog.at_level(logging.DEBUG), Store(tmp_path / "s.duckdb") as store:
            outcome = run_source(store, "pd", PagerDutySource(config), state_dir=tmp_path / "state")
    assert outcome.status == "failed"
    assert outcome.message is not None and "Illegal header value" in outcome.message
    assert "s3cr3t" not in outcome.message
    assert all("s3cr3t" not in m for m in outcome.report.errors)
    assert "s3cr3t" not in caplog.text
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        stored = con.execute("SELECT message FROM ingest_runs").fetchall()
    finally:
        con.close()
    assert stored and all("s3cr3t" not in str(row[0]) for row in stored)
    assert "***" in str(stored[0][0])
