"""Levels (cumulative, dependency-aware) and weighted scores, on the fixture org.

Fixture components (all owned, all in scope of ``{kind: [component]}``): web, api, db-svc, cyc-1,
cyc-2, legacy (deprecated), ghost-owned. Only web has TechDocs and the tier-1 tag; web and api
have the PagerDuty and project-slug annotations. web -> api -> db-svc; cyc-1 <-> cyc-2 -> legacy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.scorecards.conftest import COMPONENTS, Env

ALL = ("web", "api", "db-svc", "cyc-1", "cyc-2", "legacy", "ghost-owned")


def scores(env: Env, scorecard: str = "card") -> dict[str, tuple[Any, ...]]:
    """name -> (level, level_rank, score, passed, failed, exempt, unknown)."""
    return {
        ref.split("/", 1)[1]: tuple(rest)
        for ref, *rest in env.rows(
            "SELECT ref, level, level_rank, score, passed, failed, exempt, unknown "
            "FROM scorecard_scores WHERE scorecard = ?",
            [scorecard],
        )
    }


def test_levels_are_cumulative(env: Env) -> None:
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: slug, title: S, level: silver, type: annotation, key: github.com/project-slug}
        - {id: docs, title: D, level: gold, type: has_docs}
        """
    )
    env.run()
    assert env.levels() == {
        "web": "gold",
        "api": "silver",
        "db-svc": "bronze",
        "cyc-1": "bronze",
        "cyc-2": "bronze",
        "legacy": "bronze",
        "ghost-owned": "bronze",
    }
    found = scores(env)
    assert found["web"][:2] == ("gold", 3)
    assert found["api"][:2] == ("silver", 2)
    assert found["db-svc"][:2] == ("bronze", 1)


def test_a_failing_bronze_check_means_no_level_even_if_higher_checks_pass(env: Env) -> None:
    env.card(
        """\
        - {id: docs, title: D, level: bronze, type: has_docs}
        - {id: owner, title: O, level: silver, type: has_owner}
        - {id: tier, title: T, level: gold, type: tag, tag: tier-1}
        """
    )
    env.run()
    levels = env.levels()
    assert levels["web"] == "gold"
    assert {n: levels[n] for n in ALL if n != "web"} == dict.fromkeys(ALL[1:], None)
    api = scores(env)["api"]
    # level none (rank 0) although the silver check passes
    assert api == (None, 0, 33.3, 1, 2, 0, 0)
    assert env.states("owner")["api"][0] == "pass"


def test_a_level_without_checks_is_reached_when_everything_below_passes(env: Env) -> None:
    env.card("- {id: owner, title: O, level: bronze, type: has_owner}\n")
    env.run()
    assert set(env.levels().values()) == {"gold"}


def test_weighted_score_percentages_are_exact(env: Env) -> None:
    env.card(
        """\
        - {id: owner, title: O, level: bronze, weight: 3, type: has_owner}
        - {id: docs, title: D, level: silver, weight: 1, type: has_docs}
        """,
        levels="[bronze, silver]",
    )
    env.run()
    found = scores(env)
    assert found["web"] == ("silver", 2, 100.0, 2, 0, 0, 0)
    assert found["api"] == ("bronze", 1, 75.0, 1, 1, 0, 0)
    env.card(
        """\
        - {id: tier, title: T, level: bronze, weight: 3, type: tag, tag: tier-1}
        - {id: owner, title: O, level: bronze, weight: 1, type: has_owner}
        - {id: slug, title: S, level: bronze, weight: 2.5, type: annotation,
           key: pagerduty.com/service-id}
        """,
        levels="[bronze]",
    )
    summary = env.run().summaries[0]
    found = scores(env)
    assert found["web"][2] == 100.0
    assert found["api"][2] == round(100 * 3.5 / 6.5, 1) == 53.8
    assert found["db-svc"][2] == round(100 * 1 / 6.5, 1) == 15.4
    assert summary.average_score == round((100.0 + 53.8 + 15.4 * 5) / 7, 1)


