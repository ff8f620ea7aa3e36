"""A small fake Backstage backend: ``GET /api/catalog/entities/by-query`` on 127.0.0.1.

It follows the documented shape (``{items, totalItems, pageInfo: {nextCursor?, prevCursor?}}``),
opaque base64 cursors that carry the query (so a cursor request must not repeat ``filter``, as with
the real backend), Backstage's filter syntax for ``key=value`` / ``key`` conditions, bearer-token
checks with Backstage's error body, and fault injection:

- ``faults[page]``: one-shot faults for a page, consumed in order: ``Fault.rate_limit(seconds)``
  (429 + Retry-After), ``Fault.status(500)``, ``Fault.malformed_json()``, ``Fault.slow(seconds)``;
- ``endless``: every page has a next cursor, forever (a new cursor each time);
- ``repeat_cursor``: the next cursor never advances;
- ``extra_items``: raw items appended to the data set as they are (e.g. missing fields).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standins.server import LocalServer

QUERY_PATH = "/api/catalog/entities/by-query"


@dataclass(frozen=True)
class Fault:
    kind: str  # rate_limit | status | malformed_json | slow
    value: float | int | str = 0

    @classmethod
    def rate_limit(cls, retry_after: str | int = 1) -> Fault:
        return cls("rate_limit", str(retry_after))

    @classmethod
    def status(cls, code: int) -> Fault:
        return cls("status", code)

    @classmethod
    def malformed_json(cls) -> Fault:
        return cls("malformed_json")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", seconds)


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    authorization: str | None


@dataclass
class FakeBackstage(LocalServer):
    entities: list[dict[str, Any]]
    token: str | None = "s3cret-backstage-token"
    faults: dict[int, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    endless: bool = False
    repeat_cursor: bool = False
    extra_items: list[Any] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        LocalServer.__init__(self, _handler_for(self), poll_interval=0.02)

    def close(self) -> None:
        self._stop.set()  # a request held by a ``slow`` fault answers now
        super().close()

    # -- the API -------------------------------------------------------------------------------
    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path != QUERY_PATH:
            return _error(404, "NotFoundError", f"No route for {path}")
        cursor = query.get("cursor", [None])[0]
        if cursor is not None and ({"filter", "orderField", "fullTextFilterTerm"} & set(query)):
            return _error(400, "InputError", "Cursor cannot be combined with other query params")
        try:
            limit = int(query.get("limit", ["20"])[0])
        except ValueError:
            return _error(400, "InputError", "limit must be a number")
        if cursor is None:
            filters, offset = query.get("filter", []), 0
        else:
            try:
                state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
                filters, offset = state["filter"], int(state["offset"])
            except (ValueError, KeyError, TypeError):
                return _error(400, "InputError", "Malformed cursor")
        page = offset // max(limit, 1) + 1
        faults = self.faults.get(page)
        if faults:
            fault = faults.pop(0)
            if fault.kind == "rate_limit":
                status, _, body = _error(429, "TooManyRequests", "slow down")
                return status, {"Retry-After": str(fault.value)}, body
            if fault.kind == "status":
                return _error(int(fault.value), "ServerError", "something broke")
            if fault.kind == "malformed_json":
                return 200, {}, b'{"items": [{"kind": "Component", "metadata": '
            if fault.kind == "slow":
                self._stop.wait(float(fault.value))

        matching = [e for e in [*self.entities, *self.extra_items] if _matches(e, filters)]
        items = matching[offset : offset + limit]
        page_info: dict[str, str] = {}
        more = offset + limit < len(matching) or self.endless
        if more:
            next_offset = offset if self.repeat_cursor else offset + limit
            page_info["nextCursor"] = _cursor(filters, next_offset)
        if offset > 0:
            page_info["prevCursor"] = _cursor(filters, max(0, offset - limit))
        response = {"items": items, "totalItems": len(matching), "pageInfo": page_info}
        return 200, {}, json.dumps(response).encode()


def _cursor(filters: list[str], offset: int) -> str:
    return base64.urlsafe_b64encode(
        json.dumps({"filter": filters, "offset": offset}).encode()
    ).decode()


def _error(status: int, name: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {
        "error": {"name": name, "message": message},
        "request": {"method": "GET", "url": QUERY_PATH},
        "response": {"statusCode": status},
    }
    return status, {}, json.dumps(body).encode()


def _lower_keys(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_lower_keys(v) for v in data]
    return data


def _values(data: Any, path: list[str]) -> list[Any]:
    """Backstage's simplified JSON path: descends through arrays; string items match as keys."""
    if not path:
        return [data]
    if isinstance(data, list):
        found = [v for item in data for v in _values(item, path)]
        if len(path) == 1:
            found += [True for item in data if isinstance(item, str) and item.lower() == path[0]]
        return found
    if isinstance(data, dict):
        for length in range(len(path), 0, -1):  # keys may contain dots (annotations)
            key = ".".join(path[:length])
            if key in data:
                return _values(data[key], path[length:])
    return []


def _matches(entity: Any, filters: list[str]) -> bool:
    """At least one filter set matches; all conditions of a set match (case-insensitively)."""
    if not filters:
        return True
    if not isinstance(entity, dict):
        return False
    lowered = _lower_keys(entity)
    for filter_set in filters:
        for condition in filter_set.split(","):
            key, has_value, value = condition.partition("=")
            found = _values(lowered, key.strip().lower().split("."))
            if not found or (
                has_value and not any(str(v).lower() == value.strip().lower() for v in found)
            ):
                break
        else:
            return True
    return False


def _handler_for(fake: FakeBackstage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            authorization = self.headers.get("Authorization")
            fake.requests.append(Seen(url.path, query, authorization))
            if fake.token is not None and authorization != f"Bearer {fake.token}":
                status, headers, body = _error(401, "AuthenticationError", "Invalid token")
            else:
                status, headers, body = fake.respond(url.path, query)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler
