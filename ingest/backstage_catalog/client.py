"""Pages of entities from Backstage's ``GET /api/catalog/entities/by-query``.

The first request carries the filter sets and ``limit``; later ones carry only ``cursor`` and
``limit``, as ``@backstage/catalog-client``'s ``streamEntities`` does (the cursor encodes the
query). The response is ``{items, totalItems, pageInfo: {nextCursor?, prevCursor?}}``.

Every way the backend can fail becomes a ``SourceError`` whose text names the URL (never its
query string) and never contains the token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from catalog.errors import SourceError
from ingest.backstage_catalog.config import BackstageCatalogConfig
from ingest.http import ClosingClient, RetryPolicy, RetryTransport

QUERY_PATH = "/api/catalog/entities/by-query"
Params = list[tuple[str, str | int | float | bool | None]]


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    items: list[Any]
    total_items: int | None


class BackstageCatalogClient(ClosingClient):
    """Iterates the pages of one query; use as a context manager so the connection pool closes."""

    def __init__(
        self, config: BackstageCatalogConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.config = config
        self.url = config.base_url + QUERY_PATH
        if transport is None:
            transport = RetryTransport(policy=RetryPolicy(max_retries=config.max_retries))
        headers = {"Accept": "application/json"}
        self._secret = config.token.get_secret_value() if config.token is not None else None
        if self._secret:
            headers["Authorization"] = f"Bearer {self._secret}"
        self._client = httpx.Client(
            transport=transport, headers=headers, timeout=config.timeout_seconds
        )

    def pages(self) -> Iterator[Page]:
        params: Params = [("filter", f) for f in self.config.filter]
        params.append(("limit", self.config.page_size))
        seen_cursors: set[str] = set()
        number = 1
        while True:
            page, cursor = self._fetch(number, params)
            yield page
            if cursor is None:
                return
            if cursor in seen_cursors:
                raise SourceError(
                    f"backstage: pagination does not advance at page {number} of {self.url} "
                    "(the same cursor came back twice); the previous snapshot is kept"
                )
            if number >= self.config.max_pages:
                raise SourceError(
                    f"backstage: {self.url} still had more pages after max_pages="
                    f"{self.config.max_pages} (page size {self.config.page_size}); raise max_pages "
                    "or narrow the filter; the previous snapshot is kept"
                )
            seen_cursors.add(cursor)
            params = [("cursor", cursor), ("limit", self.config.page_size)]
            number += 1

    def _fetch(self, number: int, params: Params) -> tuple[Page, str | None]:
        where = f"{self.url} (page {number})"
        try:
            response = self._client.get(self.url, params=params)
        except httpx.TimeoutException as exc:
            raise SourceError(
                f"backstage: request timed out after {self.config.timeout_seconds:g}s "
                f"({type(exc).__name__}): GET {where}"
            ) from None
        except httpx.TransportError as exc:
            raise SourceError(
                self._redact(f"backstage: cannot reach {where}: {type(exc).__name__}: {exc}")
            ) from None
        if response.status_code in (401, 403):
            hint = (
                "check the token (a static token under backend.auth.externalAccess with catalog "
                "read access)"
                if self._secret
                else "no token is configured; set token: ${BACKSTAGE_TOKEN}"
            )
            raise SourceError(
                f"backstage: token rejected (HTTP {response.status_code}) by {where}; {hint}"
            )
        if response.status_code == 404:
            raise SourceError(
                f"backstage: {where} not found (HTTP 404); is base_url the backend's base URL?"
            )
        if response.status_code != 200:
            raise SourceError(
                self._redact(
                    f"backstage: HTTP {response.status_code} from {where}{_error_message(response)}"
                )
            )
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"backstage: malformed JSON from {where}: {exc}") from None
        return _page(body, number, where)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "**********") if self._secret else text


def _page(body: Any, number: int, where: str) -> tuple[Page, str | None]:
    def bad(what: str) -> SourceError:
        return SourceError(f"backstage: unexpected response from {where}: {what}")

    if not isinstance(body, dict):
        raise bad(f"expected an object with 'items', got {type(body).__name__}")
    items = body.get("items")
    if not isinstance(items, list):
        raise bad("'items' is missing or not a list")
    page_info = body.get("pageInfo", {})
    if not isinstance(page_info, dict):
        raise bad("'pageInfo' is not an object")
    cursor = page_info.get("nextCursor")
    if cursor is not None and not isinstance(cursor, str):
        raise bad("'pageInfo.nextCursor' is not a string")
    total = body.get("totalItems")
    total_items = total if isinstance(total, int) and not isinstance(total, bool) else None
    return Page(number, items, total_items), cursor or None


def _error_message(response: httpx.Response) -> str:
    """Backstage's error body is ``{"error": {"name", "message"}, …}``; quote its message."""
    try:
        body = response.json()
        message = body["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return ""
    return f": {str(message)[:300]}"
