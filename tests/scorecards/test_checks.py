"""Every check type: pass, fail and unknown, on real ingested data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ConfigError
from catalog.store.migrations import SNAPSHOT_TABLES
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source
from tests.scorecards.conftest import Env


def snapshot(env: Env, name: str, kind: str, table: str, rows: list[dict[str, Any]]) -> None:
    """Log a successful run of a source of type ``kind`` whose snapshot is ``rows``."""
    columns: dict[str, list[Any]] = {c: [] for c in SNAPSHOT_TABLES[table].column_names}
    for row in rows:
        for c in columns:
            columns[c].append(row.get(c))
    run_id = env.store.begin_run(name, kind)
    env.store.finish_run(run_id, status="ok", snapshot={table: columns})
    env.store.refresh_gaps()  # as the pipeline does after a source's run


def check(env: Env, body: str, **kwargs: Any) -> dict[str, tuple[str, str]]:
    env.card(f"  - {{id: c, title: C, level: bronze, {body}}}\n", **kwargs)
    env.run()
    return env.states("c")


def states(found: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {ref: state for ref, (state, _) in found.items()}


def test_has_owner(env: Env) -> None:
    found = check(env, "type: has_owner", filter="{kind: [component, group]}")
    assert found["web"] == ("pass", "owner group:default/team-a")
    assert found["team-a"] == ("fail", "spec.owner is missing")


def test_owner_is_known_group_with_members(env: Env) -> None:
    found = check(env, "type: owner_is_known_group_with_members")
    assert found["web"] == ("pass", "owner group group:default/team-a has 1 members")
    assert found["legacy"][0] == "fail" and "has no members" in found["legacy"][1]
    assert found["ghost-owned"] == (
        "fail",
        "owner group:default/team-ghost is not a known Group",
    )


GHOST_GROUPS = """
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-gone}
spec: {type: team, children: [], members: [left-the-company]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-mixed}
spec: {type: team, children: [], members: [ann, gone-too]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orphaned}
spec: {type: service, lifecycle: production, owner: team-gone}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: mixed}
spec: {type: service, lifecycle: production, owner: team-mixed}
"""


def test_members_count_only_when_they_resolve_to_users(env: Env) -> None:
    """Issue 14.10: a group whose only listed members are not in the catalog is not staffed."""
    catalog = env.root / "repo" / "catalog-info.yaml"
    catalog.write_text(catalog.read_text() + GHOST_GROUPS)
    env.ingest()
    found = check(env, "type: owner_is_known_group_with_members")
    assert found["orphaned"] == (
        "fail",
        "owner group group:default/team-gone has no members that are Users of the catalog"
        " (not in the catalog: user:default/left-the-company)",
    )
    assert found["mixed"] == (
        "pass",
        "owner group group:default/team-mixed has 1 members"
        " (not in the catalog: user:default/gone-too)",
    )
    env.store.refresh_gaps()
    gaps = {(s, g, d) for s, g, d in env.rows("SELECT subject, gap, detail FROM ownership_gaps")}
    assert (
        "component:default/orphaned",
        "owner_group_without_members",
        "owner group:default/team-gone has no members, directly or through child groups",
    ) in gaps
    assert (
        "group:default/team-gone",
        "group_member_not_in_catalog",
        "member user:default/left-the-company is not a User of the catalog",
    ) in gaps
    assert ("group:default/team-mixed", "group_member_not_in_catalog",
            "member user:default/gone-too is not a User of the catalog") in gaps  # fmt: skip
    assert not {g for s, g, _ in gaps if s in ("component:default/mixed", "group:default/team-a")}


def test_annotation_present_and_matching(env: Env) -> None:
    present = states(check(env, "type: annotation, key: github.com/project-slug"))
    assert present["web"] == present["api"] == "pass" and present["db-svc"] == "fail"
    found = check(env, "type: annotation, key: github.com/project-slug, matches: '^acme/'")
    assert found["web"] == ("pass", "github.com/project-slug: acme/web")
    assert found["api"] == ("fail", "github.com/project-slug: nope does not match ^acme/")
    assert found["db-svc"] == ("fail", "annotation github.com/project-slug is missing")


def test_tag(env: Env) -> None:
    found = check(env, "type: tag, tag: [tier-1, tier-2]")
    assert found["web"][0] == "pass"
    assert found["api"] == ("fail", "none of the tags tier-1, tier-2 (has: no tags)")


def test_field_matches_scalar_wildcard_equals_one_of(env: Env) -> None:
    assert states(check(env, "type: field, path: metadata.description"))["web"] == "pass"
    assert check(env, "type: field, path: metadata.description")["api"] == (
        "fail",
        "metadata.description is missing",
    )
    runbook = check(env, "type: field, path: 'metadata.links[*].url', matches: runbooks")
    assert runbook["web"] == ("pass", "metadata.links[*].url: https://runbooks.example/web")
    assert runbook["api"][0] == "fail"
    lifecycle = states(check(env, "type: field, path: spec.lifecycle, equals: production"))
    assert lifecycle["web"] == "pass" and lifecycle["legacy"] == "fail"
    one_of = states(check(env, "type: field, path: spec.lifecycle, one_of: [deprecated]"))
    assert one_of["legacy"] == "pass" and one_of["web"] == "fail"
    quoted = check(
        env, """type: field, path: 'metadata.annotations["backstage.io/techdocs-ref"]'"""
    )
    assert quoted["web"][0] == "pass" and quoted["api"][0] == "fail"


def test_has_docs(env: Env) -> None:
    found = check(env, "type: has_docs")
    assert found["web"] == ("pass", "backstage.io/techdocs-ref: dir:.")
    assert found["api"] == ("fail", "annotation backstage.io/techdocs-ref is missing")


def test_no_dependency_on_deprecated(env: Env) -> None:
    found = check(env, "type: no_dependency_on_deprecated")
    assert found["cyc-2"] == ("fail", "depends on component:default/legacy (deprecated)")
    assert found["web"][0] == found["cyc-1"][0] == "pass"


def test_oncall_unknown_without_pagerduty_then_pass_and_fail(env: Env) -> None:
    body = "type: oncall, min_escalation_levels: 2"
    found = check(env, body)
    assert set(states(found).values()) == {"unknown"}
    assert "no PagerDuty data" in found["web"][1]
    levels = [{"level": 1, "targets": []}, {"level": 2, "targets": []}]
    run_id = env.store.begin_run("pagerduty", "pagerduty")
    env.store.finish_run(
        run_id,
        status="ok",
        snapshot={
            "pd_service_rows": {
                "id": ["P1", "P2"], "name": ["Web", "Api"], "status": ["active"] * 2,
                "description": [None] * 2, "escalation_policy_id": ["E2", "E1"],
                "team_ids": [[], []], "integration_ids": [[], []], "integration_keys": [[], []],
                "html_url": [None] * 2,
            },
            "pd_escalation_policy_rows": {
                "id": ["E2", "E1"], "name": ["Two", "One"], "num_loops": [0, 0],
                "team_ids": [[], []], "level_count": [2, 1], "levels": [levels, levels[:1]],
                "html_url": [None] * 2,
            },
        },
    )  # fmt: skip
    found = check(env, body)
    assert found["web"][0] == "pass" and "Web (P1)" in found["web"][1]
    assert found["api"][0] == "fail" and "fewer than 2" in found["api"][1]
    assert found["db-svc"] == ("fail", "no PagerDuty service maps to this entity")


def test_oncall_maps_services_as_the_entity_oncall_view_does(env: Env) -> None:
    """Integration keys count, and a ref that two sources define is mapped through the
    annotations of both of its rows (the check reads them from the scope's facts)."""
    extra = env.tmp / "extra" / "catalog-info.yaml"
    extra.parent.mkdir()
    head = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {}\n"
    spec = "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    extra.write_text(
        "---\n".join(
            head.format(name) + f"  annotations:\n    pagerduty.com/integration-key: {key}\n" + spec
            for name, key in (("api", "KEY3"), ("pd-only", " KEY3 "))
        )
    )
    source = CatalogFilesSource(CatalogFilesConfig(type="catalog_files", roots=[extra.parent]))
    run_source(env.store, "catalog-extra", source, state_dir=env.tmp / "state")
    levels = [{"level": 1, "targets": []}, {"level": 2, "targets": []}]
    run_id = env.store.begin_run("pagerduty", "pagerduty")
    env.store.finish_run(
        run_id,
        status="ok",
        snapshot={
            "pd_service_rows": {
                "id": ["P1", "P2", "P3"], "name": ["Web", "Api", "Api-bis"],
                "status": ["active"] * 3, "description": [None] * 3,
                "escalation_policy_id": ["E2", "E1", "E2"], "team_ids": [[], [], []],
                "integration_ids": [[], [], []], "integration_keys": [[], [], ["KEY3"]],
                "html_url": [None] * 3,
            },
            "pd_escalation_policy_rows": {
                "id": ["E2", "E1"], "name": ["Two", "One"], "num_loops": [0, 0],
                "team_ids": [[], []], "level_count": [2, 1], "levels": [levels, levels[:1]],
                "html_url": [None] * 2,
            },
        },
    )  # fmt: skip
    env.store.refresh_gaps()
    found = check(env, "type: oncall, min_escalation_levels: 2")
    two = ", escalation policy Two: 2 level(s), nobody on call now"
    assert found["api"] == ("pass", "PagerDuty service Api-bis (P3)" + two)  # the second row's
    assert found["pd-only"] == ("pass", "PagerDuty service Api-bis (P3)" + two)
    assert found["web"] == ("pass", "PagerDuty service Web (P1)" + two)
    assert found["db-svc"] == ("fail", "no PagerDuty service maps to this entity")
    assert (
        env.rows(  # one scope row per ref, whichever sources define it
            "SELECT ref, count(*) FROM scorecard_results GROUP BY ref HAVING count(*) > 1"
        )
        == []
    )
    by_view = dict(
        env.rows(
            "SELECT ref, max(escalation_levels) >= 2 FROM entity_oncall WHERE ref IN "
            "(SELECT ref FROM entities WHERE kind = 'component') GROUP BY ref"
        )
    )
    assert {f"component:default/{ref}": state == "pass" for ref, (state, _) in found.items()} == {
        ref: by_view.get(ref, False) for ref in (f"component:default/{name}" for name in found)
    }


def test_codeowners_agree(env: Env) -> None:
    assert set(states(check(env, "type: codeowners_agree")).values()) == {"unknown"}
    claims = [
        {"subject": "component:default/web", "owner": "group:default/team-a", "role": "codeowner",
         "owner_raw": "@acme/team-a", "evidence": "web:CODEOWNERS:1"},
        {"subject": "component:default/api", "owner": "group:default/team-b", "role": "codeowner",
         "owner_raw": "@acme/team-b", "evidence": "api:CODEOWNERS:1"},
    ]  # fmt: skip
    snapshot(env, "codeowners", "codeowners", "claim_rows", claims)
    found = check(env, "type: codeowners_agree")
    assert found["web"] == ("pass", "CODEOWNERS: group:default/team-a")
    assert found["api"] == (
        "fail",
        "owner group:default/team-a is not among the CODEOWNERS owners group:default/team-b",
    )
    assert found["db-svc"] == ("unknown", "no CODEOWNERS claim for this entity")


def test_cloud_resources_tagged_with_owner(env: Env) -> None:
    body = "type: cloud_resources_tagged_with_owner"
    assert set(states(check(env, body)).values()) == {"unknown"}
    resources = [
        {"arn": "arn:aws:s3:::web", "component_ref": "component:default/web",
         "owner_ref": "group:default/team-a", "tags": json.loads("{}"), "service": "s3"},
        {"arn": "arn:aws:s3:::api", "component_ref": "component:default/api",
         "owner_ref": "group:default/team-c", "tags": {}, "service": "s3"},
    ]  # fmt: skip
    snapshot(env, "aws", "aws_tags", "cloud_resource_rows", resources)
    found = check(env, body)
    assert found["web"] == ("pass", "1 cloud resource(s) tagged with the owner")
    assert (
        found["api"][0] == "fail"
        and "arn:aws:s3:::api (owner group:default/team-c)" in (found["api"][1])
    )
    assert found["db-svc"][0] == "unknown"
    assert states(check(env, body + ", if_none: pass"))["db-svc"] == "pass"


