"""/healthz and /readyz, and that /api/ needs a token when auth is on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalog.errors import ConfigError
from service.api import create_app
from service.api.health import failed_steps
from service.config import StewardConfig, load_config
from service.steward_service import PipelineRun, StewardService
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
        "failed_steps": {},
        "problems": [],
    }


def test_auth_without_tokens_refuses_to_start(
    service: StoreService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_API_TOKENS", raising=False)
    with pytest.raises(ConfigError, match="STEWARD_API_TOKENS"):
        create_app(service, auth=True)


COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)
SCORECARD = (
    "id: basics\ntitle: Basics\nlevels: [bronze]\n"
    "checks:\n  - {id: has-owner, title: Has an owner, level: bronze, type: has_owner}\n"
)


@pytest.fixture()
def pipeline(tmp_path: Path) -> Iterator[StewardService]:
    """A real service on one catalog file, with a scorecards directory the test can break."""
    (tmp_path / "repos" / "a").mkdir(parents=True)
    (tmp_path / "repos" / "a" / "catalog-info.yaml").write_text(COMPONENT)
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "basics.yaml").write_text(SCORECARD)
    (tmp_path / "steward.yaml").write_text(
        "database: ./s.duckdb\nscorecards: ./cards\n"
        "sources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    with StewardService(load_config(tmp_path / "steward.yaml")) as service:
        yield service


def test_readyz_is_not_ready_after_a_failed_pipeline_step_and_ready_after_a_clean_run(
    pipeline: StewardService,
) -> None:
    client = TestClient(create_app(pipeline, auth=False))
    assert pipeline.run_pipeline().ok
    assert client.get("/readyz").status_code == 200

    cards = pipeline.config.scorecards
    assert cards is not None
    (cards / "basics.yaml").write_text("id: basics\ntitle: Basics\nlevels: [bronze]\nchecks: 7\n")
    failed = pipeline.run_pipeline()
    assert [e.split(":")[0] for e in failed.errors] == ["scorecards"]
    assert all(o.status in ("ok", "unchanged") for o in failed.outcomes)  # sources were fine

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["ready"] is False and body["store"] is True
    assert body["sources"] == {"catalog": "unchanged"}
    assert list(body["failed_steps"]) == ["scorecards"]
    assert "basics.yaml" in body["failed_steps"]["scorecards"]
    assert body["problems"][0].startswith("the scorecards step of the last pipeline run failed: ")
    assert "scorecards step" in body["detail"]

    (cards / "basics.yaml").write_text(SCORECARD)
    assert pipeline.run_pipeline().ok
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["failed_steps"] == {}


def test_a_run_under_way_does_not_hide_the_failure_of_the_one_before(
    pipeline: StewardService,
) -> None:
    client = TestClient(create_app(pipeline, auth=False))
    cards = pipeline.config.scorecards
    assert cards is not None
    (cards / "basics.yaml").write_text("checks: []\n")
    assert not pipeline.run_pipeline().ok
    assert client.get("/readyz").status_code == 503
    # the service replaces last_run when the next pipeline starts; no step has failed yet
    pipeline.last_run = PipelineRun(started_at=datetime.now(UTC), sources=["catalog"])
    assert client.get("/readyz").status_code == 503
    pipeline.last_run.errors.append("publish: no space left on device")
    body = client.get("/readyz").json()
    assert body["failed_steps"] == {"publish": "no space left on device"}


def test_failed_steps_are_named_once_each() -> None:
    run = PipelineRun(
        started_at=datetime.now(UTC),
        sources=[],
        errors=["graph: boom: twice", "graph: again", "stopped before publishing"],
    )
    assert failed_steps(run) == {"graph": "boom: twice", "pipeline": "stopped before publishing"}
