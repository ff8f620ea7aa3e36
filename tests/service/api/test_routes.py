"""Every /api/v1 route on the example organisation, through the real app (TestClient)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.steward_service import StewardService

PROBLEM = "application/problem+json"
E = "/api/v1/entities"


def test_entity_scorecards_contract(client: TestClient) -> None:
    body = client.get(f"{E}/component/default/notifications-worker/scorecards").json()
    assert body["ref"] == "component:default/notifications-worker"
    cards = {c["id"]: c for c in body["scorecards"]}
    assert set(cards) == {"ownership-hygiene", "production-readiness"}
    card = cards["production-readiness"]
    assert card["levels"] == ["bronze", "silver", "gold"]
    assert card["level"] == "bronze" and isinstance(card["score"], float)
    assert card["title"]
    states = {c["state"] for c in card["checks"]}
    assert states <= {"pass", "fail", "exempt", "unknown"} and "fail" in states
    check = next(c for c in card["checks"] if c["id"] == "no-deprecated-dependencies")
    assert check["state"] == "exempt"
    assert check["exemption"]["reason"].startswith("Moving off email-gateway-legacy")
    assert check["exemption"]["expires"]
    assert set(check) == {"id", "title", "level", "weight", "state", "evidence", "exemption"}
    assert card["history"] and set(card["history"][-1]) == {"run_id", "at", "level", "score"}
    assert card["history"][-1]["level"] == "bronze"


def test_refs_are_case_insensitive(client: TestClient) -> None:
    body = client.get(f"{E}/Component/Default/Notifications-Worker/scorecards").json()
    assert body["ref"] == "component:default/notifications-worker"


def test_malformed_ref_is_400_unknown_is_404_with_close_names(client: TestClient) -> None:
    bad = client.get(f"{E}/component/default/bad..name!/scorecards")
    assert bad.status_code == 400
    assert bad.headers["content-type"] == PROBLEM
    assert "not a valid entity name" in bad.json()["detail"]
    bad_ns = client.get(f"{E}/component/Not_A_Namespace/x/ownership")
    assert bad_ns.status_code == 400
    missing = client.get(f"{E}/component/default/notifications-workr/ownership")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    problem = missing.json()
    assert problem["status"] == 404 and problem["title"] == "Not Found"
    assert "component:default/notifications-worker" in problem["suggestions"]
    for suffix in ("scorecards", "blast-radius"):
        r = client.get(f"{E}/component/default/notifications-workr/{suffix}")
        assert r.status_code == 404, suffix


def test_entity_ownership_contract(client: TestClient) -> None:
    body = client.get(f"{E}/component/default/orders-service/ownership").json()
    assert body["ref"] == "component:default/orders-service"
    assert body["owner"] == "group:default/team-checkout"
    roles = {c["role"] for c in body["claims"]}
    assert {"owner", "codeowner", "infra", "oncall"} <= roles
    assert all({"owner", "role", "source", "evidence"} <= set(c) for c in body["claims"])
    assert any(g["gap"] == "cloud_owner_differs" for g in body["gaps"])
    assert all({"gap", "detail", "first_seen"} <= set(g) for g in body["gaps"])
    assert body["oncall"]["service_id"] and isinstance(body["oncall"]["oncall_now"], list)
    conflicts = client.get(f"{E}/component/default/search-indexer/ownership").json()["conflicts"]
    assert conflicts and conflicts[0]["role"] == "codeowner"
    assert conflicts[0]["claimed_owners"] and conflicts[0]["evidence"]
    ghost = client.get(f"{E}/component/default/shipping-rates-service/ownership").json()
    assert "unknown_owner" in [g["gap"] for g in ghost["gaps"]]
    # rejected by the catalog (no spec.owner): not an entity, even though it has a gap
    assert client.get(f"{E}/component/default/feature-flags-service/ownership").status_code == 404


def test_blast_radius_matches_the_cli_contract(client: TestClient, org: StewardService) -> None:
    body = client.get(f"{E}/component/default/payments-api/blast-radius").json()
    assert body["ref"] == "component:default/payments-api"
    assert body["impacted"] and body["summary"]["impacted"] == len(body["impacted"])
    first = body["impacted"][0]
    assert set(first) >= {"ref", "depth", "path", "owners", "oncall", "level"}
    assert first["path"][-1] == body["ref"]
    shallow = client.get(f"{E}/component/default/payments-api/blast-radius?depth=1").json()
    assert {i["depth"] for i in shallow["impacted"]} == {1}
    assert (
        client.get(f"{E}/component/default/payments-api/blast-radius?depth=-1").status_code == 400
    )
    from graph import blast_radius

    expected = blast_radius(org.graph(), "component:default/payments-api").to_json()
    assert [i["ref"] for i in body["impacted"]] == [i["ref"] for i in expected["impacted"]]


def test_team_scorecards_roll_up_the_group_tree(client: TestClient) -> None:
    dept = client.get("/api/v1/teams/default/dept-commerce/scorecards").json()
    team = client.get("/api/v1/teams/default/team-payments/scorecards").json()
    assert dept["team"] == "group:default/dept-commerce"
    assert "group:default/team-payments" in dept["groups"]
    by_card = {s["scorecard"]: s for s in dept["scorecards"]}
    team_card = {s["scorecard"]: s for s in team["scorecards"]}
    for card, rollup in team_card.items():
        assert by_card[card]["entities"] >= rollup["entities"] > 0
        assert sum(rollup["levels"].values()) == rollup["entities"]
    assert {e["owner"] for e in team["entities"]} == {"group:default/team-payments"}
    missing = client.get("/api/v1/teams/default/team-paymnts/scorecards")
    assert missing.status_code == 404
    assert "group:default/team-payments" in missing.json()["suggestions"]


def test_gaps_for_a_team_and_its_subtree(client: TestClient) -> None:
    everything = client.get("/api/v1/gaps").json()
    assert everything["count"] == len(everything["gaps"]) == sum(everything["by_type"].values())
    dept = client.get("/api/v1/teams/default/dept-platform/gaps").json()
    team = client.get("/api/v1/gaps", params={"team": "group:default/team-sre"}).json()
    assert team["team"] == "group:default/team-sre"
    assert {g["subject"] for g in team["gaps"]} == {"resource:default/eks-prod"}
    assert {g["subject"] for g in team["gaps"]} <= {g["subject"] for g in dept["gaps"]}
    assert dept["count"] < everything["count"]
    short = client.get("/api/v1/gaps", params={"team": "team-sre"}).json()
    assert short["team"] == "group:default/team-sre"
    limited = client.get("/api/v1/gaps", params={"limit": 2}).json()
    assert len(limited["gaps"]) == 2 and limited["count"] == everything["count"]
    assert client.get("/api/v1/gaps", params={"team": "group:x/"}).status_code == 400
    assert client.get("/api/v1/gaps", params={"team": "team-nobody"}).status_code == 404


def test_gate(client: TestClient) -> None:
    url = "/api/v1/gate/component/default/identity-provider"
    passed = client.get(url, params={"scorecard": "production-readiness", "min_level": "gold"})
    assert passed.status_code == 200
    assert passed.json()["pass"] is True and passed.json()["failing_checks"] == []
    url = "/api/v1/gate/component/default/billing-service"
    failed = client.get(url, params={"scorecard": "production-readiness", "min_level": "silver"})
    body = failed.json()
    assert body["pass"] is False and body["level"] == "bronze"
    assert body["failing_checks"]
    assert all(c["state"] in ("fail", "unknown") and c["evidence"] for c in body["failing_checks"])
    assert {c["level"] for c in body["failing_checks"]} <= {"bronze", "silver"}
    unknown_card = client.get(url, params={"scorecard": "prod-readiness", "min_level": "gold"})
    assert unknown_card.status_code == 404
    assert "production-readiness" in unknown_card.json()["suggestions"]
    bad_level = client.get(url, params={"scorecard": "production-readiness", "min_level": "plat"})
    assert bad_level.status_code == 400 and "bronze, silver, gold" in bad_level.json()["detail"]
    assert client.get(url, params={"scorecard": "production-readiness"}).status_code == 400


def test_runs_and_schedules(client: TestClient) -> None:
    runs = client.get("/api/v1/runs").json()["runs"]
    assert {r["source"] for r in runs} == {"catalog", "codeowners", "aws", "pagerduty"}
    assert runs == sorted(runs, key=lambda r: -r["run_id"])
    assert all(r["status"] == "ok" and isinstance(r["record_counts"], dict) for r in runs)
    one = client.get("/api/v1/runs", params={"source": "aws", "limit": 1}).json()["runs"]
    assert [r["source"] for r in one] == ["aws"]
    jobs = client.get("/api/v1/schedules").json()["schedules"]
    assert {j["job"] for j in jobs} >= {"source:catalog", "source:pagerduty"}
    assert all(set(j) == {"job", "trigger", "next_run", "running"} for j in jobs)


def test_sql_route(client: TestClient) -> None:
    body = client.post(
        "/api/v1/sql",
        json={"sql": "SELECT kind, count(*) AS n FROM entities GROUP BY kind ORDER BY kind"},
    ).json()
    assert body["columns"] == ["kind", "n"] and body["truncated"] is False
    assert ["component", 26] in body["rows"] or any(r[0] == "component" for r in body["rows"])
    capped = client.post("/api/v1/sql", json={"sql": "FROM entities", "max_rows": 3}).json()
    assert len(capped["rows"]) == 3 and capped["truncated"] is True
    typed = client.post(
        "/api/v1/sql",
        json={
            "sql": "SELECT now() AS t, 1.5::DECIMAL(4,2) AS d, [1,2] AS l, "
            "{'a': 1} AS s, 2::UHUGEINT ** 70 AS big, interval 1 hour AS i"
        },
    ).json()
    row = typed["rows"][0]
    assert isinstance(row[0], str) and row[1] == "1.50" and row[2] == [1, 2]
    assert row[3] == {"a": 1} and row[5] == 3600.0


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in [
        "/api/v1/entities/{kind}/{namespace}/{name}/scorecards",
        "/api/v1/entities/{kind}/{namespace}/{name}/ownership",
        "/api/v1/entities/{kind}/{namespace}/{name}/blast-radius",
        "/api/v1/teams/{namespace}/{name}/scorecards",
        "/api/v1/teams/{namespace}/{name}/gaps",
        "/api/v1/gaps",
        "/api/v1/gate/{kind}/{namespace}/{name}",
        "/api/v1/sql",
        "/api/v1/runs",
        "/api/v1/schedules",
        "/api/v1/ingest/{source}",
        "/healthz",
        "/readyz",
        "/metrics",
    ]:
        assert path in paths, path
    gate = spec["components"]["schemas"]["GateResult"]
    assert "pass" in gate["properties"]
    assert client.get("/docs").status_code == 200
