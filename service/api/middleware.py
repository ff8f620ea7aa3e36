"""Plain ASGI middleware (no per-request task overhead): body size cap and request timing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import PROBLEM_JSON


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413: by Content-Length, or while reading
    a body sent without one (buffered, then replayed to the app)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class ApiAuth:
    """Every ``/api/`` path (known or not) needs a valid bearer token: an anonymous caller
    learns nothing, not even which routes exist."""

    def __init__(self, app: ASGIApp, allows: Callable[[str | None], bool]) -> None:
        self.app = app
        self.allows = allows

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            scope["path"] == "/api" or scope["path"].startswith("/api/")
        ):
            header = dict(scope["headers"]).get(b"authorization")
            if not self.allows(None if header is None else header.decode("latin-1")):
                await _problem(
                    send, 401, "Unauthorized", "unauthorized", [(b"www-authenticate", b"Bearer")]
                )
                return
        await self.app(scope, receive, send)


async def _too_large(send: Send, max_bytes: int) -> None:
    await _problem(
        send,
        413,
        "Content Too Large",
        f"request body over {max_bytes} bytes",
        [(b"connection", b"close")],
    )


async def _problem(
    send: Send, status: int, title: str, detail: str, headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Timing:
    """Calls ``observe(method, route_template, status, seconds)`` after every HTTP request."""

    def __init__(self, app: ASGIApp, observe: Callable[[str, str, int, float], Any]) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.observe(
                scope["method"], route_template(scope), status, time.perf_counter() - started
            )


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v1/entities/{kind}/...``), never the raw path
    (which would make one time series per entity)."""
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    template = getattr(context, "path", None)  # FastAPI >= 0.16x: the prefixed template
    if isinstance(template, str):
        return template
    route = getattr(scope.get("route"), "path", None)
    return route if isinstance(route, str) else "unmatched"
