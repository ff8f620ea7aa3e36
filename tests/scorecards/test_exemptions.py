"""Exemptions: by entity, by owner (and the groups above it), by check and ``*``, per scorecard;
expiry (inclusive, UTC); typos in targets refused with file:line; reasons visible in results."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog.errors import ConfigError
from scorecards.queries import scorecards_of
from tests.scorecards.conftest import Env

DOCS = "- {id: docs, title: D, level: bronze, type: has_docs}\n"
DOCS_AND_TIER = DOCS + "- {id: tier, title: T, level: silver, type: tag, tag: tier-1}\n"
MISSING_DOCS = "annotation backstage.io/techdocs-ref is missing"


def exempt(env: Env, *items: str, name: str = "exemptions.yaml") -> Path:
    """An exemptions file with one flow-mapping item per line (item i is on line i + 2)."""
    return env.define(name, "exemptions:\n" + "".join(f"  - {{{i}}}\n" for i in items))


def exempt_names(env: Env, check: str = "docs", scorecard: str = "card") -> set[str]:
    return {n for n, (state, _) in env.states(check, scorecard).items() if state == "exempt"}


def exemption_rows(env: Env) -> list[tuple[object, ...]]:
    return env.rows(
        "SELECT line, entity, owner, scorecard, check_id, status, applied "
        "FROM scorecard_exemptions ORDER BY line"
    )


def test_entity_exemption_turns_a_failure_into_exempt_and_a_pass_stays_a_pass(env: Env) -> None:
    exempt(
        env,
        "entity: api, check: docs, reason: Docs live in Confluence., expires: 2099-01-31",
        "entity: component:default/web, check: docs, reason: Not needed., expires: 2099-01-31",
    )
    env.card(DOCS, levels="[bronze]")
    env.run()
    found = env.states("docs")
    assert found["api"] == ("exempt", f"fail (exempt): {MISSING_DOCS}")
    assert found["web"] == ("pass", "backstage.io/techdocs-ref: dir:.")
    assert found["db-svc"] == ("fail", MISSING_DOCS)
    assert env.rows(
        "SELECT ref, exemption_reason, exemption_expires FROM scorecard_results "
        "WHERE exemption_reason IS NOT NULL"
    ) == [("component:default/api", "Docs live in Confluence.", date(2099, 1, 31))]
    levels = env.levels()
    assert (levels["api"], levels["web"], levels["db-svc"]) == ("bronze", "bronze", None)
    assert exemption_rows(env) == [
        (2, "component:default/api", None, None, "docs", "active", 1),
        (3, "component:default/web", None, None, "docs", "active", 0),
    ]


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("team-b", {"db-svc"}),
        ("group:default/team-a", {"api", "cyc-1", "cyc-2"}),
        # a department: everything owned by the teams below it (web passes anyway)
        ("dept-a", {"api", "db-svc", "cyc-1", "cyc-2"}),
        ("dept-b", {"legacy"}),
        # the root: every owner in the group tree, but not team-ghost, which is no Group
        ("org", {"api", "db-svc", "cyc-1", "cyc-2", "legacy"}),
        # the owner named directly matches even though no such Group exists
        ("team-ghost", {"ghost-owned"}),
    ],
)
def test_owner_exemption_follows_the_group_tree(env: Env, owner: str, expected: set[str]) -> None:
    exempt(env, f"owner: {owner}, check: docs, reason: Migrating., expires: 2099-01-01")
    env.card(DOCS, levels="[bronze]")
    env.run()
    assert exempt_names(env) == expected
    applied = env.rows("SELECT applied FROM scorecard_exemptions")
    assert applied == [(len(expected),)]


def test_a_check_id_exempts_that_check_and_star_every_check(env: Env) -> None:
    exempt(
        env,
        "entity: api, check: '*', reason: Everything later., expires: 2099-01-01",
        "entity: db-svc, check: docs, reason: Docs later., expires: 2099-01-01",
    )
    env.card(DOCS_AND_TIER, levels="[bronze, silver]")
    env.run()
    assert exempt_names(env, "docs") == {"api", "db-svc"}
    assert exempt_names(env, "tier") == {"api"}
    assert env.states("tier")["db-svc"] == ("fail", "none of the tags tier-1 (has: no tags)")
    levels = env.levels()
    assert (levels["api"], levels["db-svc"], levels["cyc-1"]) == ("silver", "bronze", None)


def test_a_scorecard_scoped_exemption_applies_to_that_scorecard_only(env: Env) -> None:
    exempt(
        env,
        "entity: api, scorecard: card-a, check: docs, reason: Only in A., expires: 2099-01-01",
        "entity: db-svc, check: docs, reason: In both., expires: 2099-01-01",
        "entity: cyc-1, scorecard: card-b, check: '*', reason: All of B., expires: 2099-01-01",
    )
    env.card(DOCS, levels="[bronze]", card_id="card-a")
    env.card(DOCS_AND_TIER, levels="[bronze, silver]", card_id="card-b")
    env.run()
    assert exempt_names(env, "docs", "card-a") == {"api", "db-svc"}
    assert exempt_names(env, "docs", "card-b") == {"db-svc", "cyc-1"}
    assert exempt_names(env, "tier", "card-b") == {"cyc-1"}
    assert env.states("docs", "card-b")["api"] == ("fail", MISSING_DOCS)
    assert [r[-1] for r in exemption_rows(env)] == [1, 2, 2]


def test_an_unknown_result_can_be_exempt_too(env: Env) -> None:
    exempt(env, "owner: dept-a, check: oncall, reason: Paging comes in Q3., expires: 2099-01-01")
    env.card("- {id: oncall, title: O, level: bronze, type: oncall}\n", levels="[bronze]")
    env.run()
    found = env.states("oncall")
    assert found["web"][0] == "exempt"
    assert found["web"][1].startswith("unknown (exempt): no PagerDuty data")
    assert found["legacy"][0] == "unknown"
    assert env.levels()["web"] == "bronze" and env.levels()["legacy"] is None


def test_an_exempt_dependency_check_does_not_pull_the_entity_down(env: Env) -> None:
    env.card(
        """\
        - {id: pd, title: P, level: silver, type: annotation, key: pagerduty.com/service-id}
        - {id: deps, title: D, level: gold, type: dependencies_reach_level,
           required_level: gold}
        """
    )
    env.run()
    assert (env.levels()["web"], env.levels()["api"]) == ("silver", "silver")
    exempt(env, "entity: web, check: deps, reason: api is fine., expires: 2099-01-01")
    env.run()
    assert (env.levels()["web"], env.levels()["api"]) == ("gold", "silver")
    assert env.states("deps")["web"] == (
        "exempt",
        "fail (exempt): 1 of 1 dependencies below gold: component:default/api (silver)",
    )
    # exempting api's check instead lifts api to gold, and with it web (which now passes)
    exempt(env, "entity: api, check: deps, reason: db-svc is fine., expires: 2099-01-01")
    env.run()
    assert (env.levels()["web"], env.levels()["api"]) == ("gold", "gold")
    assert env.states("deps")["web"] == ("pass", "all 1 dependencies reach gold")


def test_expiry_is_inclusive_in_utc_then_the_exemption_stops_and_is_reported(env: Env) -> None:
    path = exempt(env, "entity: api, check: docs, reason: Until March., expires: 2027-03-31")
    env.card(DOCS, levels="[bronze]")
    plus_two = timezone(timedelta(hours=2))
    for now in (
        datetime(2027, 3, 31, 23, 59, tzinfo=UTC),
        datetime(2027, 4, 1, 1, 30, tzinfo=plus_two),  # still 31 March in UTC
    ):
        result = env.run(now=now, stale_after_days=None)
        assert result.expired == []
        assert env.states("docs")["api"][0] == "exempt"
        assert exemption_rows(env)[0][-2:] == ("active", 1)
    result = env.run(now=datetime(2027, 4, 1, 0, 1, tzinfo=UTC), stale_after_days=None)
    assert [(x.entity, x.check, x.file, x.line) for x in result.expired] == [
        ("component:default/api", "docs", path, 2)
    ]
    assert env.states("docs")["api"] == ("fail", MISSING_DOCS)
    assert env.levels()["api"] is None
    assert exemption_rows(env) == [(2, "component:default/api", None, None, "docs", "expired", 0)]
    assert env.rows(
        "SELECT expired_exemptions FROM scorecard_runs WHERE run_id = ?", [result.run_id]
    ) == [(1,)]
    shown = scorecards_of(env.store.connection, "api")
    assert shown["expired_exemptions"] == [
        {
            "scorecard": None,
            "check_id": "docs",
            "reason": "Until March.",
            "expires": date(2027, 3, 31),
            "file": str(path),
            "line": 2,
        }
    ]
    assert shown["scorecards"][0]["checks"][0]["state"] == "fail"


def test_an_expired_owner_exemption_is_reported_for_the_entities_it_covered(env: Env) -> None:
    exempt(env, "owner: team-b, check: docs, reason: Was temporary., expires: 2020-01-01")
    env.card(DOCS, levels="[bronze]")
    result = env.run()
    assert [x.owner for x in result.expired] == ["group:default/team-b"]
    assert exempt_names(env) == set()
    con = env.store.connection
    assert [x["reason"] for x in scorecards_of(con, "db-svc")["expired_exemptions"]] == [
        "Was temporary."
    ]
    assert scorecards_of(con, "api")["expired_exemptions"] == []


def test_an_expired_department_exemption_is_reported_for_its_teams_entities(env: Env) -> None:
    exempt(env, "owner: dept-a, check: docs, reason: Was department-wide., expires: 2020-01-01")
    env.card(DOCS, levels="[bronze]")
    env.run()
    con = env.store.connection
    for name in ("api", "db-svc"):  # owned by team-a and team-b, both below dept-a
        shown = scorecards_of(con, name)["expired_exemptions"]
        assert [x["reason"] for x in shown] == ["Was department-wide."]
    assert scorecards_of(con, "legacy")["expired_exemptions"] == []  # team-c is in dept-b


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "entity: api, scorecard: nope, check: docs, reason: R, expires: 2099-01-01",
            "scorecard: unknown scorecard 'nope'",
        ),
        ("entity: api, check: dosc, reason: R, expires: 2099-01-01", "check: unknown check 'dosc'"),
        # tier exists, but not in the scorecard the exemption names
        (
            "entity: api, scorecard: card, check: tier, reason: R, expires: 2099-01-01",
            "check: unknown check 'tier'",
        ),
    ],
)
def test_an_exemption_naming_an_unknown_target_is_refused_with_file_and_line(
    env: Env, item: str, message: str
) -> None:
    path = exempt(env, "entity: api, check: '*', reason: Fine., expires: 2099-01-01", item)
    env.card(DOCS, levels="[bronze]")
    env.card(DOCS_AND_TIER, levels="[bronze, silver]", card_id="other")
    with pytest.raises(ConfigError) as caught:
        env.run()
    assert str(caught.value) == f"{path}:3: {message}"
    assert env.rows("SELECT count(*) FROM scorecard_runs") == [(0,)]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "entity: api, owner: team-a, check: docs, reason: R, expires: 2099-01-01",
            "exemptions.1: give exactly one of entity, owner",
        ),
        ("check: docs, reason: R, expires: 2099-01-01", "exemptions.1: give exactly one of"),
        ("entity: api, check: docs, expires: 2099-01-01", "exemptions.1.reason: Field required"),
        ("entity: api, check: docs, reason: R, expires: soon", "exemptions.1.expires: Input"),
        (
            "entity: api, check: docs, reason: R, expires: 2099-01-01, until: x",
            "exemptions.1.until: unknown key",
        ),
        (
            "entity: 'component:', check: docs, reason: R, expires: 2099-01-01",
            "exemptions.1.entity: invalid entity ref",
        ),
    ],
)
def test_an_invalid_exemption_is_refused_with_file_line_and_field(
    env: Env, item: str, message: str
) -> None:
    path = exempt(env, "entity: api, check: docs, reason: Fine., expires: 2099-01-01", item)
    env.card(DOCS, levels="[bronze]")
    with pytest.raises(ConfigError) as caught:
        env.run()
    assert str(caught.value).startswith(f"{path}:3: {message}")


def test_exemption_files_are_every_exemptions_star_yaml_in_file_order(env: Env) -> None:
    first = exempt(
        env, "owner: team-a, check: docs, reason: Team-wide., expires: 2099-01-01",
        name="exemptions-a.yaml",
    )  # fmt: skip
    exempt(
        env, "entity: api, check: docs, reason: Specific., expires: 2099-01-01",
        name="exemptions-b.yml",
    )  # fmt: skip
    env.card(DOCS, levels="[bronze]")
    env.run()
    # both match api: the first exemption read (file order) gives the reason
    assert env.rows(
        "SELECT ref, exemption_reason FROM scorecard_results WHERE state = 'exempt' ORDER BY ref"
    ) == [
        ("component:default/api", "Team-wide."),
        ("component:default/cyc-1", "Team-wide."),
        ("component:default/cyc-2", "Team-wide."),
    ]
    assert env.rows("SELECT DISTINCT file FROM scorecard_exemptions ORDER BY 1")[0] == (str(first),)


def test_a_result_covered_by_two_exemptions_counts_for_the_first_only(env: Env) -> None:
    exempt(
        env,
        "entity: api, check: docs, reason: First., expires: 2099-01-31",
        "owner: team-a, check: '*', reason: Second., expires: 2099-01-31",
    )
    env.card(DOCS, levels="[bronze]")
    env.run()
    assert env.rows(
        "SELECT ref, exemption_reason FROM scorecard_results WHERE ref = 'component:default/api'"
    ) == [("component:default/api", "First.")]
    # team-a owns web (passes), api (the first exemption's), cyc-1 and cyc-2 (the second's)
    assert exempt_names(env) == {"api", "cyc-1", "cyc-2"}
    assert dict(env.rows("SELECT line, applied FROM scorecard_exemptions")) == {2: 1, 3: 2}


def test_applied_reflects_each_scorecards_latest_run(env: Env) -> None:
    """Issue 14.9: running one scorecard leaves the other's exemptions' counts as they are."""
    exempt(
        env,
        "owner: team-a, scorecard: card, check: docs, reason: A., expires: 2099-01-31",
        "owner: team-a, scorecard: other, check: docs, reason: B., expires: 2099-01-31",
    )
    env.card(DOCS, levels="[bronze]")
    env.card(DOCS, levels="[bronze]", card_id="other")
    env.run()
    both = {2: 3, 3: 3}  # api, cyc-1, cyc-2 in each scorecard
    assert dict(env.rows("SELECT line, applied FROM scorecard_exemptions")) == both
    env.run(only=["card"])
    assert dict(env.rows("SELECT line, applied FROM scorecard_exemptions")) == both
    assert env.rows(
        "SELECT DISTINCT exemption_line FROM scorecard_result_rows WHERE scorecard = 'other' "
        "AND state = 'exempt'"
    ) == [(3,)]


def test_dependency_checks_sharing_edges_keep_their_own_exemptions(env: Env) -> None:
    """Two dependency checks over the same relations share one edge set (copied for the
    second); an exemption of the second check must not leak into the first, nor the reverse."""
    env.card(
        """\
        - {id: pd, title: P, level: silver, type: annotation, key: pagerduty.com/service-id}
        - {id: deps-silver, title: S, level: gold, type: dependencies_reach_level,
           required_level: silver}
        - {id: deps-gold, title: G, level: gold, type: dependencies_reach_level,
           required_level: gold}
        """
    )
    exempt(env, "entity: web, check: deps-gold, reason: api is fine., expires: 2099-01-01")
    env.run()
    assert env.states("deps-silver")["web"] == (
        "pass",
        "all 1 dependencies reach silver",
    )
    assert env.states("deps-gold")["web"] == (
        "exempt",
        "fail (exempt): 1 of 1 dependencies below gold: component:default/api (silver)",
    )
    assert env.states("deps-gold")["api"] == (
        "fail",
        "1 of 1 dependencies below gold: component:default/db-svc (bronze)",
    )
    assert env.levels()["web"] == "gold" and env.levels()["api"] == "silver"
