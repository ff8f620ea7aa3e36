"""GitHub's rate limits, honoured from the headers of every response.

Primary limit: ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (epoch seconds). When a response
says nothing is left, the next request waits for the reset. Secondary limits and exhausted
budgets answer 403 or 429 with ``Retry-After`` or ``X-RateLimit-Remaining: 0``; the request waits
as asked and is sent again. A wait longer than ``max_wait`` fails the source instead (its previous
snapshot stays): a scheduled run should not hang for an hour.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from catalog.errors import SourceError
from ingest.http import parse_retry_after

log = logging.getLogger(__name__)

RESET_MARGIN_SECONDS = 0.5
"""Reset times are whole seconds; wait a little past them."""


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RateLimit:
    def __init__(
        self,
        *,
        max_wait: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self.remaining: int | None = None
        self.reset_at: int | None = None
        self.waited_seconds = 0.0

    def observe(self, response: httpx.Response) -> None:
        remaining = _int_header(response.headers, "X-RateLimit-Remaining")
        if remaining is not None:
            self.remaining = remaining
            self.reset_at = _int_header(response.headers, "X-RateLimit-Reset")

    def before_request(self, what: str) -> None:
        """Wait for the reset if the last response left nothing of the budget."""
        if self.remaining == 0 and self.reset_at is not None:
            delay = self.reset_at - self._clock()
            if delay > 0:
                self._wait(delay, what, "the rate limit is used up")
            self.remaining = None

    def retry_delay(self, response: httpx.Response, what: str) -> float | None:
        """For a rate-limited response, wait as GitHub asks and return the time waited; None
        if the response is not about rate limits."""
        if response.status_code not in (403, 429):
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._clock())
        if retry_after is not None:
            return self._wait(retry_after, what, "secondary rate limit (Retry-After)")
        if _int_header(response.headers, "X-RateLimit-Remaining") == 0:
            reset = _int_header(response.headers, "X-RateLimit-Reset")
            delay = max(0.0, reset - self._clock()) if reset is not None else 60.0
            return self._wait(delay, what, "the rate limit is used up")
        return None

    def _wait(self, delay: float, what: str, why: str) -> float:
        if delay > self.max_wait:
            resets = datetime.fromtimestamp(self._clock() + delay, UTC).strftime("%H:%M:%SZ")
            raise SourceError(
                f"github: {why} at {what}; it resets at {resets}, in {delay:.0f}s, longer than "
                f"max_rate_limit_wait_seconds={self.max_wait:g}; the previous snapshot is kept"
            )
        delay += RESET_MARGIN_SECONDS
        log.info("github: %s at %s; waiting %.1fs", why, what, delay)
        self._sleep(delay)
        self.waited_seconds += delay
        return delay
