"""The one piece of HTTP plumbing every stand-in shares: a threaded server on 127.0.0.1.

A stand-in subclasses ``LocalServer`` and passes the request handler class; the server binds a
free port at construction (so ``base_url`` is known before it starts), serves from a daemon
thread after ``start()`` (or ``with``), and ``close()`` stops the thread and frees the port.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

LOCALHOST = "127.0.0.1"


def free_port(host: str = LOCALHOST) -> int:
    """A port the OS has just found free on ``host`` (for servers that want a number up front,
    such as moto's; ``LocalServer`` binds port 0 itself and needs none)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """A ``ThreadingHTTPServer`` for ``handler`` on ``host`` (port 0: a free one)."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        host: str = LOCALHOST,
        port: int = 0,
        poll_interval: float = 0.5,
    ) -> None:
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._poll_interval = poll_interval
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": self._poll_interval},
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving (waits for the serving thread) and release the port; idempotent."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
