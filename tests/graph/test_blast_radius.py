"""Exact impacted sets, depths and paths on the hand-built catalog (see conftest)."""

from __future__ import annotations

import pytest

from catalog.errors import UnknownEntityError
from catalog.store import Store
from graph import Direction, OnCall, blast_radius, build_graph

C, R, A = "component:default/", "resource:default/", "api:default/"
SHOP, COMMERCE, BILLING = (
    "system:default/shop",
    "domain:default/commerce",
    "component:finance/billing",
)
TEAM_A, TEAM_B = "group:default/team-a", "group:default/team-b"


def paths(store: Store, ref: str, **kwargs: object) -> list[tuple[int, list[str]]]:
    result = blast_radius(build_graph(store.connection), ref, **kwargs)  # type: ignore[arg-type]
    return [(i.depth, list(i.path)) for i in result.impacted]


def test_dependents_of_a_database_cross_cycle_api_hop_namespaces_and_roll_up(
    store: Store,
) -> None:
    db = R + "orders-db"
    assert paths(store, "resource:orders-db") == [
        (1, [C + "cyc-b", db]),
        (1, [C + "orders", db]),
        (1, [SHOP, db]),
        (2, [A + "orders-api", C + "orders", db]),
        (2, [C + "cyc-a", C + "cyc-b", db]),
        (2, [BILLING, C + "orders", db]),
        (2, [COMMERCE, SHOP, db]),
        (3, [C + "checkout", A + "orders-api", C + "orders", db]),
        (4, [C + "web", C + "checkout", A + "orders-api", C + "orders", db]),
    ]


def test_api_consumer_is_impacted_when_the_provider_fails(store: Store) -> None:
    impacted = dict((p[0], d) for d, p in paths(store, "orders"))
    assert impacted == {
        A + "orders-api": 1,
        BILLING: 1,
        SHOP: 1,
        C + "checkout": 2,
        COMMERCE: 2,
        C + "web": 3,
    }


def test_subcomponent_rolls_up_to_parent_system_and_domain(store: Store) -> None:
    assert paths(store, "checkout-worker") == [
        (1, [C + "checkout", C + "checkout-worker"]),
        (2, [C + "web", C + "checkout", C + "checkout-worker"]),
        (2, [SHOP, C + "checkout", C + "checkout-worker"]),
        (3, [COMMERCE, SHOP, C + "checkout", C + "checkout-worker"]),
    ]


def test_depth_limit(store: Store) -> None:
    assert [(d, p[0]) for d, p in paths(store, "orders-db", depth=1)] == [
        (1, C + "cyc-b"),
        (1, C + "orders"),
        (1, SHOP),
    ]
    assert paths(store, "orders-db", depth=0) == []
    assert max(d for d, _ in paths(store, "orders-db", depth=2)) == 2
    assert len(paths(store, "orders-db", depth=2)) == 7


def test_cycle_terminates_and_is_reported(store: Store) -> None:
    result = blast_radius(build_graph(store.connection), "cyc-a")
    assert [(i.ref, i.depth) for i in result.impacted] == [(C + "cyc-b", 1)]
    assert result.in_cycle and result.summary()["in_cycle"]
    assert not blast_radius(build_graph(store.connection), "orders-db").in_cycle


def test_reverse_direction_lists_what_ref_depends_on(store: Store) -> None:
    web = C + "web"
    assert paths(store, "web", direction=Direction.dependencies) == [
        (1, [C + "checkout", web]),
        (1, [C + "legacy", web]),
        (2, [A + "orders-api", C + "checkout", web]),
        (2, [C + "checkout-worker", C + "checkout", web]),
        (2, [C + "ghost", C + "legacy", web]),
        (3, [C + "orders", A + "orders-api", C + "checkout", web]),
        (4, [R + "orders-db", C + "orders", A + "orders-api", C + "checkout", web]),
    ]


def test_dangling_relation_is_a_missing_node(store: Store) -> None:
    graph = build_graph(store.connection)
    result = blast_radius(graph, "web", direction="dependencies")  # type: ignore[arg-type]
    ghost = next(i for i in result.impacted if i.ref == C + "ghost")
    assert ghost.node.missing and ghost.to_json()["missing"] is True
    assert "missing" not in result.impacted[0].to_json()
    assert result.summary()["missing"] == [C + "ghost"]
    # the missing entity itself can be asked about
    assert [(i.ref, i.depth) for i in blast_radius(graph, "ghost").impacted] == [
        (C + "legacy", 1),
        (C + "web", 2),
    ]


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("orders", C + "orders"),
        ("Component:Default/ORDERS", C + "orders"),
        ("Orders-DB", R + "orders-db"),  # no kind given: the one entity of that name
        ("resource:orders-db", R + "orders-db"),
        ("billing", BILLING),  # no namespace given: the one entity of that name
        ("finance/billing", BILLING),
        ("component:finance/billing", BILLING),
    ],
)
def test_refs_are_resolved_leniently(store: Store, text: str, ref: str) -> None:
    assert blast_radius(build_graph(store.connection), text).ref == ref


def test_unknown_ref_suggests_close_names(store: Store) -> None:
    graph = build_graph(store.connection)
    with pytest.raises(UnknownEntityError) as info:
        blast_radius(graph, "ordrs")
    assert C + "orders" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownEntityError):
        blast_radius(graph, "api:billing")  # a name that exists, but not as that kind
    with pytest.raises(UnknownEntityError):
        blast_radius(graph, "finance/orders")


def test_owners_oncall_levels_and_summary(store: Store) -> None:
    graph = build_graph(store.connection)
    graph.oncall = {C + "orders": OnCall("P1", "orders", "E1", "orders-ep", 2, ("alice",))}
    graph.levels = {C + "checkout": "gold"}
    result = blast_radius(graph, "orders-db").to_json()
    assert set(result) == {"ref", "impacted", "summary"}
    by_ref = {i["ref"]: i for i in result["impacted"]}
    assert set(by_ref[C + "orders"]) == {"ref", "depth", "path", "owners", "oncall", "level"}
    assert by_ref[C + "orders"]["owners"] == [TEAM_A]
    assert by_ref[C + "orders"]["oncall"] == {
        "service_id": "P1",
        "service_name": "orders",
        "escalation_policy_id": "E1",
        "escalation_policy_name": "orders-ep",
        "escalation_levels": 2,
        "oncall_now": ["alice"],
    }
    assert by_ref[C + "checkout"]["level"] == "gold"
    assert by_ref[C + "web"]["level"] is None and by_ref[C + "web"]["oncall"] is None
    summary = result["summary"]
    assert summary["impacted"] == 9 and summary["max_depth"] == 4
    assert summary["production_components"] == 6  # cyc-a, cyc-b, orders, billing, checkout, web
    assert summary["without_oncall"] == [
        C + "cyc-b",
        C + "cyc-a",
        BILLING,
        C + "checkout",
        C + "web",
    ]
    teams = {t["team"]: t for t in summary["teams"]}
    assert set(teams) == {TEAM_A, TEAM_B}
    assert teams[TEAM_A]["impacted"] == 6  # cyc-b, orders, shop, orders-api, cyc-a, commerce
    assert teams[TEAM_A]["production_components"] == 3
    assert teams[TEAM_B]["without_oncall"] == [BILLING, C + "checkout", C + "web"]
    assert summary["by_kind"] == {"api": 1, "component": 6, "domain": 1, "system": 1}
