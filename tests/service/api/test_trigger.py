"""POST /api/v1/ingest/{source}: 202, runs through the service's trigger (never overlapping),
over uvicorn on a free port with the real StewardService."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.api import create_app
from service.config import load_config
from service.steward_service import StewardService
from tests.service.api.conftest import TOKEN, file_sources_config, uvicorn_server


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[StewardService]:
    with StewardService(load_config(file_sources_config(tmp_path))) as svc:
        svc.run_pipeline()
        yield svc


def _runs(http: httpx.Client, source: str) -> list[dict[str, object]]:
    runs: list[dict[str, object]] = http.get("/api/v1/runs", params={"source": source}).json()[
        "runs"
    ]
    return runs


def test_trigger_runs_the_source_once_and_refuses_an_overlap(
    service: StewardService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(service.config.api.tokens_env, TOKEN)
    with (
        uvicorn_server(create_app(service, auth=True)) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as http,
    ):
        before = _runs(http, "catalog")
        assert len(before) == 1
        # hold the pipeline so the triggered run is still going when the second trigger comes
        with service._pipeline_lock:
            first = http.post("/api/v1/ingest/catalog")
            assert first.status_code == 202
            assert first.json() == {
                "source": "catalog",
                "accepted": True,
                "message": "catalog started",
            }
            second = http.post("/api/v1/ingest/catalog")
            assert second.status_code == 409
            assert second.headers["content-type"] == "application/problem+json"
            assert "already running" in second.json()["detail"]
            # reads never wait for the running pipeline
            assert http.get("/api/v1/gaps", timeout=5).status_code == 200
        deadline = time.monotonic() + 30
        while len(_runs(http, "catalog")) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        service.wait_idle(30)
        after = _runs(http, "catalog")
        assert len(after) == 2 and after[0]["status"] in ("ok", "unchanged")
        unknown = http.post("/api/v1/ingest/catalgo")
        assert unknown.status_code == 404 and unknown.json()["suggestions"] == ["catalog"]
        anonymous = httpx.post(f"{base}/api/v1/ingest/catalog")
        assert anonymous.status_code == 401
