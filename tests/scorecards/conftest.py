"""A hand-built org ingested with the real runner into a real DuckDB file.

Groups (3 levels): org -> dept-a -> team-a, team-b; org -> dept-b -> team-c (no members).
Dependencies: web -> api -> db-svc; cyc-1 <-> cyc-2 (a cycle), cyc-2 -> legacy (deprecated).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source
from scorecards import RunResult, run_scorecards

HEAD = "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"

ORG = [
    ("Group", "org", "spec:\n  type: organization\n  children: []\n"),
    ("Group", "dept-a", "spec:\n  type: department\n  parent: org\n  children: []\n"),
    ("Group", "dept-b", "spec:\n  type: department\n  parent: org\n  children: []\n"),
    ("Group", "team-a", "spec:\n  type: team\n  parent: dept-a\n  children: []\n"),
    ("Group", "team-b", "spec:\n  type: team\n  parent: dept-a\n  children: []\n"),
    ("Group", "team-c", "spec:\n  type: team\n  parent: dept-b\n  children: []\n"),
    ("User", "ann", "spec:\n  memberOf: [team-a]\n"),
    ("User", "bob", "spec:\n  memberOf: [team-b]\n"),
]


def component(
    name: str, owner: str | None = "team-a", *, meta: str = "", **spec: Any
) -> tuple[str, str, str]:
    lines = (
        "spec:\n  type: service\n  lifecycle: " + str(spec.pop("lifecycle", "production")) + "\n"
    )
    if owner is not None:
        lines += f"  owner: {owner}\n"
    for key, value in spec.items():
        lines += f"  {key}: {value}\n"
    return ("Component", name, meta + lines)


COMPONENTS = [
    component(
        "web",
        meta="  description: The web shop\n  tags: [tier-1]\n  annotations:\n"
        "    backstage.io/techdocs-ref: dir:.\n    github.com/project-slug: acme/web\n"
        "    pagerduty.com/service-id: P1\n"
        "  links:\n    - url: https://runbooks.example/web\n",
        dependsOn="[component:api]",
    ),
    component(
        "api",
        meta="  annotations:\n    github.com/project-slug: nope\n"
        "    pagerduty.com/service-id: P2\n",
        dependsOn="[component:db-svc]",
    ),
    component("db-svc", owner="team-b"),
    component("cyc-1", dependsOn="[component:cyc-2]"),
    component("cyc-2", dependsOn="[component:cyc-1, component:legacy]"),
    component("legacy", owner="team-c", lifecycle="deprecated"),
    component("ghost-owned", owner="team-ghost"),
]


def write_catalog(root: Path, components: list[tuple[str, str, str]]) -> None:
    docs = [HEAD.format(kind=k, name=n) + body for k, n, body in ORG + components]
    path = root / "repo" / "catalog-info.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n".join(docs))


class Env:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.root = tmp / "repos"
        self.defs = tmp / "scorecards"
        self.defs.mkdir()
        self.store = Store(tmp / "steward.duckdb")
        write_catalog(self.root, COMPONENTS)

    def ingest(self, components: list[tuple[str, str, str]] | None = None) -> None:
        if components is not None:
            write_catalog(self.root, components)
        config = CatalogFilesConfig(type="catalog_files", roots=[self.root])
        outcome = run_source(
            self.store, "catalog", CatalogFilesSource(config), state_dir=self.tmp / "state"
        )
        assert outcome.status in ("ok", "unchanged"), outcome.report.errors
        self.store.refresh_gaps()  # as the pipeline does: ownership tables follow the sources

    def define(self, name: str, text: str) -> Path:
        path = self.defs / name
        path.write_text(textwrap.dedent(text))
        return path

    def card(self, checks: str, *, levels: str = "[bronze, silver, gold]",
             filter: str = "{kind: [component]}", card_id: str = "card") -> Path:  # fmt: skip
        return self.define(
            f"{card_id}.yaml",
            f"id: {card_id}\ntitle: Card\nfilter: {filter}\nlevels: {levels}\nchecks:\n"
            + textwrap.dedent(checks),
        )

    def run(self, **kwargs: Any) -> RunResult:
        return run_scorecards(self.store, self.defs, **kwargs)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql, params or []).fetchall()

    def states(self, check: str, scorecard: str = "card") -> dict[str, tuple[str, str]]:
        return {
            ref.split("/", 1)[1]: (state, evidence)
            for ref, state, evidence in self.rows(
                "SELECT ref, state, evidence FROM scorecard_results "
                "WHERE scorecard = ? AND check_id = ?",
                [scorecard, check],
            )
        }

    def levels(self, scorecard: str = "card") -> dict[str, str | None]:
        return {
            ref.split("/", 1)[1]: level
            for ref, level in self.rows(
                "SELECT ref, level FROM scorecard_scores WHERE scorecard = ?", [scorecard]
            )
        }


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path)
    e.ingest()
    yield e
    e.store.close()


SCORECARD_VIEWS = (
    "scorecard_results",
    "scorecard_scores",
    "team_scorecards",
    "scorecard_exemptions",
    "scorecard_result_history",
    "scorecard_score_history",
    "entity_levels",
)
"""Every public view a scorecard run shows itself in."""
