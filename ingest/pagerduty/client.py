"""PagerDuty REST API v2 over httpx: headers, classic pagination, errors as ``SourceError``.

Retries are not here: the client's transport is ``ingest.http.RetryTransport`` (429 and 5xx,
``Retry-After`` honoured) wrapped around ``RateLimitResetHint``, which turns PagerDuty's own
``ratelimit-reset`` header into a ``Retry-After`` when a 429 carries no ``Retry-After``.

Classic pagination: ``offset``/``limit`` in, ``more`` out; the next offset is ``offset`` plus the
``limit`` the server echoes. A walk is bounded three ways, each failing the run with a message
(the previous snapshot stays): ``max_pages``, PagerDuty's ``offset + limit <= 10000`` window, and
a page that repeats the previous one or is empty while ``more`` is still true.

The first page asks for ``total=true``; when the server says how many objects there are, the
other pages are requested at once (``max_concurrency`` in flight, each checked as above) and
yielded in order. Should the last of them still say ``more`` (objects were added meanwhile),
the walk goes on page by page.

Error text names the source and the URL without its query string, and never holds the token.
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from catalog.errors import SourceError
from ingest.http import ClosingClient, RetryPolicy, RetryTransport, parse_retry_after
from ingest.pagerduty.config import WINDOW, PagerDutyConfig

ACCEPT = "application/vnd.pagerduty+json;version=2"
Params = Sequence[tuple[str, str | int]]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class _Page:
    number: int
    offset: int
    items: list[Any]
    more: bool
    step: int
    """The ``limit`` the server echoed (or the one asked for): the distance to the next page."""
    total: int | None


class RateLimitResetHint(httpx.BaseTransport):
    """Copies ``ratelimit-reset`` (seconds) into ``Retry-After`` on a 429 that lacks one."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._transport.handle_request(request)
        if response.status_code == 429 and "Retry-After" not in response.headers:
            reset = parse_retry_after(response.headers.get("ratelimit-reset"))
            if reset is not None:
                response.headers["Retry-After"] = str(int(reset))
        return response

    def close(self) -> None:
        self._transport.close()