def test_exempt_checks_are_left_out_of_the_score_and_do_not_block(env: Env) -> None:
    env.card(
        """\
        - {id: owner, title: O, level: bronze, weight: 3, type: has_owner}
        - {id: docs, title: D, level: bronze, weight: 1, type: has_docs}
        - {id: tier, title: T, level: silver, weight: 1, type: tag, tag: tier-1}
        """,
        levels="[bronze, silver]",
    )
    env.define(
        "exemptions.yaml",
        """\
        exemptions:
          - {entity: api, check: docs, reason: Docs live elsewhere., expires: 2099-01-01}
        """,
    )
    env.run()
    found = scores(env)
    # api: owner 3 pass, docs exempt (left out), tier 1 fail -> 3 / 4
    assert found["api"] == ("bronze", 1, 75.0, 1, 1, 1, 0)
    # db-svc: owner 3 pass, docs 1 fail, tier 1 fail -> 3 / 5, and no level at all
    assert found["db-svc"] == (None, 0, 60.0, 1, 2, 0, 0)


def test_unknown_blocks_a_level_and_counts_as_not_passing(env: Env) -> None:
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: oncall, title: On call, level: silver, type: oncall}
        - {id: tier, title: T, level: gold, type: tag, tag: tier-1}
        """
    )
    env.run()
    assert env.states("oncall")["web"][0] == "unknown"
    found = scores(env)
    # web passes gold's check but the unknown silver check stops it at bronze
    assert found["web"] == ("bronze", 1, 66.7, 2, 0, 0, 1)
    assert found["api"] == ("bronze", 1, 33.3, 1, 1, 0, 1)


def test_a_stale_source_means_no_level(env: Env) -> None:
    env.card("- {id: owner, title: O, level: bronze, type: has_owner}\n")
    env.run(stale_after_days=1, now=datetime.now(UTC) + timedelta(days=3))
    assert env.levels() == dict.fromkeys(ALL, None)
    assert scores(env)["web"] == (None, 0, 0.0, 0, 0, 0, 1)


DEPENDENCY_CARD = """\
- {id: owner, title: O, level: bronze, type: has_owner}
- {id: pd, title: P, level: silver, type: annotation, key: pagerduty.com/service-id}
- {id: deps, title: D, level: gold, type: dependencies_reach_level, required_level: %s}
"""


def test_dependencies_must_reach_gold_propagates_down_the_chain(env: Env) -> None:
    # web and api reach silver on their own checks, db-svc only bronze. Requiring gold of every
    # dependency: api fails (db-svc is bronze), so api is silver, so web fails too.
    env.card(DEPENDENCY_CARD % "gold")
    env.run()
    assert env.levels() == {
        "web": "silver",
        "api": "silver",
        "db-svc": "bronze",
        "cyc-1": "bronze",
        "cyc-2": "bronze",
        "legacy": "bronze",
        "ghost-owned": "bronze",
    }
    deps = env.states("deps")
    assert deps["web"] == (
        "fail",
        "1 of 1 dependencies below gold: component:default/api (silver)",
    )
    assert deps["api"] == (
        "fail",
        "1 of 1 dependencies below gold: component:default/db-svc (bronze)",
    )
    assert deps["db-svc"] == ("pass", "no dependencies in scorecard card")
    assert deps["cyc-2"] == (
        "fail",
        "2 of 2 dependencies below gold: component:default/cyc-1 (bronze), "
        "component:default/legacy (bronze)",
    )
    assert scores(env)["web"] == ("silver", 2, 66.7, 2, 1, 0, 0)


def test_dependencies_must_reach_silver_only_looks_one_level_down(env: Env) -> None:
    env.card(DEPENDENCY_CARD % "silver")
    env.run()
    levels = env.levels()
    # api reaches silver, so web is gold; db-svc is bronze, so api fails its gold check
    assert (levels["web"], levels["api"], levels["db-svc"]) == ("gold", "silver", "bronze")
    deps = env.states("deps")
    assert deps["web"] == ("pass", "all 1 dependencies reach silver")
    assert deps["api"] == (
        "fail",
        "1 of 1 dependencies below silver: component:default/db-svc (bronze)",
    )


def test_a_dependency_with_no_level_is_named_so(env: Env) -> None:
    env.card(
        """\
        - {id: pd, title: P, level: bronze, type: annotation, key: pagerduty.com/service-id}
        - {id: deps, title: D, level: silver, type: dependencies_reach_level,
           required_level: bronze}
        """,
        levels="[bronze, silver]",
    )
    env.run()
    assert env.states("deps")["api"] == (
        "fail",
        "1 of 1 dependencies below bronze: component:default/db-svc (no level)",
    )
    levels = env.levels()
    assert (levels["web"], levels["api"], levels["db-svc"]) == ("silver", "bronze", None)


def test_a_dependency_missing_from_the_catalog_is_not_ready(env: Env) -> None:
    """Issue 14.11: a dangling dependency fails the check, with evidence naming it."""
    components = [c for c in COMPONENTS if c[1] != "db-svc"]  # api still depends on it
    env.ingest(components)
    env.card(DEPENDENCY_CARD % "bronze")
    env.run()
    assert env.states("deps")["api"] == (
        "fail",
        "1 of 1 dependencies below bronze: component:default/db-svc (not in the catalog)",
    )
    levels = env.levels()
    # api reaches silver on its own checks; the dangling dependency stops it below gold
    assert levels["api"] == "silver"
    assert levels["web"] == "gold"  # api itself reaches bronze


def test_a_cycle_whose_members_pass_their_other_checks_passes_together(env: Env) -> None:
    # Only production components: legacy (deprecated) is out of scope, so cyc-2's edge to it is
    # not counted and cyc-1 <-> cyc-2 only depend on each other: the greatest fixpoint is gold.
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: deps, title: D, level: gold, type: dependencies_reach_level,
           required_level: gold}
        """,
        filter="{kind: [component], lifecycle: [production]}",
    )
    result = env.run()
    production = ("web", "api", "db-svc", "cyc-1", "cyc-2", "ghost-owned")
    assert env.levels() == dict.fromkeys(production, "gold")
    deps = env.states("deps")
    assert deps["cyc-1"] == deps["cyc-2"] == ("pass", "all 1 dependencies reach gold")
    assert result.summaries[0].level_counts == {"none": 0, "bronze": 0, "silver": 0, "gold": 6}


