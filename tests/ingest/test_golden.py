"""Golden-file tests, one per source type: a fixed input, the records the source yields.

Each test runs one source on a fixed input (the example organisation's files, git repositories
made here with fixed dates, or a stand-in server on 127.0.0.1) and compares its records, grouped
by snapshot table, and its report with ``golden/<type>.json``. Paths, local URLs and timestamps
are normalised. A changed output fails with a diff; ``pytest --update-golden`` (or
``STEWARD_UPDATE_GOLDEN=1``) rewrites the files when the change is meant.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from ingest.registry import SOURCE_TYPES, create_source
from ingest.source import SourceContext
from standins.aws import FakeTaggingApi, generate_resources
from standins.backstage import FakeBackstage
from standins.github import FakeGitHub
from standins.pagerduty import FakePagerDuty
from tests.golden import assert_golden, records_document
from tests.ingest.backstage_catalog.organisation import organisation
from tests.ingest.github.test_source import acme
from tests.ingest.pagerduty.sample_account import sample_fixture

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).parent / "golden"
TOKEN = "golden-token-0123456789"


def run(source_type: str, settings: dict[str, Any], tmp: Path) -> dict[str, Any]:
    config: BaseModel = SOURCE_TYPES[source_type].config_model.model_validate(
        {"type": source_type, **settings}
    )
    ctx = SourceContext(name=source_type, state_dir=tmp / "state", previous_fingerprint=None)
    ctx.state_dir.mkdir(parents=True, exist_ok=True)
    records = list(create_source(config).run(ctx))
    replacements = {os.path.realpath(tmp): "<tmp>", str(tmp): "<tmp>", str(REPO): "<repo>"}
    return records_document(records, ctx.report, replacements)


def test_catalog_files(tmp_path: Path) -> None:
    roots = [str(EXAMPLES / "org" / "org"), str(EXAMPLES / "org" / "repos")]
    document = run("catalog_files", {"roots": roots, "workers": 1}, tmp_path)
    assert document["report"]["counts"]["entities"] > 50
    assert_golden(GOLDEN / "catalog_files.json", document)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Golden",
    "GIT_AUTHOR_EMAIL": "golden@example.com",
    "GIT_AUTHOR_DATE": "2026-01-05T09:00:00+00:00",
    "GIT_COMMITTER_NAME": "Golden",
    "GIT_COMMITTER_EMAIL": "golden@example.com",
    "GIT_COMMITTER_DATE": "2026-01-05T09:00:00+00:00",
}


def git_repo(source: Path, target: Path) -> None:
    """``source``'s files committed into a new repository at ``target``: same sha every time."""
    shutil.copytree(source, target)
    env = {**os.environ, **GIT_ENV}
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "golden"],
    ):
        subprocess.run(["git", "-C", str(target), *args], check=True, env=env)


def test_codeowners(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    names = ["commerce-monorepo", "developer-portal", "payments-api", "search-indexer"]
    for name in names:  # CODEOWNERS at the root, in .github/, and a monorepo
        git_repo(EXAMPLES / "org" / "repos" / name, repos / name)
    shutil.copytree(EXAMPLES / "org" / "repos" / "checkout-web", repos / "checkout-web")  # no git
    settings = {"roots": [str(repos)], "org_namespaces": {"acme": "default"}}
    document = run("codeowners", settings, tmp_path)
    assert document["report"]["counts"]["repositories"] == len(names) + 1
    assert_golden(GOLDEN / "codeowners.json", document)


def test_aws_tags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "golden")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "golden-secret")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    east, west = "us-east-1", "eu-west-1"
    data = {
        east: generate_resources(14, east, teams=4),
        west: generate_resources(7, west, start=14),
    }
    with FakeTaggingApi(data) as api:
        settings = {
            "regions": [east, west],
            "endpoint_url": api.endpoint_url,
            "page_size": 5,
            "owner_tags": ["team"],
            "component_tags": ["service"],
        }
        document = run("aws_tags", settings, tmp_path)
    assert_golden(GOLDEN / "aws_tags.json", document)


def test_pagerduty(tmp_path: Path) -> None:
    with FakePagerDuty(sample_fixture(), token=TOKEN) as fake:
        settings = {"base_url": fake.base_url, "token": TOKEN}
        document = run("pagerduty", settings, tmp_path)
    assert_golden(GOLDEN / "pagerduty.json", document)


def test_github(tmp_path: Path) -> None:
    with FakeGitHub("acme", acme(), token=TOKEN) as fake:
        settings = {"org": "acme", "base_url": fake.base_url, "token": TOKEN}
        document = run("github", settings, tmp_path)
    assert_golden(GOLDEN / "github.json", document)


def test_backstage_catalog(tmp_path: Path) -> None:
    with FakeBackstage(organisation(), token=TOKEN) as fake:
        settings = {"base_url": fake.base_url, "token": TOKEN, "page_size": 3}
        document = run("backstage_catalog", settings, tmp_path)
    assert_golden(GOLDEN / "backstage_catalog.json", document)


def test_every_source_type_has_a_golden_test() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(SOURCE_TYPES) <= tested