class PagerDutyClient(ClosingClient):
    """GET requests and list walks against one account; a context manager (closes its pool)."""

    def __init__(
        self,
        config: PagerDutyConfig,
        *,
        label: str = "pagerduty",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.label = label
        self._secret = config.token.get_secret_value()
        policy = RetryPolicy(
            max_retries=config.max_retries,
            backoff_factor=config.backoff_seconds,
            max_retry_after=config.max_retry_after_seconds,
        )
        inner = transport if transport is not None else httpx.HTTPTransport()
        self._client = httpx.Client(
            base_url=config.base_url,
            transport=RetryTransport(RateLimitResetHint(inner), policy=policy, sleep=sleep),
            headers={
                "Accept": ACCEPT,
                "Content-Type": "application/json",  # PagerDuty's spec requires it even on GET
                "Authorization": f"Token token={self._secret}",
            },
            timeout=config.timeout_seconds,
        )
        self.requests = 0
        self._count_lock = threading.Lock()

    # -- concurrency -------------------------------------------------------------------------
    def map(self, fn: Callable[[T], R], args: Sequence[T]) -> list[R]:
        """``[fn(a) for a in args]`` with up to ``max_concurrency`` calls in flight, each in a
        copy of the caller's ``contextvars`` context; the first error (in order) is raised."""
        if len(args) <= 1 or self.config.max_concurrency == 1:
            return [fn(a) for a in args]
        with ThreadPoolExecutor(
            min(self.config.max_concurrency, len(args)), thread_name_prefix="pagerduty"
        ) as pool:
            futures = [pool.submit(contextvars.copy_context().run, fn, a) for a in args]
            try:
                return [f.result() for f in futures]
            finally:
                for future in futures:
                    future.cancel()

    # -- list walks --------------------------------------------------------------------------
    def pages(self, path: str, key: str, params: Params = ()) -> Iterator[list[Any]]:
        """Every page of ``GET path`` as the list under ``key``, following ``more``."""
        page = self._page(path, key, params, number=1, offset=0, total=True)
        yield page.items
        before: _Page | None = None
        if page.more and page.total is not None:
            planned = self._planned(path, page, page.total)
            fetched = self.map(
                lambda at: self._page(path, key, params, number=at[0], offset=at[1]), planned
            )
            for later in fetched:
                self._check_advances(path, page, before)
                before, page = page, later
                yield page.items
                if not page.more:
                    return
        while page.more:
            offset = self._check_advances(path, page, before)
            before = page
            page = self._page(path, key, params, number=page.number + 1, offset=offset)
            yield page.items

    def _page(
        self, path: str, key: str, params: Params, *, number: int, offset: int, total: bool = False
    ) -> _Page:
        limit = self.config.page_size
        where = f"{self.config.base_url}{path} (page {number}, offset {offset})"
        query = [*params, ("limit", limit), ("offset", offset)]
        if total:
            query.append(("total", "true"))
        body = self.get(path, query, where=where)
        items = body.get(key)
        if not isinstance(items, list):
            raise self._error(f"unexpected response from {where}: '{key}' is not a list")
        more = body.get("more")
        if not isinstance(more, bool):
            raise self._error(f"unexpected response from {where}: 'more' is not a boolean")
        echoed = body.get("limit")
        step = echoed if isinstance(echoed, int) and echoed > 0 else limit
        count = body.get("total")
        known = count if isinstance(count, int) and not isinstance(count, bool) else None
        return _Page(number, offset, items, more, step, known)

    def _check_advances(self, path: str, page: _Page, before: _Page | None) -> int:
        """The offset after ``page`` (which says ``more``), or the error that ends the walk."""
        if not page.items or (before is not None and _same(page.items, before.items)):
            raise self._error(
                f"pagination of {self.config.base_url}{path} does not advance at page "
                f"{page.number} ('more' is true but the page is empty or repeats the previous "
                "one); the previous snapshot is kept"
            )
        self._check_bounds(path, page.number, page.offset + page.step)
        return page.offset + page.step

    def _check_bounds(self, path: str, number: int, next_offset: int) -> None:
        """Page ``number`` said ``more``: may page ``number + 1`` at ``next_offset`` be read?"""
        limit = self.config.page_size
        if number >= self.config.max_pages:
            raise self._error(
                f"{self.config.base_url}{path} still had more pages after max_pages="
                f"{self.config.max_pages} (page size {limit}); raise max_pages; the previous "
                "snapshot is kept"
            )
        if next_offset + limit > WINDOW:
            raise self._error(
                f"{self.config.base_url}{path} has more than {WINDOW} records, the most "
                "PagerDuty's offset pagination returns; the previous snapshot is kept"
            )

    def _planned(self, path: str, first: _Page, total: int) -> list[tuple[int, int]]:
        """(number, offset) of the pages after ``first`` that hold ``total`` objects; the
        bounds are checked before any is requested, as the page-by-page walk would."""
        planned: list[tuple[int, int]] = []
        number, offset = 1, 0
        while offset + first.step < total:
            self._check_bounds(path, number, offset + first.step)
            number, offset = number + 1, offset + first.step
            planned.append((number, offset))
        return planned

    # -- one request -------------------------------------------------------------------------
    def get(self, path: str, params: Params = (), *, where: str | None = None) -> dict[str, Any]:
        """``GET path`` as a JSON object; every failure is a ``SourceError``."""
        where = where or f"{self.config.base_url}{path}"
        with self._count_lock:
            self.requests += 1
        try:
            response = self._client.get(path, params=list(params))
        except httpx.TimeoutException as exc:
            raise self._error(
                f"request timed out after {self.config.timeout_seconds:g}s "
                f"({type(exc).__name__}): GET {where}"
            ) from None
        except httpx.TransportError as exc:
            raise self._error(f"cannot reach {where}: {type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status == 401:
            raise self._error(
                f"token rejected (HTTP 401) by {where}{_error_message(response)}; use a REST API "
                "key (an account Read-only API Key is enough) or a user token with read access"
            )
        if status in (402, 403):
            raise self._error(
                f"the token may not read {where} (HTTP {status}){_error_message(response)}"
            )
        if status != 200:
            raise self._error(f"HTTP {status} from {where}{_error_message(response)}")
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._error(f"malformed JSON from {where}: {exc}") from None
        if not isinstance(body, dict):
            raise self._error(f"unexpected response from {where}: not a JSON object")
        return body

    def _error(self, message: str) -> SourceError:
        text = f"{self.label}: {message}"
        return SourceError(text.replace(self._secret, "**********"))


def _error_message(response: httpx.Response) -> str:
    """PagerDuty's error body is ``{"error": {"message", "code", "errors"?}}``; quote it."""
    try:
        error = json.loads(response.content)["error"]
        message = str(error["message"])
        details = error.get("errors")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return ""
    if isinstance(details, list) and details:
        message += " (" + "; ".join(str(d) for d in details[:3]) + ")"
    return f": {message[:300]}"


def _same(a: list[Any], b: list[Any]) -> bool:
    """Two pages with the same items (on-calls have no id: compare them whole)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