def test_a_cycle_member_falling_short_pulls_the_others_in_the_cycle_down(env: Env) -> None:
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: not-cyc-1, title: N, level: silver, type: sql,
           query: "SELECT 'component:default/cyc-1' AS ref, 'picked' AS evidence"}
        - {id: deps, title: D, level: gold, type: dependencies_reach_level,
           required_level: gold}
        """,
        filter="{kind: [component], lifecycle: [production]}",
    )
    env.run()
    levels = env.levels()
    assert levels["cyc-1"] == "bronze"  # its own silver check fails
    assert levels["cyc-2"] == "silver"  # its dependency cyc-1 is below gold
    assert levels["web"] == levels["api"] == levels["db-svc"] == "gold"
    deps = env.states("deps")
    # cyc-1's gold check fails too: cyc-2 only reaches silver (because of cyc-1 itself)
    assert deps["cyc-1"] == (
        "fail",
        "1 of 1 dependencies below gold: component:default/cyc-2 (silver)",
    )
    assert deps["cyc-2"] == (
        "fail",
        "1 of 1 dependencies below gold: component:default/cyc-1 (bronze)",
    )


def test_a_deprecated_dependency_outside_the_cycle_pulls_the_whole_cycle_down(env: Env) -> None:
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: prod, title: P, level: silver, type: field, path: spec.lifecycle,
           equals: production}
        - {id: deps, title: D, level: gold, type: dependencies_reach_level,
           required_level: gold}
        """
    )
    env.run()
    levels = env.levels()
    assert levels["legacy"] == "bronze"
    assert levels["cyc-1"] == levels["cyc-2"] == "silver"
    assert levels["web"] == levels["api"] == levels["db-svc"] == levels["ghost-owned"] == "gold"
    assert env.states("deps")["cyc-1"] == (
        "fail",
        "1 of 1 dependencies below gold: component:default/cyc-2 (silver)",
    )


CROSS_BASE = """\
id: base
title: Base
filter: {kind: [component], lifecycle: [production]}
levels: [basic, good]
checks:
  - {id: owner, title: O, level: basic, type: has_owner}
  - {id: pd, title: P, level: good, type: annotation, key: pagerduty.com/service-id}
"""


