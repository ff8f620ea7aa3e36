"""End to end through Stoplight Prism: the real source, the real runner, a real DuckDB file.

Every exchange passes Prism in proxy mode (``--errors``) in front of the fake PagerDuty, so
each request and response is checked against PagerDuty's OpenAPI document; tests assert that
Prism saw no violation (or, for an injected 500 that PagerDuty's spec does not declare, only
that one "Unable to match the returned status code" warning).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.pagerduty import PagerDutyConfig, PagerDutySource
from ingest.runner import RunOutcome, run_source
from standins.pagerduty import Fault
from tests.ingest.pagerduty.conftest import Prism, RecordingTransport
from tests.ingest.pagerduty.sample_account import CATALOG, TOKEN

REPO = Path(__file__).resolve().parents[3]
UNDECLARED_STATUS = "Unable to match the returned status code"


class Env:
    def __init__(self, tmp: Path, prism: Prism) -> None:
        self.prism = prism
        self.root = tmp / "catalog"
        self.state = tmp / "state"
        self.store = Store(tmp / "steward.duckdb")
        self.transport = RecordingTransport()

    def ingest_catalog(self, *roots: Path) -> RunOutcome:
        if not roots:
            for rel, text in CATALOG.items():
                path = self.root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            roots = (self.root,)
        config = CatalogFilesConfig(type="catalog_files", roots=list(roots))
        return run_source(self.store, "catalog", CatalogFilesSource(config), state_dir=self.state)

    def ingest_pd(self, **overrides: Any) -> RunOutcome:
        config = PagerDutyConfig.model_validate(
            {
                "type": "pagerduty",
                "base_url": self.prism.base_url,
                "token": TOKEN,
                "backoff_seconds": 0.05,
                "timeout_seconds": 10,
                **overrides,
            }
        )
        source = PagerDutySource(config, transport=self.transport)
        return run_source(self.store, "pd", source, state_dir=self.state)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql).fetchall()

    def violations(self) -> list[str]:
        return self.prism.log_violations() + self.transport.violations


@pytest.fixture()
def env(tmp_path: Path, prism: Prism) -> Any:
    e = Env(tmp_path, prism)
    yield e
    e.store.close()


def test_full_ingest_is_valid_against_pagerduty_spec_and_fills_views(env: Env) -> None:
    assert env.ingest_catalog().status == "ok"
    assert env.rows("SELECT message FROM catalog_problems") == []
    outcome = env.ingest_pd(page_size=2)  # 5 users, 4 services... -> several pages each
    assert outcome.status == "ok", outcome.message
    assert env.violations() == []
    assert {status for _, status in env.transport.statuses} == {200}

    seen = env.prism.upstream.seen
    assert all(s.accept == "application/vnd.pagerduty+json;version=2" for s in seen)
    assert all(s.authorization == f"Token token={TOKEN}" for s in seen)
    users = [s.query["offset"] for s in seen if s.path == "/users"]
    assert users == [["0"], ["2"], ["4"]]
    assert all(s.query.get("include[]") == ["integrations"] for s in seen if s.path == "/services")
    assert {s.path for s in seen} >= {
        "/users", "/teams", "/escalation_policies", "/schedules", "/services", "/oncalls",
        "/teams/PTEAMA1/members", "/teams/PTEAMB2/members", "/teams/PTEAMX3/members",
    }  # fmt: skip
    assert outcome.report.counts["pd_service_rows"] == 4
    assert outcome.report.counts["pd_team_member_rows"] == 4

    assert env.rows(
        "SELECT id, status, escalation_policy_id, team_ids, component_ref "
        "FROM pagerduty_services ORDER BY id"
    ) == [
        ("PSVCA01", "active", "PEPOL01", ["PTEAMA1"], "component:default/comp-a"),
        ("PSVCB02", "active", "PEPOL02", [], "component:default/comp-b"),
        ("PSVCB03", "active", "PEPOL03", ["PTEAMB2"], "component:default/comp-b-backup"),
        ("PSVCU03", "active", "PEPOL04", ["PTEAMX3"], None),
    ]
    assert env.rows(
        "SELECT id, level_count, levels_without_target, oncall_now FROM escalation_policies "
        "ORDER BY id"
    ) == [
        ("PEPOL01", 2, 0, ["Bob Builder"]),
        ("PEPOL02", 1, 0, ["Cy Twombly"]),
        ("PEPOL03", 2, 1, ["Cy Twombly"]),
        ("PEPOL04", 2, 0, []),
    ]
    assert env.rows("SELECT * FROM entity_oncall ORDER BY ref") == [
        ("component:default/comp-a", "PSVCA01", "comp-a", "PEPOL01", "Alpha escalation", 2,
         ["Bob Builder"]),
        ("component:default/comp-b", "PSVCB02", "B events", "PEPOL02", "B single", 1,
         ["Cy Twombly"]),
        ("component:default/comp-b-backup", "PSVCB03", "B backup", "PEPOL03",
         "B with empty backup", 2, ["Cy Twombly"]),
    ]  # fmt: skip
    assert env.rows(
        "SELECT user_name, user_ref, escalation_level, schedule_name, on_call_now FROM oncalls "
        "WHERE escalation_policy_id = 'PEPOL01' ORDER BY escalation_level"
    ) == [
        ("Bob Builder", None, 1, "Alpha primary", True),
        ("Ada Lovelace", "user:default/ada", 2, None, True),
    ]
    # team-a by pagerduty.com/team-id, team-b by slugified name ("Team B"), Night Owls by none
    assert env.rows(
        "SELECT subject, owner, owner_raw, role, source, evidence FROM ownership_claims "
        "WHERE role = 'oncall' ORDER BY subject"
    ) == [
        ("component:default/comp-a", "group:default/team-a", "Alpha Squad", "oncall", "pd",
         "pagerduty:service/PSVCA01 team/PTEAMA1 escalation_policy/PEPOL01"),
        ("component:default/comp-b", "group:default/team-b", "Team B", "oncall", "pd",
         "pagerduty:service/PSVCB02 team/PTEAMB2 escalation_policy/PEPOL02"),
        ("component:default/comp-b-backup", "group:default/team-b", "Team B", "oncall", "pd",
         "pagerduty:service/PSVCB03 team/PTEAMB2 escalation_policy/PEPOL03"),
    ]  # fmt: skip
    assert env.rows("SELECT subject, gap FROM _gaps_pagerduty ORDER BY gap, subject") == [
        ("component:default/comp-b-backup", "escalation_level_without_target"),
        ("component:default/comp-b", "escalation_policy_single_level"),
        ("pagerduty:service/PSVCU03", "nobody_oncall"),
        ("pagerduty:service/PSVCU03", "pagerduty_service_unmapped"),
        ("pagerduty:team/PTEAMX3", "pagerduty_team_without_group"),
        ("component:default/comp-c", "production_without_oncall"),
        ("component:default/comp-e", "production_without_oncall"),
    ]
    detail = env.rows(
        "SELECT detail FROM _gaps_pagerduty WHERE subject = 'component:default/comp-e'"
    )
    assert "names no known service (PNOPE00)" in detail[0][0]


def test_rate_limit_429_with_retry_after_is_waited_out(env: Env) -> None:
    env.prism.upstream.faults.append(Fault("/teams", status=429, headers={"Retry-After": "1"}))
    started = time.monotonic()
    outcome = env.ingest_pd()
    assert outcome.status == "ok", outcome.message
    assert time.monotonic() - started >= 1.0
    assert [s for p, s in env.transport.statuses if p == "/teams"] == [429, 200]
    assert env.violations() == []  # GET /teams declares 429


def test_server_error_once_is_retried(env: Env) -> None:
    env.prism.upstream.faults.append(Fault("/oncalls", status=500))
    outcome = env.ingest_pd()
    assert outcome.status == "ok", outcome.message
    assert [s for p, s in env.transport.statuses if p == "/oncalls"] == [500, 200]
    # PagerDuty's spec declares no 500 anywhere; Prism warns about exactly that, nothing else
    violations = env.violations()
    assert violations and all(UNDECLARED_STATUS in v for v in violations), violations


def test_slow_response_times_out_and_keeps_the_snapshot(env: Env) -> None:
    assert env.ingest_pd().status == "ok"
    env.prism.upstream.faults.append(Fault("/users", kind="slow", delay=2.0, times=-1))
    outcome = env.ingest_pd(timeout_seconds=0.5, max_retries=1)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("pagerduty source 'pd': request timed out after 0.5s")
    assert env.rows("SELECT count(*) FROM pagerduty_services") == [(4,)]
    env.prism.upstream.faults.clear()
    assert env.violations() == []


def test_bad_token_fails_naming_the_source_and_keeps_the_snapshot(env: Env) -> None:
    assert env.ingest_pd().status == "ok"
    outcome = env.ingest_pd(token="wrong-token-0000")
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("pagerduty source 'pd': token rejected (HTTP 401)")
    assert "wrong-token-0000" not in outcome.message
    assert env.rows("SELECT count(*) FROM pagerduty_services") == [(4,)]
    assert env.rows("SELECT status FROM ingest_runs WHERE source = 'pd' ORDER BY run_id") == [
        ("ok",),
        ("failed",),
    ]
    assert env.violations() == []


def test_endless_pagination_is_bounded(env: Env) -> None:
    env.prism.upstream.faults.append(Fault("/users", kind="endless", times=-1))
    outcome = env.ingest_pd(page_size=2, max_pages=3)
    assert outcome.status == "failed"
    assert outcome.message is not None and "max_pages=3" in outcome.message
    assert len([s for s in env.prism.upstream.seen if s.path == "/users"]) == 3
    assert env.violations() == []


def test_malformed_json_fails_the_run(env: Env) -> None:
    # straight to the fake: Prism (--errors) would replace the broken body with its own 500
    env.prism.upstream.faults.append(Fault("/services", kind="malformed", times=-1))
    outcome = env.ingest_pd(base_url=env.prism.upstream.base_url)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("pagerduty source 'pd': malformed JSON from ")
    assert "/services (page 1, offset 0)" in outcome.message


def test_prism_reports_a_response_that_breaks_the_spec(env: Env) -> None:
    """The harness itself: a service status outside PagerDuty's enum must not go unnoticed."""
    fixture = env.prism.upstream.fixture
    fixture.services[0] = {**fixture.services[0], "status": "exploded"}
    env.prism.upstream.load(fixture)
    outcome = env.ingest_pd(max_retries=0)
    assert outcome.status == "failed"
    assert any("status" in v for v in env.violations())


