"""The graph cached in a file (``graph.cache_file``): same answers as a fresh build, rebuilt when
the catalog, its annotations, the database or the code changes, never trusted when damaged."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from catalog.store import Store
from catalog.store.migrations import SNAPSHOT_TABLES
from catalog.store.readonly import connect_readonly
from graph import (
    Direction,
    blast_radius,
    build_graph,
    cache_file,
    critical_entities,
    dependency_cycles,
    graph_json,
    production_on_risky,
    without_oncall_path,
)
from graph.cache_file import cache_path, cached_graph, catalog_key
from graph.model import CatalogGraph
from scorecards import run_scorecards
from tests.graph.conftest import ingest

C = "component:default/"


def _answers(graph: CatalogGraph) -> dict[str, object]:
    refs = [node.ref for node in graph.nodes]
    return {
        "blast": {
            (ref, d.value, depth): blast_radius(graph, ref, direction=d, depth=depth).to_json()
            for ref in refs
            for d in Direction
            for depth in (None, 1)
        },
        "critical": critical_entities(graph, limit=50),
        "cycles": dependency_cycles(graph),
        "risky": production_on_risky(graph),
        "no_oncall": without_oncall_path(graph),
        "json": graph_json(graph),
        "owners": {ref: graph.owners_of(ref) for ref in refs},
    }


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> CatalogGraph:
        raise AssertionError("the graph was built instead of read from the cache file")

    monkeypatch.setattr("graph.build.build_graph", refuse)


def test_a_graph_read_back_answers_exactly_as_the_built_one(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state-dir"
    built = cached_graph(store.connection, state)  # no file yet: built and written
    assert cache_path(state).is_file()
    fresh = build_graph(store.connection)
    _no_build(monkeypatch)
    read = cached_graph(store.connection, state)
    assert read is not built
    assert _answers(read) == _answers(fresh) == _answers(built)
    assert read.fingerprint == fresh.fingerprint
    assert read.annotations_fingerprint == fresh.annotations_fingerprint
    assert read.edge_count == fresh.edge_count and read.ids == fresh.ids


def test_changed_relations_rebuild_the_file(store: Store, tmp_path: Path) -> None:
    state = tmp_path / "state-dir"
    first = cached_graph(store.connection, state)
    ingest(store, tmp_path / "repos", tmp_path / "state")  # unchanged tree: same key
    assert cache_file.load(cache_path(state), catalog_key(store.connection)) is not None
    extra = tmp_path / "repos" / "new" / "catalog-info.yaml"
    extra.parent.mkdir()
    extra.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: new\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        "  dependsOn: [component:orders]\n"
    )
    ingest(store, tmp_path / "repos", tmp_path / "state")
    assert cache_file.load(cache_path(state), catalog_key(store.connection)) is None
    second = cached_graph(store.connection, state)
    assert C + "new" not in first.ids and C + "new" in second.ids
    impacted = [i.ref for i in blast_radius(second, "orders").impacted]
    assert C + "new" in impacted
    assert cache_file.load(cache_path(state), catalog_key(store.connection)) is not None


def test_new_scorecard_levels_reload_the_annotations(store: Store, tmp_path: Path) -> None:
    state = tmp_path / "state-dir"
    assert cached_graph(store.connection, state).levels == {}
    cards = tmp_path / "scorecards"
    cards.mkdir()
    (cards / "ready.yaml").write_text(
        "id: readiness\ntitle: Readiness\nfilter: {kind: [component]}\nlevels: [bronze]\n"
        "checks:\n  - {id: owner, title: Owner, level: bronze, type: has_owner}\n"
    )
    run_scorecards(store, cards)
    graph = cached_graph(store.connection, state)
    assert graph.levels[C + "orders"] == "bronze"
    [web] = [i for i in blast_radius(graph, "legacy").impacted if i.ref == C + "web"]
    assert web.level == "bronze"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:-100] + bytes(100), id="zeroed-tail"),
        pytest.param(lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:], id="flipped-header"),
        pytest.param(
            lambda b: b[: len(b) // 2] + bytes([b[len(b) // 2] ^ 0x01]) + b[len(b) // 2 + 1 :],
            id="flipped-payload",
        ),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: pickle.dumps({"nodes": []}), id="foreign-pickle"),
        pytest.param(lambda b: b"steward-graph\x00\xff\xff\xff\xff", id="bad-length"),
    ],
)
def test_a_damaged_or_foreign_file_is_ignored_and_rewritten(
    store: Store, tmp_path: Path, damage: object
) -> None:
    state = tmp_path / "state-dir"
    expected = _answers(cached_graph(store.connection, state))
    path = cache_path(state)
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    key = catalog_key(store.connection)
    assert cache_file.load(path, key) is None
    assert _answers(cached_graph(store.connection, state)) == expected
    assert cache_file.load(path, key) is not None  # written again, whole


def test_another_format_or_python_or_code_is_not_trusted(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state-dir"
    cached_graph(store.connection, state)
    key = catalog_key(store.connection)
    assert cache_file.load(cache_path(state), key) is not None
    with monkeypatch.context() as m:
        m.setattr(cache_file, "FORMAT", cache_file.FORMAT + 1)
        assert cache_file.load(cache_path(state), key) is None
    with monkeypatch.context() as m:
        m.setattr("sys.version", "3.99.0 (elsewhere)")
        assert cache_file.load(cache_path(state), key) is None
    with monkeypatch.context() as m:
        m.setattr(cache_file, "_code_digest", lambda: "another build of the graph modules")
        assert cache_file.load(cache_path(state), key) is None


def test_a_database_ingested_again_from_scratch_does_not_match(
    tmp_path: Path, catalog_root: Path
) -> None:
    state = tmp_path / "state-dir"
    database = tmp_path / "again.duckdb"
    with Store(database) as store:
        ingest(store, catalog_root, tmp_path / "source-state-1")
        cached_graph(store.connection, state)
        first_key = catalog_key(store.connection)
    os.remove(database)
    shutil.rmtree(tmp_path / "source-state-1")
    with Store(database) as store:
        ingest(store, catalog_root, tmp_path / "source-state-2")
        second_key = catalog_key(store.connection)
    assert first_key[:2] == second_key[:2]  # same rows and run ids ...
    assert first_key != second_key  # ... but another database
    assert cache_file.load(cache_path(state), second_key) is None


def test_a_read_only_connection_and_an_unwritable_state_dir(store: Store, tmp_path: Path) -> None:
    expected = _answers(build_graph(store.connection))
    database = Path(
        store.connection.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()[0][0]
    )
    store.close()
    blocked = tmp_path / "a-file-not-a-directory"
    blocked.write_text("")
    con = connect_readonly(database)
    try:
        assert _answers(cached_graph(con, blocked)) == expected  # answered; nothing written
        state = tmp_path / "state-dir"
        cached_graph(con, state)
        assert _answers(cached_graph(con, state)) == expected
    finally:
        con.close()


def _refuse(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    for name in names:

        def refuse(*_: object, _name: str = name, **__: object) -> object:
            raise AssertionError(f"{_name} was called although the cached part still holds")

        monkeypatch.setattr(name, refuse)


def test_a_scorecard_run_reloads_only_the_levels(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state-dir"
    cached_graph(store.connection, state)
    cards = tmp_path / "scorecards"
    cards.mkdir()
    (cards / "ready.yaml").write_text(
        "id: readiness\ntitle: Readiness\nfilter: {kind: [component]}\nlevels: [bronze]\n"
        "checks:\n  - {id: owner, title: Owner, level: bronze, type: has_owner}\n"
    )
    run_scorecards(store, cards)
    expected = _answers(build_graph(store.connection))
    with monkeypatch.context() as m:
        _refuse(
            m, "graph.build.build_graph", "graph.loading.load_owners", "graph.loading.load_oncall"
        )
        graph = cached_graph(store.connection, state)
    assert graph.levels[C + "orders"] == "bronze"
    assert _answers(graph) == expected
    _no_build(monkeypatch)
    assert _answers(cached_graph(store.connection, state)) == expected  # written back, whole
    assert cache_file.load(cache_path(state), catalog_key(store.connection)) is not None


def test_a_source_run_that_changes_no_relation_reloads_owners_and_oncall(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state-dir"
    before = cached_graph(store.connection, state)
    assert before.owners_of(C + "web") == ("group:default/team-b",)
    row = {"subject": C + "web", "owner": "group:default/team-a", "role": "codeowner",
           "owner_raw": "@acme/team-a", "evidence": "web:CODEOWNERS:1"}  # fmt: skip
    columns = {c: [row.get(c)] for c in SNAPSHOT_TABLES["claim_rows"].column_names}
    run_id = store.begin_run("codeowners", "codeowners")
    store.finish_run(run_id, status="ok", snapshot={"claim_rows": columns})
    expected = _answers(build_graph(store.connection))
    with monkeypatch.context() as m:
        _refuse(m, "graph.build.build_graph")
        graph = cached_graph(store.connection, state)
    assert graph.owners_of(C + "web") == ("group:default/team-b", "group:default/team-a")
    assert _answers(graph) == expected


def test_owners_from_the_stores_copy_of_the_claims_equal_the_view(store: Store) -> None:
    from graph import loading

    views = loading.existing_views(store.connection)
    assert "_resolved_claims" in views
    from_copy = loading.load_owners(store.connection, views)
    from_view = loading.load_owners(store.connection, views - {"_resolved_claims"})
    assert from_copy == from_view and from_copy[C + "orders"] == ("group:default/team-a",)
