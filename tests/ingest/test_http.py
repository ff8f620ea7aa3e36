"""The retrying transports, on ``httpx.MockTransport`` with a recorded (not real) sleep."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Callable, Iterator

import httpx
import pytest

from ingest.http import AsyncRetryTransport, RetryPolicy, RetryTransport, parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*steps: int | Exception | httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering each request with the next step (a status, a response or an error)."""
    seen: list[httpx.Request] = []
    queue = list(steps)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return httpx.Response(step, json={"status": step})

    return handle, seen


def client(handler: Handler, sleeps: list[float], **policy: object) -> httpx.Client:
    transport = RetryTransport(
        httpx.MockTransport(handler),
        policy=RetryPolicy(jitter=False, **policy),  # type: ignore[arg-type]
        sleep=sleeps.append,
    )
    return httpx.Client(transport=transport, base_url="https://api.example.com")


@pytest.fixture()
def sleeps() -> Iterator[list[float]]:
    yield []


def test_success_is_not_retried(sleeps: list[float]) -> None:
    handler, seen = scripted(200)
    with client(handler, sleeps) as c:
        assert c.get("/x").status_code == 200
    assert len(seen) == 1
    assert sleeps == []


def test_429_honours_retry_after_seconds(sleeps: list[float]) -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "7"}), 200)
    with client(handler, sleeps) as c:
        assert c.get("/x").status_code == 200
    assert len(seen) == 2
    assert sleeps == [7.0]


def test_retry_after_http_date(sleeps: list[float]) -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    handler, _ = scripted(httpx.Response(503, headers={"Retry-After": date}), 200)
    with client(handler, sleeps, clock=lambda: now) as c:
        assert c.get("/x").status_code == 200
    assert sleeps == [pytest.approx(12.0)]


def test_backoff_is_used_when_longer_than_retry_after(sleeps: list[float]) -> None:
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "0"}), 500, 502, 200)
    with client(handler, sleeps, backoff_factor=1.0) as c:
        assert c.get("/x").status_code == 200
    assert sleeps == [1.0, 2.0, 4.0]


def test_backoff_is_capped(sleeps: list[float]) -> None:
    handler, _ = scripted(500, 500, 500, 500, 200)
    with client(handler, sleeps, backoff_factor=1.0, max_backoff=3.0, max_retries=5) as c:
        assert c.get("/x").status_code == 200
    assert sleeps == [1.0, 2.0, 3.0, 3.0]


def test_gives_up_after_max_retries_and_returns_last_response(sleeps: list[float]) -> None:
    handler, seen = scripted(503)
    with client(handler, sleeps, max_retries=2) as c:
        response = c.get("/x")
    assert response.status_code == 503
    assert len(seen) == 3
    assert len(sleeps) == 2


def test_retry_after_beyond_the_limit_is_returned_at_once(sleeps: list[float]) -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}), 200)
    with client(handler, sleeps, max_retry_after=60) as c:
        response = c.get("/x")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert len(seen) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 501])
def test_other_statuses_are_not_retried(sleeps: list[float], status: int) -> None:
    handler, seen = scripted(status, 200)
    with client(handler, sleeps) as c:
        assert c.get("/x").status_code == status
    assert len(seen) == 1


def test_non_idempotent_method_is_not_retried_on_a_status(sleeps: list[float]) -> None:
    handler, seen = scripted(503, 200)
    with client(handler, sleeps) as c:
        assert c.post("/x", json={"a": 1}).status_code == 503
    assert len(seen) == 1


def test_retry_methods_are_configurable(sleeps: list[float]) -> None:
    handler, seen = scripted(503, 200)
    with client(handler, sleeps, retry_methods=frozenset({"POST"})) as c:
        assert c.post("/x", json={"a": 1}).status_code == 200
    assert len(seen) == 2
    assert seen[1].content == b'{"a":1}'


def test_connect_errors_are_retried_for_every_method(sleeps: list[float]) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), 200)
    with client(handler, sleeps) as c:
        assert c.post("/x", content=b"body").status_code == 200
    assert len(seen) == 2


def test_read_timeout_is_retried_for_get_then_raised(sleeps: list[float]) -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"))
    with client(handler, sleeps, max_retries=2) as c, pytest.raises(httpx.ReadTimeout):
        c.get("/x")
    assert len(seen) == 3


def test_read_timeout_is_not_retried_for_post(sleeps: list[float]) -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), 200)
    with client(handler, sleeps) as c, pytest.raises(httpx.ReadTimeout):
        c.post("/x", content=b"body")
    assert len(seen) == 1


def test_one_shot_request_stream_is_never_retried(sleeps: list[float]) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), 200)

    def body() -> Iterator[bytes]:
        yield b"once"

    with client(handler, sleeps) as c, pytest.raises(httpx.ConnectError):
        c.put("/x", content=body())
    assert len(seen) == 1


def test_zero_retries_disables_retrying(sleeps: list[float]) -> None:
    handler, seen = scripted(500, 200)
    with client(handler, sleeps, max_retries=0) as c:
        assert c.get("/x").status_code == 500
    assert len(seen) == 1


def test_jitter_stays_within_the_backoff() -> None:
    policy = RetryPolicy(backoff_factor=2.0, max_backoff=5.0)
    for attempt in range(1, 6):
        assert 0 <= policy.backoff(attempt) <= min(5.0, 2.0 * 2 ** (attempt - 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("5", 5.0),
        (" 30 ", 30.0),
        ("-3", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("Tue, 14 Nov 2023 22:13:30 GMT", 10.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1_700_000_000.0) == expected


def test_async_transport_retries_the_same_way() -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "2"}), 500, 200)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> int:
        transport = AsyncRetryTransport(
            httpx.MockTransport(handler),
            policy=RetryPolicy(jitter=False, backoff_factor=1.0),
            sleep=sleep,
        )
        async with httpx.AsyncClient(transport=transport, base_url="https://x") as c:
            return (await c.get("/x")).status_code

    assert asyncio.run(main()) == 200
    assert len(seen) == 3
    assert sleeps == [2.0, 2.0]


def test_default_transport_closes_cleanly() -> None:
    with httpx.Client(transport=RetryTransport()) as c:
        assert c is not None


def test_retry_log_names_no_credentials(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="ingest.http")
    handler, _ = scripted(500, 200)
    with client(handler, sleeps) as c:
        c.get("https://user:pa55word@api.example.com:8443/x?token=qs-secret")
    assert "GET https://api.example.com:8443/x: HTTP 500; retry 1 of 3" in caplog.text
    assert "pa55word" not in caplog.text and "qs-secret" not in caplog.text
