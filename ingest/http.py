"""Retrying httpx transports for the HTTP sources (Backstage, PagerDuty, …).

Retries live in the transport, not in the sources: a source builds its client with
``httpx.Client(transport=RetryTransport(...))`` and every request it sends is retried the same way.

What is retried (``RetryPolicy`` holds the knobs):

- responses whose status is in ``retry_statuses`` (429 and 500/502/503/504 by default), for
  methods in ``retry_methods`` (the idempotent ones by default). ``Retry-After`` is honoured in
  both forms, delta-seconds and HTTP-date; a server asking for longer than ``max_retry_after``
  is not retried and its response is returned as is (waiting less than asked is pointless and
  waiting that long is not the transport's call).
- connection failures (``httpx.ConnectError``, ``httpx.ConnectTimeout``), which happen before a
  request reaches the server and so are retried for every method;
- read/write timeouts and broken connections (``httpx.ReadTimeout``, ``httpx.WriteTimeout``,
  ``httpx.RemoteProtocolError``, ``httpx.ReadError``, ``httpx.WriteError``) for idempotent methods.

Between attempts it sleeps ``backoff_factor * 2**(attempt - 1)`` seconds capped at
``max_backoff`` (with full jitter when ``jitter`` is set), or what ``Retry-After`` asks if that is
longer. After ``max_retries`` retries the last response is returned or the last error raised, so
the caller sees exactly what it would have seen without retries.

Requests whose body is a one-shot stream cannot be sent twice and are never retried.

Before each attempt (each redirect hop included: httpx hands every hop to the transport) the
request is checked against the host allow-list in force (``ingest.allowed_hosts.enforced``); a
refused request raises ``HostRefused`` and is never sent.
Retries are logged at INFO with the method, host and path (never headers or the query string,
which may carry credentials).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC
from types import TracebackType
from typing import Self

import httpx

from ingest.allowed_hosts import HostPolicy, check_request

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_ALWAYS_RETRIED: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout)
_RETRIED_IF_IDEMPOTENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None.

    A date in the past gives 0; an unparseable or negative value gives None.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT; obsolete forms may parse naive
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry; shared by the sync and async transports."""

    max_retries: int = 3
    backoff_factor: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    retry_statuses: frozenset[int] = RETRY_STATUSES
    retry_methods: frozenset[str] = IDEMPOTENT_METHODS
    jitter: bool = True
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def backoff(self, attempt: int) -> float:
        """The pause before retry number ``attempt`` (1-based) when the server gives no hint."""
        delay: float = min(self.max_backoff, self.backoff_factor * 2 ** (attempt - 1))
        return random.uniform(0, delay) if self.jitter else delay

    def delay_for_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int
    ) -> float | None:
        """Seconds to wait before retrying after ``response``, or None to return it as is."""
        if attempt > self.max_retries:
            return None
        if response.status_code not in self.retry_statuses:
            return None
        if request.method not in self.retry_methods:
            return None
        asked = parse_retry_after(response.headers.get("Retry-After"), now=self.clock())
        if asked is not None and asked > self.max_retry_after:
            return None
        return max(asked or 0.0, self.backoff(attempt))

    def delay_for_error(self, request: httpx.Request, exc: Exception, attempt: int) -> float | None:
        """Seconds to wait before retrying after a transport error, or None to raise it."""
        if attempt > self.max_retries:
            return None
        if isinstance(exc, _ALWAYS_RETRIED) or (
            isinstance(exc, _RETRIED_IF_IDEMPOTENT) and request.method in self.retry_methods
        ):
            return self.backoff(attempt)
        return None


def _replayable(request: httpx.Request) -> bool:
    return isinstance(request.stream, httpx.ByteStream)


def _describe(request: httpx.Request) -> str:
    """Method, scheme, host, port and path: never userinfo, the query string or headers."""
    url = request.url
    port = f":{url.port}" if url.port is not None else ""
    return f"{request.method} {url.scheme}://{url.host}{port}{url.path}"


def _log_retry(request: httpx.Request, why: str, delay: float, attempt: int, limit: int) -> None:
    log.info("%s: %s; retry %d of %d in %.2fs", _describe(request), why, attempt, limit, delay)


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport (default ``httpx.HTTPTransport()``) and retries as ``RetryPolicy`` says.

    ``sleep`` is injectable so tests need not wait.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._transport = transport if transport is not None else httpx.HTTPTransport()
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_request(request)
        if not _replayable(request):  # judged before the first send consumes the stream
            return self._transport.handle_request(request)
        attempt = 1
        while True:
            try:
                response = self._transport.handle_request(request)
            except httpx.TransportError as exc:
                delay = self.policy.delay_for_error(request, exc, attempt)
                if delay is None:
                    raise
                _log_retry(request, type(exc).__name__, delay, attempt, self.policy.max_retries)
            else:
                delay = self.policy.delay_for_response(request, response, attempt)
                if delay is None:
                    return response
                response.close()
                why = f"HTTP {response.status_code}"
                _log_retry(request, why, delay, attempt, self.policy.max_retries)
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        self._transport.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The async twin of ``RetryTransport`` (default ``httpx.AsyncHTTPTransport()``)."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_request(request)
        if not _replayable(request):
            return await self._transport.handle_async_request(request)
        attempt = 1
        while True:
            try:
                response = await self._transport.handle_async_request(request)
            except httpx.TransportError as exc:
                delay = self.policy.delay_for_error(request, exc, attempt)
                if delay is None:
                    raise
                _log_retry(request, type(exc).__name__, delay, attempt, self.policy.max_retries)
            else:
                delay = self.policy.delay_for_response(request, response, attempt)
                if delay is None:
                    return response
                await response.aclose()
                why = f"HTTP {response.status_code}"
                _log_retry(request, why, delay, attempt, self.policy.max_retries)
            await self._sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        await self._transport.aclose()


class HostCheckingTransport(httpx.BaseTransport):
    """Sends through ``transport`` (default ``httpx.HTTPTransport()``) only requests that
    ``policy`` allows (or, without one, the policy in force); for clients that do not retry,
    such as the report's webhook."""

    def __init__(
        self, transport: httpx.BaseTransport | None = None, *, policy: HostPolicy | None = None
    ) -> None:
        self._transport = transport if transport is not None else httpx.HTTPTransport()
        self.policy = policy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.policy is not None:
            self.policy.check(request)
        else:
            check_request(request)
        return self._transport.handle_request(request)

    def close(self) -> None:
        self._transport.close()


class ClosingClient:
    """``with`` support for a source's API client that wraps one ``httpx.Client``."""

    _client: httpx.Client

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()


__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "AsyncRetryTransport",
    "ClosingClient",
    "HostCheckingTransport",
    "RetryPolicy",
    "RetryTransport",
    "parse_retry_after",
]
