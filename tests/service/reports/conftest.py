"""A small organisation whose gaps open and close at fixed dates (Store.refresh_gaps(now=...))."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source

HEAD = "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"
GROUPS = [
    ("Group", "org", "spec:\n  type: organization\n  children: []\n"),
    ("Group", "dept", "spec:\n  type: department\n  parent: org\n  children: []\n"),
    ("Group", "team-a", "spec:\n  type: team\n  parent: dept\n  children: []\n"),
    ("Group", "team-b", "spec:\n  type: team\n  parent: org\n  children: []\n"),
    ("User", "ann", "spec:\n  memberOf: [team-a]\n"),
    ("User", "bob", "spec:\n  memberOf: [team-b]\n"),
    ("System", "shop", "spec:\n  owner: team-a\n"),
]


def component(name: str, owner: str | None, extra: str = "") -> tuple[str, str, str]:
    owner_line = f"  owner: {owner}\n" if owner else ""
    return (
        "Component",
        name,
        f"spec:\n  type: service\n  lifecycle: production\n{owner_line}{extra}",
    )


class GapClock:
    """Ingest a catalog state, then fold its gaps in as of a fixed moment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = Store(root / "steward.duckdb")

    def at(self, moment: datetime, components: list[tuple[str, str, str]]) -> None:
        repos = self.root / "repos"
        if repos.exists():
            shutil.rmtree(repos)
        files = {"org": GROUPS, **{name: [(k, name, spec)] for k, name, spec in components}}
        for repo, docs in files.items():
            path = repos / repo / "catalog-info.yaml"
            path.parent.mkdir(parents=True)
            path.write_text("---\n".join(HEAD.format(kind=k, name=n) + s for k, n, s in docs))
        config = CatalogFilesConfig(type="catalog_files", roots=[self.root / "repos"])
        outcome = run_source(
            self.store, "catalog", CatalogFilesSource(config), state_dir=self.root / "state"
        )
        assert outcome.status in ("ok", "unchanged"), outcome.report.errors
        self.store.refresh_gaps(stale_after_days=None, now=moment)


T1 = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # Tuesday of 2026-W47
T2 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday of 2026-W48


@pytest.fixture()
def history(tmp_path: Path) -> Iterator[GapClock]:
    """W47: a (no owner: the catalog rejects it) and b (unknown owner team-x) open; W48: a gets
    owner team-a (resolved), c (no owner, in system shop) opens, b stays open."""
    clock = GapClock(tmp_path)
    clock.at(T1, [component("a", None), component("b", "team-x"), component("ok", "team-b")])
    clock.at(
        T2,
        [
            component("a", "team-a"),
            component("b", "team-x"),
            component("c", None, "  system: shop\n"),
            component("ok", "team-b"),
        ],
    )
    yield clock
    clock.store.close()
