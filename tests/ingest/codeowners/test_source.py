"""The codeowners source on real git repositories, with the catalog, through the store views."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.codeowners import CodeownersConfig, CodeownersSource
from ingest.runner import RunOutcome, run_source
from tests.ingest.codeowners.gitrepo import commit_file, git, make_repo

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: acme}
spec: {type: organization, children: [team-payments, team-cart, team-orders, team-empty]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-payments}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-cart}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-orders}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-empty}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jane
  annotations: {github.com/user-login: JDoe-GH}
spec: {profile: {email: jane@acme.example}, memberOf: [team-payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carl}
spec: {memberOf: [team-cart, team-orders]}
"""


def component(name: str, owner: str) -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )


class Org:
    def __init__(self, tmp: Path) -> None:
        self.repos = tmp / "repos"
        self.org = tmp / "org"
        self.org.mkdir(parents=True)
        (self.org / "catalog-info.yaml").write_text(ORG)
        self.payments = make_repo(
            self.repos / "payments",
            {
                "catalog-info.yaml": component("payments-api", "team-payments"),
                ".github/CODEOWNERS": "* @acme/team-payments @JDoe-GH\n",
                "CODEOWNERS": "* @acme/ignored-because-github-dir-wins\n",
            },
        )
        self.mono = make_repo(
            self.repos / "mono",
            {
                "services/cart/catalog-info.yaml": component("cart", "team-cart"),
                "services/orders/catalog-info.yaml": component("orders", "team-orders"),
                "docs/CODEOWNERS": (
                    "*       @acme/team-unknown\n"
                    "/services/cart/   @acme/team-cart jane@acme.example\n"
                    "/services/orders/ @acme/team-payments\n"
                    "/services/orders/vendor/\n"
                    "!/services/legacy/ @acme/team-cart\n"
                ),
            },
        )
        self.nocat = make_repo(
            self.repos / "nocat", {"main.go": "package main\n", "CODEOWNERS": "* @acme/team-cart\n"}
        )
        self.empty = make_repo(self.repos / "empty", {}, commit=False)
        self.store = Store(tmp / "db.duckdb")
        self.state = tmp / "state"

    def ingest(self) -> tuple[RunOutcome, RunOutcome]:
        catalog = CatalogFilesSource(
            CatalogFilesConfig(type="catalog_files", roots=[self.org, self.repos])
        )
        owners = CodeownersSource(
            CodeownersConfig(
                type="codeowners", roots=[self.repos], org_namespaces={"acme": "default"}
            )
        )
        outcomes = (
            run_source(self.store, "catalog", catalog, state_dir=self.state),
            run_source(self.store, "codeowners", owners, state_dir=self.state),
        )
        self.store.refresh_gaps()
        return outcomes

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql, list(params)).fetchall()

    def gaps(self) -> set[tuple[str, str]]:
        return {(s, g) for s, g in self.rows("SELECT subject, gap FROM ownership_gaps")}


@pytest.fixture()
def org(tmp_path: Path) -> Org:
    o = Org(tmp_path)
    yield o  # type: ignore[misc]
    o.store.close()


def test_repositories_view(org: Org) -> None:
    org.ingest()
    rows = org.rows(
        "SELECT name, head_sha, default_branch, has_catalog_info, has_codeowners, "
        "codeowners_file FROM repositories ORDER BY name"
    )
    assert rows == [
        ("empty", None, None, False, False, None),
        ("mono", git(org.mono, "rev-parse", "HEAD"), "main", True, True, "docs/CODEOWNERS"),
        ("nocat", git(org.nocat, "rev-parse", "HEAD"), "main", False, True, "CODEOWNERS"),
        (
            "payments",
            git(org.payments, "rev-parse", "HEAD"),
            "main",
            True,
            True,
            ".github/CODEOWNERS",
        ),
    ]
    problems = org.rows(
        "SELECT severity, location, message FROM catalog_problems "
        "WHERE source = 'codeowners' ORDER BY location"
    )
    assert problems[0][:2] == ("warning", "empty")
    assert "has no commit" in problems[0][2]


def test_claims_with_all_owners_in_order_and_evidence(org: Org) -> None:
    org.ingest()
    claims = org.rows(
        "SELECT owner, owner_raw, role, source, evidence FROM ownership_claims "
        "WHERE subject = 'component:default/payments-api' ORDER BY role, owner"
    )
    assert claims == [
        (
            "group:default/team-payments",
            "@acme/team-payments",
            "codeowner",
            "codeowners",
            "payments:.github/CODEOWNERS:1",
        ),
        (
            "user:default/jane",
            "@JDoe-GH",
            "codeowner",
            "codeowners",
            "payments:.github/CODEOWNERS:1",
        ),
        (
            "group:default/team-payments",
            "team-payments",
            "owner",
            "catalog",
            "repos/payments/catalog-info.yaml:1",
        ),
    ]
    resolved = org.rows(
        "SELECT owner, resolved_from, agreeing_sources, disagreeing_sources "
        "FROM ownership WHERE ref = 'component:default/payments-api'"
    )
    assert resolved == [("group:default/team-payments", "owner", ["catalog", "codeowners"], None)]


def test_monorepo_components_get_their_own_paths_owners(org: Org) -> None:
    org.ingest()
    cart = org.rows(
        "SELECT owner, evidence FROM ownership_claims WHERE role = 'codeowner' "
        "AND subject = 'component:default/cart' ORDER BY owner"
    )
    assert cart == [
        ("group:default/team-cart", "mono:docs/CODEOWNERS:2"),
        ("user:default/jane", "mono:docs/CODEOWNERS:2"),
    ]  # e-mail → User
    orders = org.rows(
        "SELECT owner FROM ownership_claims WHERE role = 'codeowner' "
        "AND subject = 'component:default/orders'"
    )
    assert orders == [("group:default/team-payments",)]


