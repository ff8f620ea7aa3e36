"""The in-memory ownership answers are the SQL reads' JSON bytes (every entity, every group of
the example organisation), follow new data, and leave unknown refs and changed on-call shifts
to the SQL path."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app, ownership_cache
from service.api.entity_reads import entity_ownership
from service.api.ownership_cache import OwnershipCache
from service.api.reads import json_response
from service.api.routes_teams import _gaps
from service.config import load_config
from service.ownership import ownership_gaps
from service.steward_service import StewardService
from tests.service.api.conftest import EXAMPLES

E = "/api/v1/entities"


def _loaded(service: StewardService) -> OwnershipCache:
    cache = OwnershipCache(service.reader)
    cache.warm()
    cache.wait(60)
    return cache


def test_every_entitys_ownership_is_the_sql_answer_byte_for_byte(org: StewardService) -> None:
    cache = _loaded(org)
    with org.reader() as cur:
        refs = [
            r[0] for r in cur.execute("SELECT DISTINCT ref FROM entities ORDER BY ref").fetchall()
        ]
        with_oncall = with_gaps = with_conflicts = 0
        for ref in refs:
            expected = entity_ownership(cur, ref)
            assert cache.ownership_json(ref) == json_response(expected).body, ref
            with_oncall += expected.oncall is not None
            with_gaps += bool(expected.gaps)
            with_conflicts += bool(expected.conflicts)
    assert len(refs) > 50 and with_oncall and with_gaps and with_conflicts  # all parts covered
    assert cache.builds == 1


def test_every_groups_gaps_are_the_sql_answer_byte_for_byte(org: StewardService) -> None:
    cache = _loaded(org)
    with org.reader() as cur:
        groups = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT ref FROM entities WHERE kind = 'group' ORDER BY ref"
            ).fetchall()
        ]
        nonempty = 0
        for team in groups:
            for limit in (10_000, 1):
                expected = _gaps(ownership_gaps(cur, team=team), team, limit)
                assert cache.gaps_json(team, limit) == json_response(expected).body, team
            nonempty += expected.count > 0
        everything = _gaps(ownership_gaps(cur), None, 10_000)
        assert cache.gaps_json(None, 10_000) == json_response(everything).body
        # a team ref of another kind is its own tree of one (as the SQL's recursive query)
        component = "component:default/orders-service"
        expected = _gaps(ownership_gaps(cur, team=component), component, 10_000)
        assert cache.gaps_json(component, 10_000) == json_response(expected).body
    assert nonempty > 3


def test_unknown_refs_are_left_to_the_sql_path(org: StewardService) -> None:
    cache = _loaded(org)
    assert cache.ownership_json("component:default/orders-servic") is None
    assert cache.gaps_json("group:default/team-nobody", 10) is None
    assert cache.ownership_json("component:default/orders-service") is not None


def test_routes_answer_from_the_cache_and_404_with_close_names(
    org: StewardService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(org.config.api.tokens_env, "t0k3n-for-the-cache-test")
    app = create_app(org, auth=False)
    with TestClient(app) as client:
        cache: OwnershipCache = app.state.ownership
        cache.wait(60)
        assert cache.builds == 1
        with org.reader() as cur:
            expected = json_response(entity_ownership(cur, "component:default/orders-service"))
            team_gaps = json_response(
                _gaps(
                    ownership_gaps(cur, team="group:default/dept-platform"),
                    "group:default/dept-platform",
                    10_000,
                )
            )
        answer = client.get(f"{E}/component/default/Orders-Service/ownership")
        assert answer.status_code == 200 and answer.content == expected.body
        assert answer.headers["content-type"] == "application/json"
        gaps = client.get("/api/v1/teams/default/dept-platform/gaps")
        assert gaps.content == team_gaps.body
        by_query = client.get("/api/v1/gaps", params={"team": "dept-platform"})
        assert by_query.content == team_gaps.body
        missing = client.get(f"{E}/component/default/orders-servic/ownership")
        assert missing.status_code == 404
        assert "component:default/orders-service" in missing.json()["suggestions"]
        team = client.get("/api/v1/teams/default/team-paymnts/gaps")
        assert team.status_code == 404
        assert "group:default/team-payments" in team.json()["suggestions"]
        assert cache.builds == 1  # the same data: not rebuilt


def test_an_on_call_shift_change_is_answered_by_sql_until_rebuilt(org: StewardService) -> None:
    cache = _loaded(org)
    data = cache._data
    assert data is not None
    ref = "component:default/orders-service"
    now = datetime.now(UTC)
    assert data.oncall_until is None or data.oncall_until > now
    assert data.ownership(ref, now) is not None
    object.__setattr__(data, "oncall_until", now - timedelta(seconds=1))  # a shift ended
    assert data.ownership(ref, now) is None
    assert cache.ownership_json(ref) is None  # stale on-call: not answered, rebuilt
    cache.wait(60)
    assert cache.builds == 2
    assert cache.ownership_json(ref) is not None


def _copied_org(root: Path) -> Path:
    """The example organisation's file sources on a copy of its repositories."""
    shutil.copytree(EXAMPLES / "org", root / "org")
    lines = [
        f"database: {root / 'steward.duckdb'}",
        "sources:",
        f"  catalog: {{type: catalog_files, roots: [{root}/org/org, {root}/org/repos]}}",
        f"  codeowners: {{type: codeowners, roots: [{root}/org/repos],"
        " org_namespaces: {acme: default}}",
        f"scorecards: {EXAMPLES}/scorecards",
    ]
    path = root / "steward.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_new_data_replaces_the_answers_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _copied_org(tmp_path)
    ref = "component:default/billing-service"
    with StewardService(load_config(config)) as service:
        assert service.run_pipeline(graph=False).ok
        cache = _loaded(service)
        first = cache.ownership_json(ref)
        assert first is not None and b'"owner":"group:default/team-billing"' in first
        catalog = tmp_path / "org" / "repos" / "billing-service" / "catalog-info.yaml"
        catalog.write_text(
            catalog.read_text().replace("owner: team-billing", "owner: team-payments", 1)
        )
        assert service.run_pipeline(graph=False).ok
        monkeypatch.setattr(ownership_cache, "CHECK_EVERY_S", 0.0)
        assert cache.ownership_json(ref) == first  # the rebuild starts; the old answer meanwhile
        cache.wait(60)
        fresh = cache.ownership_json(ref)
        with service.reader() as cur:
            assert fresh == json_response(entity_ownership(cur, ref)).body
            team = "group:default/team-billing"
            assert (
                cache.gaps_json(team, 100)
                == json_response(_gaps(ownership_gaps(cur, team=team), team, 100)).body
            )
        assert fresh is not None and b'"owner":"group:default/team-payments"' in fresh
        assert cache.builds == 2
        cache.ownership_json(ref)
        cache.wait(60)
        assert cache.builds == 2  # checked again, nothing changed: kept
