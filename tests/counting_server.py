"""A server on 127.0.0.1 that answers every GET with 500 and records the paths it was asked
for: the tests of the host allow-list assert that a refused host never saw a request."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from standins.server import LocalServer


@pytest.fixture()
def counting_server() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    with LocalServer(Handler) as server:
        yield server.base_url, seen
