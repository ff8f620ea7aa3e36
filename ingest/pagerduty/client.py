"""PagerDuty REST API v2 over httpx: headers, classic pagination, errors as ``SourceError``.

Retries are not here: the client's transport is ``ingest.http.RetryTransport`` (429 and 5xx,
``Retry-After`` honoured) wrapped around ``RateLimitResetHint``, which turns PagerDuty's own
``ratelimit-reset`` header into a ``Retry-After`` when a 429 carries no ``Retry-After``.

Classic pagination: ``offset``/``limit`` in, ``more`` out; the next offset is ``offset`` plus the
``limit`` the server echoes. A walk is bounded three ways, each failing the run with a message
(the previous snapshot stays): ``max_pages``, PagerDuty's ``offset + limit <= 10000`` window, and
a page that repeats the previous one or is empty while ``more`` is still true.

Error text names the source and the URL without its query string, and never holds the token.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from catalog.errors import SourceError
from ingest.http import ClosingClient, RetryPolicy, RetryTransport, parse_retry_after
from ingest.pagerduty.config import WINDOW, PagerDutyConfig

ACCEPT = "application/vnd.pagerduty+json;version=2"
Params = Sequence[tuple[str, str | int]]


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

    # -- list walks --------------------------------------------------------------------------
    def pages(self, path: str, key: str, params: Params = ()) -> Iterator[list[Any]]:
        """Every page of ``GET path`` as the list under ``key``, following ``more``."""
        limit = self.config.page_size
        offset = 0
        previous: str | None = None
        number = 1
        while True:
            where = f"{self.config.base_url}{path} (page {number}, offset {offset})"
            body = self.get(path, [*params, ("limit", limit), ("offset", offset)], where=where)
            items = body.get(key)
            if not isinstance(items, list):
                raise self._error(f"unexpected response from {where}: '{key}' is not a list")
            yield items
            more = body.get("more")
            if not isinstance(more, bool):
                raise self._error(f"unexpected response from {where}: 'more' is not a boolean")
            if not more:
                return
            this = json.dumps(items, sort_keys=True)  # on-calls have no id: compare whole pages
            if not items or this == previous:
                raise self._error(
                    f"pagination of {self.config.base_url}{path} does not advance at page "
                    f"{number} ('more' is true but the page is empty or repeats the previous "
                    "one); the previous snapshot is kept"
                )
            if number >= self.config.max_pages:
                raise self._error(
                    f"{self.config.base_url}{path} still had more pages after max_pages="
                    f"{self.config.max_pages} (page size {limit}); raise max_pages; the previous "
                    "snapshot is kept"
                )
            echoed = body.get("limit")
            step = echoed if isinstance(echoed, int) and echoed > 0 else limit
            offset += step
            if offset + limit > WINDOW:
                raise self._error(
                    f"{self.config.base_url}{path} has more than {WINDOW} records, the most "
                    "PagerDuty's offset pagination returns; the previous snapshot is kept"
                )
            previous = this
            number += 1

    # -- one request -------------------------------------------------------------------------
    def get(self, path: str, params: Params = (), *, where: str | None = None) -> dict[str, Any]:
        """``GET path`` as a JSON object; every failure is a ``SourceError``."""
        where = where or f"{self.config.base_url}{path}"
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