def test_gaps_and_conflicts(org: Org) -> None:
    org.ingest()
    gaps = org.gaps()
    assert ("component:default/orders", "codeowners_disagree") in gaps
    assert ("component:default/cart", "codeowners_disagree") not in gaps
    assert ("component:default/payments-api", "codeowners_disagree") not in gaps
    assert ("repository:nocat", "repo_without_catalog_info") in gaps
    assert ("repository:mono", "codeowners_unknown_owner") in gaps
    assert ("repository:mono", "codeowners_rule_without_owners") in gaps
    assert ("group:default/team-empty", "group_without_members") in gaps
    conflicts = org.rows("SELECT subject, role, claimed_owners FROM ownership_conflicts")
    assert conflicts == [("component:default/orders", "codeowner", ["group:default/team-payments"])]
    invalid = org.rows(
        "SELECT location, line FROM catalog_problems "
        "WHERE source = 'codeowners' AND severity = 'error'"
    )
    assert invalid == [("mono/docs/CODEOWNERS", 5)]


def test_gap_that_is_fixed_and_comes_back_is_a_new_episode(org: Org) -> None:
    org.ingest()
    key = ("component:default/orders", "codeowners_disagree")
    original = (org.mono / "docs/CODEOWNERS").read_text()
    commit_file(
        org.mono,
        "docs/CODEOWNERS",
        original.replace(
            "/services/orders/ @acme/team-payments", "/services/orders/ @acme/team-orders"
        ),
    )
    org.ingest()
    assert key not in org.gaps()
    commit_file(org.mono, "docs/CODEOWNERS", original)
    org.ingest()
    assert org.rows(
        "SELECT earlier_episodes FROM ownership_gaps WHERE subject = ? AND gap = ?", *key
    ) == [(1,)]
    assert org.rows("SELECT count(*) FROM gap_episodes WHERE subject = ? AND gap = ?", *key) == [
        (2,)
    ]


def test_unchanged_heads_are_skipped(org: Org) -> None:
    _, first = org.ingest()
    assert first.report.counts["repositories_unchanged"] == 0
    _, second = org.ingest()
    assert second.status == "unchanged"
    assert second.report.counts["repositories_unchanged"] == 3  # the empty repo has no HEAD
    commit_file(org.payments, "README.md", "hello\n")
    _, third = org.ingest()
    assert third.status == "ok"
    assert third.report.counts["repositories_unchanged"] == 2


def test_bad_codeowners_files_are_reported_and_other_repos_kept(org: Org) -> None:
    make_repo(
        org.repos / "binary",
        {
            "catalog-info.yaml": component("bin", "team-cart"),
            "CODEOWNERS": b"\x00\x01\x02* @acme/x\n",
        },
    )
    make_repo(
        org.repos / "latin1",
        {
            "catalog-info.yaml": component("lat", "team-cart"),
            "CODEOWNERS": b"* @acme/team-cart\n# caf\xe9\n",
        },
    )
    make_repo(
        org.repos / "huge",
        {
            "catalog-info.yaml": component("huge", "team-cart"),
            "CODEOWNERS": "* @acme/team-cart\n" * 200_000,
        },
    )
    org.ingest()
    problems = dict(
        org.rows(
            "SELECT location, message FROM catalog_problems "
            "WHERE source = 'codeowners' AND severity = 'error'"
        )
    )
    assert "binary" in problems["binary/CODEOWNERS"]
    assert "UTF-8" in problems["latin1/CODEOWNERS"]
    assert "limit" in problems["huge/CODEOWNERS"]
    assert org.rows("SELECT line FROM catalog_problems WHERE location = 'latin1/CODEOWNERS'") == [
        (2,)
    ]
    assert ("component:default/payments-api",) in org.rows(
        "SELECT DISTINCT subject FROM ownership_claims WHERE role = 'codeowner'"
    )


def test_codeowners_symlinked_out_of_the_repository_is_not_read(org: Org, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("* @acme/team-secret\nroot:x:0:0\n")
    make_repo(org.repos / "linked", {"catalog-info.yaml": component("linked", "team-cart")})
    (org.repos / "linked" / "CODEOWNERS").symlink_to(secret)
    org.ingest()
    problems = org.rows("SELECT message FROM catalog_problems WHERE location = 'linked/CODEOWNERS'")
    assert problems == [("CODEOWNERS is a symlink that leads out of the repository; not read",)]
    assert org.rows("SELECT * FROM ownership_claims WHERE owner_raw LIKE '%secret%'") == []
    assert ("component:default/payments-api",) in org.rows(
        "SELECT DISTINCT subject FROM ownership_claims WHERE role = 'codeowner'"
    )


def test_codeowners_that_is_a_fifo_is_reported_never_opened(org: Org) -> None:
    make_repo(org.repos / "piped", {"catalog-info.yaml": component("piped", "team-cart")})
    os.mkfifo(org.repos / "piped" / "CODEOWNERS")
    done = threading.Thread(target=org.ingest, daemon=True)
    done.start()
    done.join(30)
    if done.is_alive():  # release the reader so the test run ends, then fail
        os.close(os.open(org.repos / "piped" / "CODEOWNERS", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the codeowners source blocked opening a FIFO")
    problems = org.rows("SELECT message FROM catalog_problems WHERE location = 'piped/CODEOWNERS'")
    assert problems == [("a FIFO, not a regular file: skipped, never opened",)]
