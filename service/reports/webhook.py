"""Posting the report's summary to a Slack-compatible incoming webhook (``{"text": ...}``).

httpx, no redirects followed (the URL's own host only), retried on connection errors, 429 and
5xx with backoff (``Retry-After`` honoured up to a cap). The webhook URL carries its secret in
the path, so it is never logged or put in an error: only its host is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from catalog import secrets
from catalog.errors import StewardError
from service.reports.model import OwnershipGapReport

log = logging.getLogger("steward.reports")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class WebhookError(StewardError):
    pass


def summary_text(report: OwnershipGapReport, *, top: int = 5) -> str:
    """Slack mrkdwn: the headline; unless nothing changed, the busiest teams and suggestions."""
    if report.no_change:
        return report.headline()
    lines = [f"*{report.headline()}*"]
    leaves = [s for s in report.teams if s.own.new or s.own.resolved or s.own.open]
    leaves.sort(key=lambda s: (-s.own.new, -s.own.open, s.team or ""))
    for section in leaves[:top]:
        c = section.own
        lines.append(f"• {section.team}: {c.new} new, {c.resolved} resolved, {c.open} open")
    u = report.unassigned.own
    if u.open or u.new:
        lines.append(f"• (no team): {u.new} new, {u.resolved} resolved, {u.open} open")
    suggested = [s for s in report.suggestions if s.suggestions]
    if suggested:
        lines.append(
            f"Suggested owners for {len(suggested)} unowned entities, e.g. "
            f"{suggested[0].subject} → {suggested[0].suggestions[0].owner}"
        )
    return "\n".join(lines)


def post_webhook(
    url: str,
    text: str,
    *,
    attempts: int = 4,
    backoff_s: float = 1.0,
    max_wait_s: float = 30.0,
    timeout_s: float = 10.0,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST ``{"text": text}``; returns the attempts used. Raises :class:`WebhookError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("webhook_url must be an http(s) URL")
    host = parts.hostname
    # the path (and any query) is the webhook's secret: httpx logs request URLs at INFO
    secrets.register(url)
    if len(parts.path) > 1:
        secrets.register(parts.path + (f"?{parts.query}" if parts.query else ""))
    with httpx.Client(follow_redirects=False, timeout=timeout_s, transport=transport) as client:
        for attempt in range(1, attempts + 1):
            wait = backoff_s * 2 ** (attempt - 1)
            try:
                response = client.post(url, json={"text": text})
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}"
            else:
                if response.is_success:
                    log.info("report posted to webhook host=%s attempts=%d", host, attempt)
                    return attempt
                if response.status_code not in RETRY_STATUSES:
                    raise WebhookError(
                        f"webhook at {host} refused the report: HTTP {response.status_code}"
                    )
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("retry-after", "")
                if retry_after.isdigit():
                    wait = float(retry_after)
            if attempt == attempts:
                raise WebhookError(f"webhook at {host} failed {attempts} times (last: {problem})")
            log.warning("webhook host=%s attempt=%d failed (%s); retrying", host, attempt, problem)
            sleep(min(wait, max_wait_s))
    raise AssertionError("unreachable")