def test_example_org_through_prism(env: Env) -> None:
    from standins.pagerduty import load_fixture

    env.prism.upstream.load(load_fixture(REPO / "examples/pagerduty/fixture.json"))
    org = REPO / "examples" / "org"
    assert env.ingest_catalog(org / "org", org / "repos").status == "ok"
    outcome = env.ingest_pd()
    assert outcome.status == "ok", outcome.message
    assert env.violations() == []
    gaps = env.rows("SELECT gap, subject FROM _gaps_pagerduty ORDER BY gap, subject")
    assert gaps == [
        ("escalation_level_without_target", "component:default/acme-mobile"),
        ("escalation_policy_single_level", "component:default/fraud-detector"),
        ("escalation_policy_single_level", "component:default/fraud-rules-engine"),
        ("nobody_oncall", "component:default/notifications-worker"),
        ("pagerduty_service_unmapped", "pagerduty:service/PFF2LG9"),
        ("pagerduty_service_unmapped", "pagerduty:service/PLGCRN1"),
        ("pagerduty_team_without_group", "pagerduty:team/PTFD3B7"),
        ("production_without_oncall", "component:default/billing-service"),
        ("production_without_oncall", "component:default/event-ingestion"),
        ("production_without_oncall", "component:default/inventory-service"),
    ]
    assert env.rows("SELECT count(*) FROM entity_oncall") == [(19,)]
