"""Bearer tokens on /api/, open health routes, /metrics optionally protected, body limits,
and no secret in responses or logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.steward_service import StewardService
from tests.service.api.conftest import TOKEN

SCORECARDS = "/api/v1/entities/component/default/payments-api/scorecards"


@pytest.fixture()
def anonymous(client: TestClient) -> Iterator[TestClient]:
    with TestClient(client.app) as c:
        yield c


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong-token",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        "Bearer ",
        f"bearer{TOKEN}",
    ],
)
def test_missing_or_wrong_token_is_401_without_detail(
    anonymous: TestClient, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    for method, path in [
        ("GET", SCORECARDS),
        ("GET", "/api/v1/gaps"),
        ("POST", "/api/v1/sql"),
        ("POST", "/api/v1/ingest/catalog"),
        ("GET", "/api/v1/nope"),
    ]:
        r = anonymous.request(method, path, headers=headers, json={"sql": "SELECT 1"})
        assert r.status_code == 401, (method, path)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json() == {
            "type": "about:blank",
            "title": "Unauthorized",
            "status": 401,
            "detail": "unauthorized",
        }
        assert TOKEN not in r.text


def test_every_configured_token_works_and_health_is_open(anonymous: TestClient) -> None:
    for token in ("other-token", TOKEN):
        r = anonymous.get(SCORECARDS, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/readyz").status_code == 200
    assert anonymous.get("/metrics").status_code == 200  # api.metrics_auth is off by default
    assert anonymous.get("/openapi.json").status_code == 200


def test_metrics_can_require_a_token(org: StewardService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(org.config.api.tokens_env, TOKEN)
    config = org.config.model_copy(deep=True)
    config.source_configs = org.config.source_configs
    config.api.metrics_auth = True

    class Wrapped:
        def __init__(self) -> None:
            self.config = config

        def __getattr__(self, name: str) -> object:
            return getattr(org, name)

    with TestClient(create_app(Wrapped(), auth=True)) as c:  # type: ignore[arg-type]
        assert c.get("/metrics").status_code == 401
        r = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and "steward_entities" in r.text


def test_demo_mode_needs_no_token(org: StewardService) -> None:
    with TestClient(create_app(org, auth=False)) as c:
        assert c.get(SCORECARDS).status_code == 200


def test_oversized_bodies_are_refused(client: TestClient) -> None:
    limit = client.app.state.service.config.api.max_body_bytes  # type: ignore[attr-defined]
    big = "SELECT 1 -- " + "x" * limit
    r = client.post("/api/v1/sql", json={"sql": big})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        yield b'{"sql": "SELECT 1 -- '
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000
        yield b'"}'

    r = client.post("/api/v1/sql", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    ok = client.post("/api/v1/sql", json={"sql": "SELECT 1"})
    assert ok.status_code == 200


def test_metrics_content(client: TestClient) -> None:
    client.get(SCORECARDS)
    text = client.get("/metrics").text
    for line in [
        'steward_ingest_runs_total{source="pagerduty",status="ok"} 1.0',
        'steward_ingest_errors_total{source="aws"} 0.0',
        'steward_entities{kind="component"}',
        'steward_ownership_gaps_open{gap="untagged_resource"} 4.0',
        'steward_ingest_last_success_timestamp_seconds{source="aws"}',
        'steward_ingest_last_duration_seconds{source="codeowners"}',
        'steward_ingest_last_records{source="pagerduty",table="pd_service_rows"} 21.0',
        'steward_http_request_duration_seconds_bucket{le="0.025",method="GET",'
        'route="/api/v1/entities/{kind}/{namespace}/{name}/scorecards",status="200"}',
        "steward_store_up 1.0",
    ]:
        assert line in text, line


def test_secrets_never_reach_responses_metrics_or_logs(
    client: TestClient, org: StewardService, caplog: pytest.LogCaptureFixture
) -> None:
    secret = org.config.source_configs["pagerduty"].token  # type: ignore[attr-defined]
    value = secret.get_secret_value() if hasattr(secret, "get_secret_value") else str(secret)
    caplog.set_level(logging.DEBUG)
    texts = [
        client.get("/metrics").text,
        client.get("/api/v1/runs").text,
        client.get("/api/v1/schedules").text,
        client.post("/api/v1/sql", json={"sql": "SELECT * FROM duckdb_settings()"}).text,
        client.post("/api/v1/sql", json={"sql": "SELECT current_setting('x')"}).text,
        client.get("/api/v1/entities/component/default/nope/ownership").text,
        client.get("/api/v1/nope", headers={"Authorization": "Bearer leaked-guess"}).text,
    ]
    for text in [*texts, caplog.text]:
        assert TOKEN not in text
        assert "other-token" not in text
        assert "leaked-guess" not in text
        assert value not in text or value == "demo"


def test_e2e_over_uvicorn(org: StewardService, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.service.api.conftest import uvicorn_server

    monkeypatch.setenv(org.config.api.tokens_env, TOKEN)
    with (
        uvicorn_server(create_app(org, auth=True)) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as http,
    ):
        assert http.get("/healthz").json() == {"status": "ok"}
        body = http.get(SCORECARDS).json()
        assert body["ref"] == "component:default/payments-api"
        assert http.get(SCORECARDS, headers={"Authorization": "Bearer no"}).status_code == 401
        assert http.post("/api/v1/sql", json={"sql": "DROP TABLE runs"}).status_code == 400
        assert http.get("/api/v1/gaps").json()["count"] > 0
