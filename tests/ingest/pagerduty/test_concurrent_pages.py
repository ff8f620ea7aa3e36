"""Once a list's ``total`` is known its other pages are requested at once, and the member
lists of different teams too; pages still come out in order and every bound still holds."""

from __future__ import annotations

import contextvars
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.errors import SourceError
from ingest.pagerduty import PagerDutySource
from ingest.source import SourceContext
from tests.ingest.pagerduty.test_client import Handler, client, config, users

CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("CALLER", default="unset")


def with_total(items: list[dict[str, Any]], *, grown: int = 0, meet: int = 0) -> Handler:
    """Offset pagination that answers ``total`` when asked; the list grows by ``grown`` items
    after the first page; pages after the first wait until ``meet`` requests are in flight."""
    barrier = threading.Barrier(meet, timeout=10) if meet else None
    current = list(items)

    def handle(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        if offset == 0:
            total = len(current) if request.url.params.get("total") == "true" else None
            current.extend(users(len(items) + grown)[len(items) :])
        else:
            total = None
            assert CALLER.get() == "the caller"
            if barrier is not None:
                barrier.wait()
        page = current[offset : offset + limit]
        more = offset + limit < len(current)
        body = {"users": page, "limit": limit, "offset": offset, "more": more, "total": total}
        return httpx.Response(200, json=body)

    return handle


@pytest.fixture(autouse=True)
def caller_context() -> Any:
    token = CALLER.set("the caller")
    yield
    CALLER.reset(token)


def test_pages_after_the_first_are_requested_at_once_and_kept_in_order() -> None:
    everyone = users(10)
    with client(with_total(everyone, meet=4), page_size=2, max_concurrency=4) as c:
        pages = list(c.pages("/users", "users"))
    assert [u["id"] for page in pages for u in page] == [u["id"] for u in everyone]
    assert c.requests == 5


def test_objects_added_during_the_walk_are_read_page_by_page() -> None:
    with client(with_total(users(6), grown=3), page_size=2, max_concurrency=3) as c:
        pages = list(c.pages("/users", "users"))
    assert [u["id"] for page in pages for u in page] == [u["id"] for u in users(9)]


def test_the_bounds_fail_before_any_later_page_is_requested() -> None:
    seen: list[str] = []
    inner = with_total(users(50))

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["offset"])
        return inner(request)

    with client(handle, page_size=10, max_pages=3) as c, pytest.raises(SourceError) as err:
        list(c.pages("/users", "users"))
    assert "still had more pages after max_pages=3" in str(err.value)
    assert seen == ["0"]


def test_team_member_lists_are_requested_at_once(tmp_path: Path) -> None:
    teams = [{"id": f"PT{i}", "name": f"team {i}"} for i in range(3)]
    barrier = threading.Barrier(3, timeout=10)

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        key = path.rsplit("/", 1)[-1]
        items: list[dict[str, Any]] = []
        if path == "/teams":
            items = teams
        elif key == "members":
            assert CALLER.get() == "the caller"
            barrier.wait()
            items = [{"user": {"id": f"PU-{path.split('/')[2]}"}, "role": "manager"}]
        body = {key: items, "limit": 100, "offset": 0, "more": False, "total": len(items)}
        return httpx.Response(200, json=body)

    source = PagerDutySource(config(max_concurrency=3), transport=httpx.MockTransport(handle))
    ctx = SourceContext(name="pd", state_dir=tmp_path, previous_fingerprint=None)
    records = list(source.run(ctx))
    members = [r for r in records if type(r).table() == "pd_team_member_rows"]
    assert [(m.team_id, m.user_id) for m in members] == [(f"PT{i}", f"PU-PT{i}") for i in range(3)]
