"""Stoplight Prism in proxy mode in front of the fake PagerDuty, for the whole session.

Prism (``tests/prism``, pinned in its package-lock.json) validates every request the source
sends and every response the fake returns against PagerDuty's own OpenAPI document
(``tests/prism/pagerduty-openapi-subset-prism.json``: PagerDuty's file with the four edits
Prism needs, see ``tests/prism/README.md``; ``$STEWARD_PAGERDUTY_SPEC`` points elsewhere).
With ``--errors`` an invalid request is answered 422 and an invalid response replaced by a
500; every violation, errors and warnings alike, is also written to Prism's log and to the
``sl-violations`` response header. Tests collect both and assert none.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from standins.pagerduty import FakePagerDuty
from tests.ingest.pagerduty.sample_account import TOKEN, sample_fixture

REPO = Path(__file__).resolve().parents[3]
PRISM_DIR = REPO / "tests" / "prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
SPEC = Path(
    os.environ.get(
        "STEWARD_PAGERDUTY_SPEC",
        PRISM_DIR / "pagerduty-openapi-subset-prism.json",
    )
)
INSTALL_HINT = "install it with `cd tests/prism && npm install` (or `make install`)"


class RecordingTransport(httpx.BaseTransport):
    """Keeps every ``sl-violations`` header Prism adds to a response."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.violations: list[str] = []
        self.statuses: list[tuple[str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        self.statuses.append((request.url.path, response.status_code))
        header = response.headers.get("sl-violations")
        if header:
            self.violations.append(f"{request.url.path}: {header}")
        return response

    def close(self) -> None:
        self._inner.close()


@dataclass
class Prism:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    upstream: FakePagerDuty
    _mark: int = field(default=0)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def mark(self) -> None:
        self._mark = self.log.stat().st_size

    def log_violations(self) -> list[str]:
        """Violation lines Prism logged since ``mark()``."""
        time.sleep(0.2)  # Prism logs the validation just after it answers
        with self.log.open("rb") as f:
            f.seek(self._mark)
            text = f.read().decode("utf-8", "replace")
        return [line.strip() for line in text.splitlines() if "Violation" in line]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def fake_pd() -> Iterator[FakePagerDuty]:
    with FakePagerDuty(sample_fixture(), token=TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def prism_server(
    fake_pd: FakePagerDuty, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Prism]:
    if not PRISM_BIN.exists():
        pytest.fail(f"Stoplight Prism is not installed at {PRISM_BIN}: {INSTALL_HINT}")
    if not SPEC.exists():
        pytest.fail(f"PagerDuty's OpenAPI subset is missing: {SPEC} (set STEWARD_PAGERDUTY_SPEC)")
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    port = _free_port()
    command = [str(PRISM_BIN), "proxy", "--errors", "-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, str(SPEC), fake_pd.base_url], stdout=out, stderr=subprocess.STDOUT
        )
    prism = Prism(process, port, log, fake_pd)
    try:
        deadline = time.monotonic() + 60
        while "Prism is listening" not in log.read_text("utf-8", "replace"):
            if process.poll() is not None:
                pytest.fail(f"Prism exited ({process.returncode}):\n{log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not start within 60 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield prism
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture()
def prism(prism_server: Prism) -> Prism:
    """The session's Prism, its fake reset to the sample fixture and its log marked."""
    prism_server.upstream.load(sample_fixture())
    prism_server.mark()
    return prism_server