def test_a_dependency_check_can_read_another_scorecards_levels(env: Env) -> None:
    # "a-card" sorts before "z-base" but reads its levels: base must be evaluated first.
    env.define("z-base.yaml", CROSS_BASE)
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: deps, title: D, level: silver, type: dependencies_reach_level,
           scorecard: base, required_level: good}
        """,
        levels="[bronze, silver]",
        card_id="a-card",
    )
    result = env.run()
    assert [s.id for s in result.summaries] == ["base", "a-card"]
    assert env.levels("base") == {
        "web": "good",
        "api": "good",
        "db-svc": "basic",
        "cyc-1": "basic",
        "cyc-2": "basic",
        "ghost-owned": "basic",
    }
    assert env.levels("a-card") == {
        "web": "silver",
        "api": "bronze",
        "db-svc": "silver",
        "cyc-1": "bronze",
        "cyc-2": "bronze",
        "legacy": "silver",
        "ghost-owned": "silver",
    }
    deps = env.states("deps", "a-card")
    assert deps["web"] == ("pass", "all 1 dependencies reach good")
    assert deps["api"] == (
        "fail",
        "1 of 1 dependencies below good: component:default/db-svc (basic)",
    )
    # legacy is not in base's scope: cyc-2's edge to it does not count
    assert deps["cyc-2"] == (
        "fail",
        "1 of 1 dependencies below good: component:default/cyc-1 (basic)",
    )
    assert deps["legacy"] == ("pass", "no dependencies in scorecard base")


def test_running_only_the_dependent_scorecard_also_evaluates_the_one_it_reads(env: Env) -> None:
    env.define("z-base.yaml", CROSS_BASE)
    env.card(
        """\
        - {id: deps, title: D, level: bronze, type: dependencies_reach_level,
           scorecard: base, required_level: good}
        """,
        levels="[bronze]",
        card_id="a-card",
    )
    env.define(
        "other.yaml",
        "id: other\ntitle: Other\nlevels: [x]\nchecks:\n"
        "  - {id: owner, title: O, level: x, type: has_owner}\n",
    )
    result = env.run(only=["a-card"])
    assert [s.id for s in result.summaries] == ["base", "a-card"]
    assert env.rows("SELECT DISTINCT scorecard FROM scorecard_scores ORDER BY 1") == [
        ("a-card",),
        ("base",),
    ]
    assert env.levels("a-card")["web"] == "bronze"
    assert env.levels("a-card")["api"] is None


def test_documented_semantics_hold(env: Env) -> None:
    """Issue 14.12: what docs/scorecards.md states about matches, rounding, all-exempt entities
    and overlapping exemptions is what the engine does."""
    env.define(
        "exemptions.yaml",
        "exemptions:\n"
        "  - {entity: api, check: '*', reason: First., expires: 2099-01-01}\n"
        "  - {entity: api, check: slug, reason: Second., expires: 2099-01-01}\n",
    )
    env.card(
        """\
        - {id: owner, title: O, level: bronze, type: has_owner}
        - {id: slug, title: S, level: bronze, type: annotation, key: github.com/project-slug,
           matches: 'cme'}
        - {id: tier, title: T, level: silver, type: tag, tag: tier-1}
        """,
        levels="[bronze, silver]",
        filter="{kind: [component], lifecycle: [production]}",
    )
    env.run()
    assert env.states("slug")["web"] == ("pass", "github.com/project-slug: acme/web")  # searched
    found = scores(env)
    assert found["db-svc"][2] == 33.3  # 1 of 3 equal weights, one decimal
    # api: owner passes, slug and tier are waived: all that is left passes
    assert found["api"][:3] == ("silver", 2, 100.0)
    assert env.rows(
        "SELECT check_id, exemption_reason FROM scorecard_results "
        "WHERE ref = 'component:default/api' AND state = 'exempt' ORDER BY 1"
    ) == [("slug", "First."), ("tier", "First.")]
    assert dict(env.rows("SELECT line, applied FROM scorecard_exemptions")) == {2: 2, 3: 0}
    doc = (Path(__file__).parents[2] / "docs" / "scorecards.md").read_text()
    for rule in (
        "`matches` is a search, not a full match",
        "Scores are rounded to one decimal",
        "An entity whose checks are all exempt scores 100",
        "A result several exemptions cover counts for the first",
    ):
        assert rule in doc