def test_cloud_unknown_when_its_source_is_stale(env: Env) -> None:
    snapshot(env, "aws", "aws_tags", "cloud_resource_rows", [])
    env.card("  - {id: c, title: C, level: bronze, type: cloud_resources_tagged_with_owner}\n")
    env.run(stale_after_days=1, now=datetime.now(UTC) + timedelta(days=3))
    found = env.states("c")
    assert {s for s, _ in found.values()} == {"unknown"}
    assert "stale" in found["web"][1]


def test_sql_check_fails_returned_refs_and_is_unknown_when_broken(env: Env) -> None:
    query = (
        "SELECT ref, 'no tier' AS evidence FROM entities WHERE NOT list_contains(tags, 'tier-1')"
    )
    found = check(env, f'type: sql, query: "{query}"')
    assert found["web"] == ("pass", None) and found["api"] == ("fail", "no tier")
    broken = check(env, "type: sql, query: 'SELECT ref FROM no_such_view'")
    assert broken["web"][0] == "unknown" and "no_such_view" in broken["web"][1]


def test_every_entity_in_scope_gets_a_result_even_when_its_source_is_stale(env: Env) -> None:
    env.card("  - {id: c, title: C, level: bronze, type: has_owner}\n")
    env.run(stale_after_days=1, now=datetime.now(UTC) + timedelta(days=3))
    found = env.states("c")
    assert len(found) == 7
    assert found["web"][0] == "unknown" and "source catalog is stale" in found["web"][1]


def test_sql_check_cannot_read_files(env: Env, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    query = f"SELECT e.ref, t.content AS evidence FROM entities e, read_text('{secret}') t"
    # refused by the SQL guard when the scorecard is read (catalog/sqlguard.py)
    with pytest.raises(ConfigError, match=r"card.yaml:\d+: .*read_text\(\) is not allowed"):
        check(env, f'type: sql, query: "{query}"')
