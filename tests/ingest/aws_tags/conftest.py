"""A real moto server on 127.0.0.1 holding the example organisation's AWS resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from standins.aws import load_fixture, seed, start_moto_server

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "examples" / "aws" / "resources.json"
CATALOG_ROOTS = [REPO / "examples" / "org" / "org", REPO / "examples" / "org" / "repos"]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials from the environment, never a developer's real profile or region."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret-never-logged")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[tuple[Any, str]]:
    """moto's ThreadedMotoServer with examples/aws/resources.json created through boto3."""
    server, endpoint_url = start_moto_server()
    try:
        httpx.post(f"{endpoint_url}/moto-api/reset", timeout=10)
        seed(endpoint_url, load_fixture(FIXTURE), credentials=("testing", "testing"))
        yield server, endpoint_url
    finally:
        server.stop()
