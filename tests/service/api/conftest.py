"""The example organisation (catalog, CODEOWNERS, AWS and PagerDuty stand-ins, scorecards)
ingested once per session by the real service into a real DuckDB file; the API on top."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api import create_app
from service.config import load_config
from service.demo import local_fakes
from service.steward_service import StewardService

EXAMPLES = Path(__file__).parents[3] / "examples"
TOKEN = "test-token-0123456789"


def example_service(root: Path) -> StewardService:
    """A copy of the examples under ``root`` ingested and scored; the caller closes it."""
    shutil.copytree(EXAMPLES, root / "examples")
    config_path = root / "examples" / "steward.yaml"
    text = config_path.read_text().replace(
        "database: ../.steward/demo.duckdb", f"database: {root / 'steward.duckdb'}"
    )
    config_path.write_text(text)
    with local_fakes(config_path.parent):
        service = StewardService(load_config(config_path))
        run = service.run_pipeline()
    assert run.ok, run.errors
    return service


@pytest.fixture(scope="session")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StewardService]:
    service = example_service(tmp_path_factory.mktemp("org"))
    yield service
    service.close()


@pytest.fixture(scope="session")
def client(org: StewardService) -> Iterator[TestClient]:
    """The API with authentication on (``Authorization: Bearer TOKEN`` sent by default)."""
    mp = pytest.MonkeyPatch()
    mp.setenv(org.config.api.tokens_env, f"other-token, {TOKEN}")
    app = create_app(org, auth=True)
    mp.undo()
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


@contextmanager
def uvicorn_server(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on a free 127.0.0.1 port, in a thread; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def file_sources_config(root: Path) -> Path:
    """The example organisation's file sources only (no stand-ins) on a fresh database."""
    lines = [
        f"database: {root / 'steward.duckdb'}",
        "sources:",
        f"  catalog: {{type: catalog_files, roots: [{EXAMPLES}/org/org, {EXAMPLES}/org/repos],"
        " schedule: {minutes: 30}}",
        f"  codeowners: {{type: codeowners, roots: [{EXAMPLES}/org/repos],"
        " org_namespaces: {acme: default}}",
        f"scorecards: {EXAMPLES}/scorecards",
    ]
    path = root / "steward.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path
