"""The shared local-server helper: a free 127.0.0.1 port, serves while open, gone when closed."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from standins.server import LocalServer, free_port


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_serves_on_a_free_local_port_and_stops() -> None:
    with LocalServer(Hello) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert not server.base_url.endswith(":0")
        assert server.running
        answer = httpx.get(f"{server.base_url}/x", timeout=5)
        assert (answer.status_code, answer.text) == (200, "hello /x")
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/x", timeout=5)


def test_two_servers_get_different_ports_and_close_is_idempotent() -> None:
    first, second = LocalServer(Hello).start(), LocalServer(Hello).start()
    try:
        assert first.base_url != second.base_url
    finally:
        first.close()
        second.close()
    first.close()


def test_free_port_is_bindable() -> None:
    port = free_port()
    with LocalServer(Hello, port=port) as server:
        assert server.base_url == f"http://127.0.0.1:{port}"
