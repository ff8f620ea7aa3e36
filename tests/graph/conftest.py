"""A hand-built catalog, ingested with the real runner into a real DuckDB file.

Dependency edges (dependent -> dependency), per the relations the files emit:

    orders -> orders-db            cyc-b -> orders-db, cyc-a <-> cyc-b (a cycle)
    orders-api -> orders           (apiProvidedBy)      checkout -> orders-api (consumesApi)
    checkout -> checkout-worker    (subcomponentOf)     web -> checkout, web -> legacy
    legacy -> ghost                (ghost does not exist: a dangling relation)
    system:shop -> orders, orders-api, orders-db, checkout; domain:commerce -> system:shop
    component:finance/billing -> orders (another namespace)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source

HEAD = "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"

FILES = {
    "org/catalog-info.yaml": [
        ("Group", "org", "spec:\n  type: organization\n  children: []\n"),
        ("Group", "team-a", "spec:\n  type: team\n  parent: org\n  children: []\n"),
        ("Group", "team-b", "spec:\n  type: team\n  parent: org\n  children: []\n"),
        ("Domain", "commerce", "spec:\n  owner: team-a\n"),
        ("System", "shop", "spec:\n  owner: team-a\n  domain: commerce\n"),
    ],
    "orders/catalog-info.yaml": [
        (
            "Component",
            "orders",
            "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  system: shop\n"
            "  dependsOn: [resource:orders-db]\n  providesApis: [orders-api]\n",
        ),
        (
            "API",
            "orders-api",
            "spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  system: shop\n"
            "  definition: x\n",
        ),
        ("Resource", "orders-db", "spec:\n  type: database\n  owner: team-a\n  system: shop\n"),
    ],
    "checkout/catalog-info.yaml": [
        (
            "Component",
            "checkout",
            "spec:\n  type: service\n  lifecycle: production\n  owner: team-b\n  system: shop\n"
            "  consumesApis: [orders-api]\n",
        ),
        (
            "Component",
            "checkout-worker",
            "spec:\n  type: service\n  lifecycle: experimental\n  owner: team-b\n"
            "  subcomponentOf: checkout\n",
        ),
        (
            "Component",
            "web",
            "spec:\n  type: website\n  lifecycle: production\n  owner: team-b\n"
            "  dependsOn: [component:checkout, component:legacy]\n",
        ),
        (
            "Component",
            "legacy",
            "spec:\n  type: service\n  lifecycle: deprecated\n  owner: team-b\n"
            "  dependsOn: [component:ghost]\n",
        ),
    ],
    "cycle/catalog-info.yaml": [
        (
            "Component",
            "cyc-a",
            "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
            "  dependsOn: [component:cyc-b]\n",
        ),
        (
            "Component",
            "cyc-b",
            "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
            "  dependsOn: [component:cyc-a, resource:orders-db]\n",
        ),
    ],
    "finance/catalog-info.yaml": [
        (
            "Component",
            "billing\n  namespace: finance",
            "spec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-b\n"
            "  dependsOn: [component:default/orders]\n",
        ),
    ],
}


def write_catalog(root: Path) -> None:
    for rel, docs in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n".join(HEAD.format(kind=k, name=n) + spec for k, n, spec in docs))


def ingest(store: Store, root: Path, state: Path) -> None:
    config = CatalogFilesConfig(type="catalog_files", roots=[root])
    outcome = run_source(store, "catalog", CatalogFilesSource(config), state_dir=state)
    assert outcome.status in ("ok", "unchanged"), outcome.report.errors
    assert not outcome.report.errors


@pytest.fixture()
def catalog_root(tmp_path: Path) -> Path:
    root = tmp_path / "repos"
    write_catalog(root)
    return root


@pytest.fixture()
def store(tmp_path: Path, catalog_root: Path) -> Iterator[Store]:
    with Store(tmp_path / "steward.duckdb") as s:
        ingest(s, catalog_root, tmp_path / "state")
        yield s
