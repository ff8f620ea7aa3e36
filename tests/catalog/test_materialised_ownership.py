"""``ownership`` and ``ownership_conflicts`` as tables (migration 8), refilled at every load.

Real catalog files and CODEOWNERS in real git repositories, loaded by the real sources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

import catalog.store.store as store_module
from catalog.store import Store
from catalog.store.export import public_views
from catalog.store.migrations.m0008_materialised_ownership import MATERIALISED
from catalog.store.ownership import refill_table
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.codeowners import CodeownersConfig, CodeownersSource
from ingest.runner import run_source
from tests.ingest.codeowners.gitrepo import commit_file, make_repo

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: acme}
spec: {type: organization, children: [team-a, team-b, team-empty]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-empty}
spec: {type: team, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ann}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [team-b]}
"""


def component(name: str, owner: str) -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )


ANSWERS = {
    "ownership": "SELECT * FROM ownership ORDER BY ref",
    "ownership_conflicts": "SELECT * FROM ownership_conflicts ORDER BY subject, role, source",
    "ownership_gaps": "SELECT subject, gap, detail, evidence, first_seen, earlier_episodes, owner "
    "FROM ownership_gaps ORDER BY subject, gap, detail",
    "gaps_now": "SELECT * FROM _gaps_now ORDER BY ALL",
}


