"""One lenient ref resolver: the database and the graph answer every spelling alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.errors import UnknownEntityError
from catalog.lookup import resolve_ref
from catalog.store import Store
from graph import build_graph
from graph.resolve import resolve_ref as resolve_in_graph
from tests.graph.conftest import ingest, write_catalog

C, R = "component:default/", "resource:default/"
BILLING = "component:finance/billing"


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    """The graph tests' hand-built catalog (``component:finance/billing`` in another namespace)."""
    write_catalog(tmp_path / "repos")
    with Store(tmp_path / "steward.duckdb") as s:
        ingest(s, tmp_path / "repos", tmp_path / "state")
        yield s


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("orders", C + "orders"),
        ("Component:Default/ORDERS", C + "orders"),
        ("Orders-DB", R + "orders-db"),  # no kind: the one entity of that name
        ("resource:orders-db", R + "orders-db"),
        ("billing", BILLING),  # no namespace: the one entity of that name
        ("finance/billing", BILLING),  # ns/name: kind left out, namespace kept
        ("Finance/Billing", BILLING),
        ("component:finance/billing", BILLING),
        ("group:team-a", "group:default/team-a"),
        ("default/team-a", "group:default/team-a"),  # ns/name naming a non-component
    ],
)
def test_database_and_graph_resolve_alike(store: Store, text: str, ref: str) -> None:
    assert resolve_ref(store.connection, text) == ref
    assert resolve_in_graph(build_graph(store.connection), text) == ref


@pytest.mark.parametrize(
    "text",
    [
        "finance/orders",  # the name exists, but not in that namespace
        "api:billing",  # the name exists, but not as that kind
        "other/billing",
    ],
)
def test_a_namespace_or_kind_that_was_given_is_kept(store: Store, text: str) -> None:
    with pytest.raises(UnknownEntityError):
        resolve_ref(store.connection, text)
    with pytest.raises(UnknownEntityError):
        resolve_in_graph(build_graph(store.connection), text)


def test_unknown_names_get_close_suggestions(store: Store) -> None:
    with pytest.raises(UnknownEntityError) as info:
        resolve_ref(store.connection, "ordrs")
    assert info.value.ref == C + "ordrs"
    assert C + "orders" in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_default_kind_is_the_callers(store: Store) -> None:
    assert resolve_ref(store.connection, "team-a", default_kind="group") == "group:default/team-a"
    assert resolve_ref(store.connection, "default/team-a", default_kind="group") == (
        "group:default/team-a"
    )


def test_a_name_like_none_gets_no_suggestions_from_the_shared_ref_prefix(store: Store) -> None:
    # every ref starts "component:default/": compared as whole refs, nonsense looked close
    with pytest.raises(UnknownEntityError) as info:
        resolve_ref(store.connection, "qqqqqqqq")
    assert info.value.suggestions == []
    with pytest.raises(UnknownEntityError) as info:
        resolve_in_graph(build_graph(store.connection), "qqqqqqqq")
    assert info.value.suggestions == []


def test_suggestions_among_many_entities_come_from_close_names(tmp_path: Path) -> None:
    names = [f"svc-{i:05d}-{word}" for i, word in enumerate(["api", "worker", "db"] * 1_000)]
    docs = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {n}}}\n"
        "spec: {type: service, lifecycle: production, owner: team-a}\n"
        for n in [*names, "payments-api"]
    )
    (tmp_path / "repos" / "big").mkdir(parents=True)
    (tmp_path / "repos" / "big" / "catalog-info.yaml").write_text(docs)
    with Store(tmp_path / "steward.duckdb") as s:
        ingest(s, tmp_path / "repos", tmp_path / "state")
        with pytest.raises(UnknownEntityError) as info:
            resolve_ref(s.connection, "paymnts-api")
        assert info.value.suggestions[0] == C + "payments-api"
        with pytest.raises(UnknownEntityError) as info:
            resolve_ref(s.connection, "svc-01234-workr")
        assert C + "svc-01234-worker" in info.value.suggestions
