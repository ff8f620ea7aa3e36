"""The client and source on ``httpx.MockTransport``: pagination and retry edge cases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.errors import SourceError
from ingest.pagerduty import PagerDutyConfig, PagerDutySource
from ingest.pagerduty.client import PagerDutyClient
from ingest.source import SourceContext

TOKEN = "u+sEcReT-token"
Handler = Callable[[httpx.Request], httpx.Response]


def config(**overrides: Any) -> PagerDutyConfig:
    return PagerDutyConfig.model_validate(
        {"type": "pagerduty", "base_url": "https://pd.test", "token": TOKEN, **overrides}
    )


def client(
    handler: Handler, sleeps: list[float] | None = None, **overrides: Any
) -> PagerDutyClient:
    record = sleeps if sleeps is not None else []
    return PagerDutyClient(
        config(**overrides), transport=httpx.MockTransport(handler), sleep=record.append
    )


def paged(items: list[dict[str, Any]], key: str = "users") -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        return httpx.Response(
            200, json={key: page, "limit": limit, "offset": offset, "more": more, "total": None}
        )

    return handle


def users(n: int) -> list[dict[str, Any]]:
    return [{"id": f"PU{i:05d}", "name": f"User {i}", "email": f"u{i}@x.test"} for i in range(n)]


def test_pages_follow_more_and_send_pagerduty_headers() -> None:
    seen: list[httpx.Request] = []
    inner = paged(users(5))

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner(request)

    with client(handle, page_size=2) as c:
        pages = list(c.pages("/users", "users"))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [r.url.params["offset"] for r in seen] == ["0", "2", "4"]
    assert seen[0].headers["Authorization"] == f"Token token={TOKEN}"
    assert seen[0].headers["Accept"] == "application/vnd.pagerduty+json;version=2"


def test_next_offset_uses_the_limit_the_server_echoes() -> None:
    offsets: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        offsets.append(str(offset))
        body = {"users": users(10)[offset : offset + 3], "limit": 3, "offset": offset}
        return httpx.Response(200, json={**body, "more": offset + 3 < 10})

    with client(handle, page_size=100) as c:
        assert sum(len(p) for p in c.pages("/users", "users")) == 10
    assert offsets == ["0", "3", "6", "9"]


def test_max_pages_bounds_a_walk() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        return httpx.Response(
            200, json={"users": [{"id": f"P{offset}"}], "limit": 1, "offset": offset, "more": True}
        )

    with client(handle, page_size=1, max_pages=4) as c, pytest.raises(SourceError) as err:
        list(c.pages("/users", "users"))
    assert "still had more pages after max_pages=4" in str(err.value)


def test_a_page_that_repeats_is_not_followed_forever() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"users": users(2), "limit": 2, "offset": 0, "more": True})

    with client(handle, page_size=2) as c, pytest.raises(SourceError) as err:
        list(c.pages("/users", "users"))
    assert "does not advance at page 2" in str(err.value)


def test_offset_window_of_10000_is_respected() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        page = [{"id": f"P{offset + i}"} for i in range(100)]
        return httpx.Response(
            200, json={"users": page, "limit": 100, "offset": offset, "more": True}
        )

    with client(handle, max_pages=1000) as c, pytest.raises(SourceError) as err:
        list(c.pages("/users", "users"))
    assert "more than 10000 records" in str(err.value)


def test_429_waits_retry_after_then_ratelimit_reset() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(429, headers={"ratelimit-reset": "3"}),
            httpx.Response(200, json={"users": [], "limit": 25, "offset": 0, "more": False}),
        ]
    )
    sleeps: list[float] = []
    with client(lambda r: next(answers), sleeps) as c:
        assert list(c.pages("/users", "users")) == [[]]
    assert sleeps == [7.0, 3.0]


def test_500_is_retried_with_backoff_and_then_reported() -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"error": {"message": "Internal", "code": 2000}})

    sleeps: list[float] = []
    with client(handle, sleeps, max_retries=2) as c, pytest.raises(SourceError) as err:
        c.get("/users")
    assert len(calls) == 3 and len(sleeps) == 2
    assert str(err.value) == "pagerduty: HTTP 500 from https://pd.test/users: Internal"


def test_a_retry_after_too_long_is_not_waited() -> None:
    sleeps: list[float] = []
    handler: Handler = lambda r: httpx.Response(429, headers={"Retry-After": "3600"})  # noqa: E731
    with client(handler, sleeps) as c, pytest.raises(SourceError) as err:
        c.get("/users")
    assert sleeps == [] and "HTTP 429" in str(err.value)


def test_errors_never_contain_the_token() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        message = f"bad token {TOKEN}"
        return httpx.Response(401, json={"error": {"message": message, "code": 2006}})

    with client(handle) as c, pytest.raises(SourceError) as err:
        c.get("/users")
    assert TOKEN not in str(err.value) and "**********" in str(err.value)
    assert "token rejected (HTTP 401)" in str(err.value)
    assert TOKEN not in repr(config())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "malformed JSON from https://pd.test/users"),
        (b"[]", "not a JSON object"),
        (b'{"limit": 25, "offset": 0, "more": false}', "'users' is not a list"),
        (b'{"users": [], "more": "no"}', "'more' is not a boolean"),
    ],
)
def test_unusable_responses(body: bytes, message: str) -> None:
    with client(lambda r: httpx.Response(200, content=body)) as c, pytest.raises(SourceError) as e:
        list(c.pages("/users", "users"))
    assert message in str(e.value)


def test_timeouts_become_source_errors() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with client(handle, max_retries=1, timeout_seconds=2) as c, pytest.raises(SourceError) as e:
        c.get("/users")
    assert (
        str(e.value)
        == "pagerduty: request timed out after 2s (ReadTimeout): GET https://pd.test/users"
    )


def test_source_skips_objects_without_id_and_reports_them(tmp_path: Path) -> None:
    bodies: dict[str, dict[str, Any]] = {
        "/users": {"users": [{"id": "PU1", "name": "A", "email": "a@x"}, {"name": "no id"}]},
        "/escalation_policies": {
            "escalation_policies": [
                {"id": "PE1", "name": "E", "escalation_rules": [{"targets": []}], "type": "x"}
            ]
        },
    }

    def handle(request: httpx.Request) -> httpx.Response:
        key = request.url.path.strip("/").split("/")[-1]
        body = bodies.get(request.url.path, {key: []})
        return httpx.Response(200, json={**body, "limit": 100, "offset": 0, "more": False})

    source = PagerDutySource(config(), transport=httpx.MockTransport(handle))
    ctx = SourceContext(name="pd", state_dir=tmp_path, previous_fingerprint=None)
    records = list(source.run(ctx))
    assert ctx.report.errors == [
        "pagerduty source 'pd': /users page 1 item 1 is an object without an id; skipped"
    ]
    assert ctx.report.counts["pd_user_rows"] == 1
    policy = next(r for r in records if type(r).table() == "pd_escalation_policy_rows")
    assert json.loads(json.dumps(policy._asdict()["levels"])) == [
        {"level": 1, "rule_id": None, "delay_minutes": None, "targets": []}
    ]
    # the same answers again: unchanged, nothing re-emitted
    again = SourceContext(
        name="pd", state_dir=tmp_path, previous_fingerprint=ctx.report.fingerprint
    )
    assert list(source.run(again)) == [] and again.report.unchanged


def test_a_level_without_any_target_is_a_gap(tmp_path: Path) -> None:
    """PagerDuty's spec wants >= 1 target per rule, so this case cannot go through Prism."""
    from catalog.store import Store
    from ingest.runner import run_source

    bodies: dict[str, dict[str, Any]] = {
        "/escalation_policies": {
            "escalation_policies": [
                {
                    "id": "PE1",
                    "name": "Thin",
                    "escalation_rules": [
                        {
                            "escalation_delay_in_minutes": 5,
                            "targets": [{"id": "PU1", "type": "user_reference"}],
                        },
                        {"escalation_delay_in_minutes": 5, "targets": []},
                    ],
                }
            ]
        },
        "/users": {"users": [{"id": "PU1", "name": "A", "email": "a@x"}]},
        "/services": {
            "services": [{"id": "PS1", "name": "svc", "escalation_policy": {"id": "PE1"}}]
        },
    }

    def handle(request: httpx.Request) -> httpx.Response:
        key = request.url.path.strip("/").split("/")[-1]
        body = bodies.get(request.url.path, {key: []})
        return httpx.Response(200, json={**body, "limit": 100, "offset": 0, "more": False})

    source = PagerDutySource(config(), transport=httpx.MockTransport(handle))
    with Store(tmp_path / "s.duckdb") as store:
        assert run_source(store, "pd", source, state_dir=tmp_path).status == "ok"
        rows = store.connection.execute(
            "SELECT gap, detail FROM _gaps_pagerduty ORDER BY gap"
        ).fetchall()
    assert rows == [
        (
            "escalation_level_without_target",
            "PagerDuty service svc (PS1): level 2 of escalation policy Thin (PE1) has no target",
        ),
        (
            "nobody_oncall",
            "PagerDuty service svc (PS1): nobody is on call now on escalation policy Thin (PE1)",
        ),
        (
            "pagerduty_service_unmapped",
            "PagerDuty service svc (PS1) maps to no catalog entity (no pagerduty.com/service-id "
            "or pagerduty.com/integration-key annotation names it)",
        ),
    ]
