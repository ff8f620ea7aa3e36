"""/healthz and /readyz, and that /api/ needs a token when auth is on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalog.errors import ConfigError
from service.api import create_app
from service.config import StewardConfig
from tests.service.api.standin import StoreService


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[StoreService]:
    config = StewardConfig(database=tmp_path / "s.duckdb")
    config.source_configs["catalog"] = config.api  # only the name matters to /readyz
    svc = StoreService(config)
    yield svc
    svc.close()


def test_healthz_is_open(service: StoreService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_API_TOKENS", "t0ken")
    client = TestClient(create_app(service, auth=True))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_until_every_source_ran_ok(service: StoreService) -> None:
    client = TestClient(create_app(service, auth=False))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["source catalog has not run yet"]
    run = service.store.begin_run("catalog", "catalog_files")
    service.store.finish_run(run, status="failed", message="boom")
    assert client.get("/readyz").json()["sources"] == {"catalog": "failed"}
    run = service.store.begin_run("catalog", "catalog_files")
    service.store.finish_run(run, status="ok")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "store": True,
        "sources": {"catalog": "ok"},
        "problems": [],
    }


def test_auth_without_tokens_refuses_to_start(
    service: StoreService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_API_TOKENS", raising=False)
    with pytest.raises(ConfigError, match="STEWARD_API_TOKENS"):
        create_app(service, auth=True)