class Org:
    """Catalog + CODEOWNERS: ``web`` agrees (team-a both), ``api`` disagrees (catalog team-a,
    CODEOWNERS team-b), ``pay`` is owned by an unknown group, ``team-empty`` has no members."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        (tmp / "org").mkdir()
        (tmp / "org" / "catalog-info.yaml").write_text(ORG)
        self.web = make_repo(
            tmp / "repos" / "web",
            {"catalog-info.yaml": component("web", "team-a"), "CODEOWNERS": "* @acme/team-a\n"},
        )
        self.api = make_repo(
            tmp / "repos" / "api",
            {"catalog-info.yaml": component("api", "team-a"), "CODEOWNERS": "* @acme/team-b\n"},
        )
        make_repo(tmp / "repos" / "pay", {"catalog-info.yaml": component("pay", "team-x")})
        self.path = tmp / "steward.duckdb"

    def load(self, store: Store) -> None:
        catalog = CatalogFilesSource(
            CatalogFilesConfig(type="catalog_files", roots=[self.tmp / "org", self.tmp / "repos"])
        )
        owners = CodeownersSource(
            CodeownersConfig(
                type="codeowners", roots=[self.tmp / "repos"], org_namespaces={"acme": "default"}
            )
        )
        for name, source in (("catalog", catalog), ("codeowners", owners)):
            outcome = run_source(store, name, source, state_dir=self.tmp / "state")
            assert outcome.status in ("ok", "unchanged"), outcome.report.errors


def answers(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.reader() as cur:
        return {name: cur.execute(sql).fetchall() for name, sql in ANSWERS.items()}


def kinds(store: Store) -> dict[str, str]:
    with store.reader() as cur:
        rows = cur.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_name IN ('ownership', 'ownership_conflicts')"
        ).fetchall()
    return {str(name): str(kind) for name, kind in rows}


@pytest.fixture()
def org(tmp_path: Path) -> Org:
    return Org(tmp_path)


def test_tables_have_the_columns_and_types_of_their_live_views(org: Org) -> None:
    with Store(org.path) as store:
        assert kinds(store) == {"ownership": "BASE TABLE", "ownership_conflicts": "BASE TABLE"}
        with store.reader() as cur:
            for table, live, _ in MATERIALISED:
                assert (
                    cur.execute(f"DESCRIBE {table}").fetchall()
                    == cur.execute(f"DESCRIBE {live}").fetchall()
                )
            assert {"ownership", "ownership_conflicts"} <= set(public_views(cur))


def test_every_load_refreshes_them_in_its_transaction(org: Org) -> None:
    with Store(org.path) as store:
        org.load(store)  # no gaps step: the tables follow the loads themselves
        got = answers(store)
        owners = {row[0]: (row[1], row[4], row[5]) for row in got["ownership"]}
        assert owners["component:default/api"] == (
            "group:default/team-a",
            ["catalog"],
            ["codeowners"],
        )
        assert owners["component:default/web"] == (
            "group:default/team-a",
            ["catalog", "codeowners"],
            None,
        )
        assert [row[:4] for row in got["ownership_conflicts"]] == [
            ("component:default/api", "group:default/team-a", "codeowner", "codeowners")
        ]
        assert got["ownership_gaps"] == []  # gaps wait for the gaps step
        store.refresh_gaps()
        gaps = {(row[0], row[1]) for row in answers(store)["ownership_gaps"]}
        assert ("component:default/api", "codeowners_disagree") in gaps
        assert ("component:default/pay", "unknown_owner") in gaps

        # CODEOWNERS of api now agree: the conflict is gone with the codeowners load
        commit_file(org.api, "CODEOWNERS", "* @acme/team-a\n")
        org.load(store)
        assert answers(store)["ownership_conflicts"] == []
        store.refresh_gaps()
        assert ("component:default/api", "codeowners_disagree") not in {
            (row[0], row[1]) for row in answers(store)["ownership_gaps"]
        }
        with store.reader() as cur:
            for table, live, _ in MATERIALISED:
                assert (
                    cur.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                    == cur.execute(f"SELECT * FROM {live} ORDER BY ALL").fetchall()
                )


def test_a_database_made_at_migration_7_migrates_with_the_same_answers(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as older_steward:
        older_steward.setattr(store_module, "SCHEMA_VERSION", 7)
        older_steward.setattr(store_module, "refresh_ownership", lambda con: None)
        with Store(org.path) as store:
            assert store.schema_version() == 7
            assert kinds(store) == {"ownership": "VIEW", "ownership_conflicts": "VIEW"}
            org.load(store)
            store.refresh_gaps()
            before = answers(store)
    assert before["ownership_conflicts"] and before["ownership_gaps"]
    with Store(org.path) as store:
        assert store.schema_version() == store_module.SCHEMA_VERSION  # 8 and later
        assert kinds(store) == {"ownership": "BASE TABLE", "ownership_conflicts": "BASE TABLE"}
        assert answers(store) == before  # filled by the migration itself
        store.refresh_gaps()  # the gaps step of the new code: the same again
        assert answers(store) == before
        org.load(store)  # unchanged sources: nothing loaded, the same answers
        assert answers(store) == before


def test_a_refill_writes_only_the_rows_that_differ_and_keeps_equal_rows_exact() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k VARCHAR, v VARCHAR, l VARCHAR[])")
    con.execute("CREATE TABLE src (k VARCHAR, v VARCHAR, l VARCHAR[])")
    con.execute("CREATE VIEW live AS SELECT * FROM src")

    def refilled() -> list[tuple[Any, ...]]:
        refill_table(con, "t", "live", "k")
        got = con.execute("SELECT * FROM t ORDER BY ALL").fetchall()
        assert got == con.execute("SELECT * FROM src ORDER BY ALL").fetchall()
        return got

    con.execute("INSERT INTO src VALUES ('a', NULL, ['x']), ('b', 'y', NULL)")
    assert refilled() == [("a", None, ["x"]), ("b", "y", None)]  # empty: filled as it is
    kept = con.execute("SELECT rowid FROM t WHERE k = 'b'").fetchall()
    con.execute("UPDATE src SET v = 'z' WHERE k = 'a'")
    con.execute("INSERT INTO src VALUES ('c', NULL, NULL)")
    assert refilled() == [("a", "z", ["x"]), ("b", "y", None), ("c", None, None)]
    assert con.execute("SELECT rowid FROM t WHERE k = 'b'").fetchall() == kept  # not rewritten

    con.execute("INSERT INTO src VALUES ('c', NULL, NULL)")  # two equal rows: both stored
    assert [row[0] for row in refilled()] == ["a", "b", "c", "c"]
    con.execute("DELETE FROM src WHERE k = 'c'")
    con.execute("INSERT INTO src VALUES ('c', NULL, NULL)")  # one of them left
    assert [row[0] for row in refilled()] == ["a", "b", "c"]
    con.execute("DELETE FROM src")
    assert refilled() == []
