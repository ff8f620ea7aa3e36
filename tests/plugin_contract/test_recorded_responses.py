"""The Backstage plugin's recorded responses (``backstage-plugin/src/__fixtures__/``) are what the
real service answers: the example organisation is ingested and scored, the API runs under uvicorn
on 127.0.0.1 with auth on, and every request the plugin makes is sent over HTTP.

A recorded file that differs from today's answer fails the test (what changes from run to run is
masked: timestamps, week names, the moto stand-in's random EC2 instance ids, and the order of
list items that differ only in those); ``STEWARD_RECORD_FIXTURES=1`` rewrites the files instead.
The plugin's component tests render these files, and its ``types.test.ts`` checks its types
against the recorded ``openapi.json``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.api import create_app
from tests.service.api.conftest import example_service, uvicorn_server

FIXTURES = Path(__file__).parents[2] / "backstage-plugin" / "src" / "__fixtures__"
RECORD = os.environ.get("STEWARD_RECORD_FIXTURES") == "1"
TOKEN = "plugin-contract-token"

# file name → (path the plugin requests under /api/v1, expected status)
RECORDED: dict[str, tuple[str, int]] = {
    "entity-scorecards.json": ("/entities/component/default/payments-api/scorecards", 200),
    "entity-ownership.json": ("/entities/component/default/orders-service/ownership", 200),
    "blast-radius.json": ("/entities/component/default/payments-api/blast-radius", 200),
    "team-scorecards.json": ("/teams/default/dept-commerce/scorecards", 200),
    "team-gaps.json": ("/teams/default/dept-commerce/gaps", 200),
    "ownership-gap-report.json": ("/reports/ownership-gaps?format=json", 200),
    "not-found.json": ("/entities/component/default/no-such-service/scorecards", 404),
}

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_CLOCK_FIELDS = {"age_days", "partial"}  # depend on today's date, not on the service
_EC2_ID = re.compile(r"\bi-[0-9a-f]{17}\b")  # moto makes random instance ids
ROOT = "<root>"  # the temporary directory the example organisation was copied to


def masked(value: Any, key: str = "") -> Any:
    """``value`` with what changes from run to run (times, dates, weeks) replaced by markers."""
    if key in _CLOCK_FIELDS:
        return f"<{key}>"
    if isinstance(value, dict):
        return {k: masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [masked(v) for v in value]
        if any(isinstance(v, dict) for v in items):
            # items whose only difference was a random id may come in either order
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return items
    if isinstance(value, str):
        value = _EC2_ID.sub("i-<id>", value)
        if _DATETIME.match(value):
            return "<datetime>"
        if _DATE.match(value):
            return "<date>"
        if _WEEK.match(value):
            return "<week>"
    return value


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plugin-org")


@pytest.fixture(scope="module")
def api(root: Path) -> Iterator[str]:
    """The API root URL, as the Backstage proxy entry targets it."""
    org = example_service(root)
    mp = pytest.MonkeyPatch()
    mp.setenv(org.config.api.tokens_env, TOKEN)
    app = create_app(org, auth=True)
    mp.undo()
    try:
        with uvicorn_server(app) as url:
            yield url
    finally:
        org.close()


def without_root(value: Any, root: Path) -> Any:
    """``value`` with the temporary directory's path (in evidence) written as ``<root>``."""
    return json.loads(json.dumps(value).replace(str(root), ROOT))


def check_or_record(name: str, body: Any, root: Path) -> None:
    path = FIXTURES / name
    body = without_root(body, root)
    if RECORD:
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    assert path.exists(), f"{path} missing: run with STEWARD_RECORD_FIXTURES=1"
    recorded = json.loads(path.read_text())
    assert masked(recorded) == masked(body), (
        f"the service's answer for {name} drifted from the plugin's recorded response; "
        "if the change is intended, regenerate with STEWARD_RECORD_FIXTURES=1 and update the plugin"
    )


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_recorded_response_matches_the_service(api: str, root: Path, name: str) -> None:
    route, status = RECORDED[name]
    response = httpx.get(
        f"{api}/api/v1{route}",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
    )
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    check_or_record(name, response.json(), root)


def test_unauthorized_is_a_problem_the_plugin_recognises(api: str, root: Path) -> None:
    """What the proxy gets without the Authorization header (the plugin shows its 401 panel)."""
    response = httpx.get(f"{api}/api/v1/entities/component/default/payments-api/scorecards")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    check_or_record("unauthorized.json", response.json(), root)


def test_openapi_schema_matches_the_recorded_one(api: str, root: Path) -> None:
    """The plugin's types.test.ts compares its TypeScript types with this schema."""
    response = httpx.get(f"{api}/openapi.json")
    assert response.status_code == 200
    check_or_record("openapi.json", response.json(), root)


def test_masking_keeps_what_the_plugin_reads() -> None:
    body = {
        "at": "2026-12-04T16:41:48.375762Z",
        "expires": "2027-01-31",
        "week": "2026-W49",
        "age_days": 3,
        "level": "silver",
        "score": 89.5,
        "evidence": "owner group:default/team-payments",
    }
    assert masked(body) == {
        "at": "<datetime>",
        "expires": "<date>",
        "week": "<week>",
        "age_days": "<age_days>",
        "level": "silver",
        "score": 89.5,
        "evidence": "owner group:default/team-payments",
    }
    assert masked({"score": 89.5}) != masked({"score": 90.0})
    ids = ["arn:aws:ec2:us-east-1:1:instance/i-0123456789abcdef0", "i-fedcba9876543210f"]
    assert masked(ids) == ["arn:aws:ec2:us-east-1:1:instance/i-<id>", "i-<id>"]
    # order of items that differ only by a random id does not count; other order does
    assert masked([{"s": ids[0], "n": 1}, {"s": ids[1], "n": 2}]) == masked(
        [{"s": ids[1], "n": 2}, {"s": ids[0], "n": 1}]
    )
    assert masked([1, 2]) != masked([2, 1])


def test_without_root_hides_the_temporary_directory(tmp_path: Path) -> None:
    body = {"evidence": f"{tmp_path}/examples/org/repos/legacy-batch-jobs"}
    assert without_root(body, tmp_path) == {
        "evidence": "<root>/examples/org/repos/legacy-batch-jobs"
    }
