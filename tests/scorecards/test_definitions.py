"""Scorecard definition files: every bad file is refused with ``file:line: field: message``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from catalog.errors import ConfigError
from scorecards import load_exemptions, load_scorecards, run_scorecards
from scorecards.checks import Annotation, DependenciesReachLevel, FieldMatches, Sql
from scorecards.definitions import NOT_A_SCORECARD, select_scorecards
from scorecards.exemptions import check_exemption_targets
from tests.scorecards.conftest import Env

EXAMPLES = Path(__file__).parents[2] / "examples" / "scorecards"
HEAD = "id: card\ntitle: Card\nlevels: [bronze, silver]\nchecks:\n"  # checks start on line 5


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def refused(directory: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_scorecards(directory)
    return str(caught.value)


def test_a_valid_definition_is_parsed_with_its_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "card.yml",
        HEAD
        + """\
          - id: slug
            title: Slug
            level: silver
            weight: 2.5
            type: annotation
            key: github.com/project-slug
            matches: '^acme/'
          - {id: deps, title: D, level: silver, type: dependencies_reach_level,
             required_level: bronze}
        """,
    )
    (card,) = load_scorecards(tmp_path)
    assert (card.id, card.title, card.levels, card.file, card.line) == (
        "card", "Card", ("bronze", "silver"), path, 1,
    )  # fmt: skip
    slug, deps = card.checks
    assert (slug.id, slug.level, slug.level_rank, slug.weight, slug.type, slug.line) == (
        "slug", "silver", 2, 2.5, "annotation", 5,
    )  # fmt: skip
    assert slug.params == Annotation(type="annotation", key="github.com/project-slug",
                                     matches="^acme/")  # fmt: skip
    assert isinstance(deps.params, DependenciesReachLevel) and deps.line == 12
    assert (deps.params.required_level, deps.params.scorecard, deps.params.relations) == (
        "bronze", None, ["dependsOn"],
    )  # fmt: skip
    assert card.filter.kind == ["component"]  # the default scope


def test_several_documents_per_file_and_exemption_files_are_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        "cards.yaml",
        "id: one\ntitle: One\nlevels: [x]\nchecks: [{id: a, title: A, level: x, type: has_owner}]"
        "\n---\nid: two\ntitle: Two\nfilter: {kind: Component, owner: team-a}\nlevels: [x]\n"
        "checks: [{id: a, title: A, level: x, type: has_owner}]\n",
    )
    write(tmp_path, "exemptions.yaml", "exemptions: []\n")
    write(tmp_path, "notes.txt", "not yaml: [\n")
    one, two = load_scorecards(tmp_path)
    assert (one.id, one.line, two.id, two.line) == ("one", 1, "two", 6)
    assert two.filter.kind == ["component"]
    assert two.filter.owner == ["group:default/team-a"]


def test_the_bundled_examples_load(tmp_path: Path) -> None:
    cards = load_scorecards(EXAMPLES)
    assert sorted(c.id for c in cards) == ["ownership-hygiene", "production-readiness"]
    by_id = {c.id: c for c in cards}
    assert by_id["production-readiness"].levels == ("bronze", "silver", "gold")
    assert by_id["ownership-hygiene"].levels == ("basic", "consistent", "aligned")
    types = {c.id: c.params for c in by_id["production-readiness"].checks}
    assert isinstance(types["part-of-system"], Sql)
    assert isinstance(types["runbook"], FieldMatches)
    assert isinstance(types["dependencies-silver"], DependenciesReachLevel)
    exemptions = load_exemptions(EXAMPLES)
    assert [x.entity or x.owner for x in exemptions] == [
        "group:default/team-notifications",
        "component:default/billing-service",
    ]
    check_exemption_targets(exemptions, {c.id: {k.id for k in c.checks} for c in cards})


def test_the_bundled_examples_evaluate_on_the_fixture_org(env: Env) -> None:
    result = run_scorecards(env.store, EXAMPLES)
    summaries = {s.id: s for s in result.summaries}
    # only "The web shop" has a description, and it is shorter than 20 characters
    production = summaries["production-readiness"]
    assert production.entities == 6  # legacy is deprecated
    assert production.level_counts == {"none": 6, "bronze": 0, "silver": 0, "gold": 0}
    # basic: an owner that is a Group with members (team-c has none, team-ghost is no Group);
    # consistent needs CODEOWNERS, which has never been ingested: unknown
    hygiene = summaries["ownership-hygiene"]
    assert hygiene.level_counts == {"none": 2, "basic": 5, "consistent": 0, "aligned": 0}
    assert hygiene.states["unknown"] == 7 * 2


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path / "nope") == f"{tmp_path / 'nope'}: scorecards directory does not exist"


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "card.yaml", HEAD + "  - {id: a, title: A\n  - oops: [\n")
    message = refused(tmp_path)
    assert message.startswith(f"{path}:6: ")


def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "list.yaml", "- id: card\n- title: Card\n")
    assert refused(tmp_path) == f"{path}:1: expected a mapping"
    path.unlink()
    path = write(
        tmp_path,
        "two.yaml",
        HEAD + "  - {id: a, title: A, level: bronze, type: has_owner}\n---\njust a string\n",
    )
    assert refused(tmp_path) == f"{path}:7: expected a mapping"


CHECK_ERRORS = [
    pytest.param(
        "id: card\ntitle: Card\nlevels: [bronze]\ncolour: red\nchecks:\n"
        "  - {id: a, title: A, level: bronze, type: has_owner}\n",
        "4: colour: unknown key",
        id="unknown-top-level-key",
    ),
    pytest.param(
        "id: card\ntitle: Card\nfilter:\n  kind: [component]\n  owners: [team-a]\nlevels: [b]\n"
        "checks:\n  - {id: a, title: A, level: b, type: has_owner}\n",
        "5: filter.owners: unknown key",
        id="unknown-filter-key",
    ),
    pytest.param(
        "id: Card!\ntitle: Card\nlevels: [b]\nchecks:\n  - {id: a, title: A, level: b, type: x}\n",
        "1: id: String should match pattern",
        id="bad-scorecard-id",
    ),
    pytest.param(
        "id: card\nlevels: [b]\nchecks:\n  - {id: a, title: A, level: b, type: has_owner}\n",
        "1: title: Field required",
        id="missing-title",
    ),
    pytest.param(
        "id: card\ntitle: Card\nlevels: [b, s, b]\n"
        "checks:\n  - {id: a, title: A, level: b, type: has_owner}\n",
        "3: levels: levels must be unique",
        id="duplicate-levels",
    ),
    pytest.param(
        "id: card\ntitle: Card\nlevels: [b]\nchecks: []\n",
        "4: checks: List should have at least 1 item",
        id="no-checks",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: has_owners\n",
        "8: checks.0.type: unknown check type 'has_owners' (known: annotation, ",
        id="unknown-check-type",
    ),
    pytest.param(
        HEAD + "  - {id: a, title: A, level: bronze, type: has_owner}\n"
        "  - id: b\n    title: B\n    level: platinum\n    type: has_owner\n",
        "8: checks.1.level: level 'platinum' is not one of ['bronze', 'silver']",
        id="level-not-among-levels",
    ),
    pytest.param(
        HEAD + "  - {id: a, title: A, level: bronze, type: has_owner}\n"
        "  - {id: b, title: B, level: bronze, type: has_owner}\n"
        "  - id: a\n    title: Again\n    level: silver\n    type: has_docs\n",
        "7: checks.2.id: duplicate check id 'a'",
        id="duplicate-check-id",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: oncall\n"
        "    min_escalation_levels: two\n",
        "9: checks.0.min_escalation_levels: Input should be a valid integer",
        id="param-wrong-type",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: oncall\n"
        "    min_escalation_levels: 0\n",
        "9: checks.0.min_escalation_levels: Input should be greater than or equal to 1",
        id="param-out-of-range",
    ),
    pytest.param(
        HEAD + "  - {id: a, title: A, level: bronze, type: tag, tag: tier-1}\n"
        "  - id: b\n    title: B\n    level: bronze\n    type: annotation\n",
        "6: checks.1.key: Field required",
        id="param-missing",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: has_owner\n"
        "    strict: true\n",
        "9: checks.0.strict: unknown key",
        id="param-unknown",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    weight: 0\n    type: has_owner\n",
        "8: checks.0.weight: Input should be greater than 0",
        id="weight-not-positive",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: annotation\n"
        "    key: github.com/project-slug\n    matches: '(unclosed'\n",
        "10: checks.0.matches: invalid regular expression '(unclosed'",
        id="invalid-regex-annotation",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: field\n"
        "    path: spec.owner\n    matches: '[z-a]'\n",
        "10: checks.0.matches: invalid regular expression '[z-a]'",
        id="invalid-regex-field",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: field\n"
        "    path: spec..owner\n",
        "9: checks.0.path: invalid path 'spec..owner'",
        id="invalid-field-path",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: field\n"
        "    path: spec.owner\n    equals: x\n    one_of: [x]\n",
        "5: checks.0: give at most one of matches, equals, one_of (got ['equals', 'one_of'])",
        id="field-two-tests",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: no_dependency_on_deprecated\n"
        "    relations: [dependsOn, dependOn]\n",
        "9: checks.0.relations: unknown relation types ['dependOn']",
        id="unknown-relation",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: sql\n"
        "    query: DELETE FROM entities\n",
        "9: checks.0.query: ",
        id="sql-not-readonly",
    ),
    pytest.param(
        HEAD + "  - id: a\n    title: A\n    level: bronze\n    type: tag\n    tag: []\n",
        "9: checks.0.tag: List should have at least 1 item",
        id="empty-tag-list",
    ),
    pytest.param(
        HEAD + "  - id: deps\n    title: D\n    level: silver\n"
        "    type: dependencies_reach_level\n    required_level: gold\n",
        "9: checks.0.required_level: level 'gold' is not one of ['bronze', 'silver']",
        id="dependency-level-not-among-own-levels",
    ),
]


@pytest.mark.parametrize(("text", "message"), CHECK_ERRORS)
def test_a_bad_definition_is_refused_with_file_line_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "card.yaml", text)
    assert refused(tmp_path).startswith(f"{path}:{message}")


def test_an_error_in_a_later_document_names_its_own_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cards.yaml",
        "id: one\ntitle: One\nlevels: [x]\nchecks: [{id: a, title: A, level: x, type: has_owner}]"
        "\n---\nid: two\ntitle: Two\nlevels: [x]\nchecks:\n  - {id: a, title: A, level: y,"
        " type: has_owner}\n",
    )
    assert refused(tmp_path) == f"{path}:10: checks.0.level: level 'y' is not one of ['x']"


def card_text(card_id: str, *checks: str, levels: str = "[basic, good]") -> str:
    body = "".join(f"  - {c}\n" for c in checks) or (
        "  - {id: owner, title: O, level: basic, type: has_owner}\n"
    )
    return f"id: {card_id}\ntitle: {card_id}\nlevels: {levels}\nchecks:\n{body}"


def test_duplicate_scorecard_ids_across_files_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", card_text("card"))
    second = write(tmp_path, "b.yaml", "# the same id again\n" + card_text("card"))
    assert refused(tmp_path) == (
        f"{second}:2: id: duplicate scorecard id 'card' (first defined in {first}:1)"
    )


def test_a_dependency_check_on_an_unknown_scorecard_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "card.yaml",
        card_text(
            "card",
            "{id: owner, title: O, level: basic, type: has_owner}",
            "{id: deps, title: D, level: good, type: dependencies_reach_level, scorecard: base,"
            " required_level: good}",
        ),
    )
    assert refused(tmp_path) == f"{path}:6: checks.deps: unknown scorecard 'base'"
    bronze = "{id: owner, title: O, level: bronze, type: has_owner}"
    write(tmp_path, "base.yaml", card_text("base", bronze, levels="[bronze, silver]"))
    assert refused(tmp_path) == (
        f"{path}:6: checks.deps: required_level 'good' is not one of ['bronze', 'silver'] "
        "of scorecard 'base'"
    )
    write(tmp_path, "base.yaml", card_text("base", bronze, levels="[bronze, good]"))
    assert [c.id for c in load_scorecards(tmp_path)] == ["base", "card"]


def deps_on(target: str) -> str:
    return (
        "{id: deps, title: D, level: good, type: dependencies_reach_level, "
        f"scorecard: {target}, required_level: good}}"
    )


def test_scorecards_depending_on_each_other_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", card_text("a", deps_on("b")))
    write(tmp_path, "b.yaml", card_text("b", deps_on("c")))
    write(tmp_path, "c.yaml", card_text("c", deps_on("a")))
    assert refused(tmp_path) == f"{a}:1: scorecards depend on each other: a -> b -> c -> a"
    write(tmp_path, "c.yaml", card_text("c"))
    # a chain is fine (loaded in file order), and is evaluated dependencies first
    cards = load_scorecards(tmp_path)
    assert [c.id for c in cards] == ["a", "b", "c"]
    assert [c.id for c in select_scorecards(cards, [])] == ["c", "b", "a"]
    assert [c.id for c in select_scorecards(cards, ["b"])] == ["c", "b"]
    with pytest.raises(ConfigError, match=r"^unknown scorecard d \(defined: a, b, c\)$"):
        select_scorecards(cards, ["d"])


def test_a_dependency_check_naming_its_own_scorecard_is_no_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", card_text("a", deps_on("a")))
    (card,) = load_scorecards(tmp_path)
    assert card.depends_on() == set()


def test_every_error_of_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    """Issue 14.13."""
    path = write(
        tmp_path,
        "card.yaml",
        "id: card\nlevels: [bronze, silver]\ncolour: red\nchecks:\n"  # no title; colour
        "  - {id: a, title: A, level: bronze, type: has_owners}\n"  # line 5
        "  - {id: b, title: B, level: platinum, type: has_owner}\n"  # line 6
        "  - {id: c, title: C, level: bronze, type: oncall, min_escalation_levels: 0}\n"
        "  - {id: c, title: C2, level: silver, type: has_docs}\n",  # line 8
    )
    other = write(tmp_path, "other.yaml", card_text("other", "{id: x, level: basic}"))
    lines = refused(tmp_path).splitlines()
    assert lines[0] == f"{path}:1: title: Field required"
    assert lines[1] == f"{path}:3: colour: unknown key"
    assert lines[2].startswith(f"{path}:5: checks.0.type: unknown check type 'has_owners'")
    assert lines[3:7] == [
        f"{path}:6: checks.1.level: level 'platinum' is not one of ['bronze', 'silver']",
        f"{path}:7: checks.2.min_escalation_levels: Input should be greater than or equal to 1",
        f"{path}:8: checks.3.id: duplicate check id 'c'",
        f"{other}:5: checks.0.title: Field required",
    ]
    assert len(lines) == 8 and lines[7] == f"{other}:5: checks.0.type: Field required"


def test_a_yaml_file_that_is_not_a_scorecard_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "card.yaml", card_text("card"))
    stray = write(tmp_path, "values.yaml", "replicaCount: 2\nimage: {repository: nginx}\n")
    assert refused(tmp_path) == f"{stray}:1: {NOT_A_SCORECARD}"
