from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from catalog.errors import QueryRefused, StoreError
from catalog.store import SCHEMA_VERSION, Store, run_readonly_query
from catalog.store.loading import ROW_HASH_FUNCTION


def _relations(*triples: tuple[str, str, str]) -> dict[str, list[str]]:
    return {
        "source_ref": [t[0] for t in triples],
        "type": [t[1] for t in triples],
        "target_ref": [t[2] for t in triples],
    }


def test_new_database_is_migrated_to_current_version(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        assert store.schema_version() == SCHEMA_VERSION
        views = {
            r[0]
            for r in store.connection.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
    assert {"entities", "relations", "ingest_runs", "catalog_problems"} <= views


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    Store(tmp_path / "s.duckdb").close()
    with Store(tmp_path / "s.duckdb") as store:
        rows = store.connection.execute("SELECT count(*) FROM schema_version").fetchone()
    assert rows == (SCHEMA_VERSION,)


def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(StoreError, match="newer than this Steward"):
        Store(path)


def test_snapshot_replacement_keeps_history(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        first = store.begin_run("cat", "catalog_files")
        store.finish_run(
            first,
            status="ok",
            snapshot={
                "relation_rows": _relations(
                    ("a", "dependsOn", "b"), ("a", "dependsOn", "b"), ("a", "ownedBy", "t")
                )
            },
        )
        second = store.begin_run("cat", "catalog_files")
        store.finish_run(
            second,
            status="ok",
            snapshot={"relation_rows": _relations(("a", "ownedBy", "t"), ("c", "dependsOn", "d"))},
        )
        rows = store.connection.execute(
            "SELECT source_ref, type, target_ref, valid_from, valid_to FROM relation_rows "
            "ORDER BY source_ref, type"
        ).fetchall()
        current = store.connection.execute(
            "SELECT source_ref, type, target_ref, run_id FROM relations ORDER BY 1, 2"
        ).fetchall()
    assert rows == [
        ("a", "dependsOn", "b", first, second),  # gone in the second run, kept as history
        ("a", "ownedBy", "t", first, None),  # unchanged: keeps its first run
        ("c", "dependsOn", "d", second, None),
    ]
    assert current == [("a", "ownedBy", "t", first), ("c", "dependsOn", "d", second)]


def test_duplicates_in_a_later_snapshot_are_stored_once(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        for triples in (
            [("a", "ownedBy", "t")],
            [("a", "ownedBy", "t"), ("c", "dependsOn", "d"), ("c", "dependsOn", "d")],
        ):
            run = store.begin_run("cat", "catalog_files")
            store.finish_run(run, status="ok", snapshot={"relation_rows": _relations(*triples)})
        rows = store.connection.execute(
            "SELECT source_ref, count(*) FROM relation_rows GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert rows == [("a", 1), ("c", 1)]


def test_row_hashes_from_another_hash_function_are_recomputed(tmp_path: Path) -> None:
    """A database whose row hashes another DuckDB (or md5) computed keeps its unchanged rows."""
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        first = store.begin_run("cat", "catalog_files")
        store.finish_run(
            first, status="ok", snapshot={"relation_rows": _relations(("a", "ownedBy", "t"))}
        )
    con = duckdb.connect(str(path))
    con.execute("UPDATE relation_rows SET row_hash = 42")  # what another function wrote
    con.execute("UPDATE store_meta SET value = 'duckdb-hash-128:0.0.1'")
    con.close()
    with Store(path) as store:
        second = store.begin_run("cat", "catalog_files")
        store.finish_run(
            second, status="ok", snapshot={"relation_rows": _relations(("a", "ownedBy", "t"))}
        )
        rows = store.connection.execute("SELECT valid_from, valid_to FROM relation_rows").fetchall()
        meta = store.connection.execute("SELECT value FROM store_meta").fetchall()
    assert rows == [(first, None)]  # not closed and re-inserted: the hash was recomputed
    assert meta == [(ROW_HASH_FUNCTION,)]


def test_snapshots_of_different_sources_are_independent(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        for source, triple in (("one", ("a", "x", "b")), ("two", ("c", "x", "d"))):
            run = store.begin_run(source, "t")
            store.finish_run(run, status="ok", snapshot={"relation_rows": _relations(triple)})
        run = store.begin_run("one", "t")
        store.finish_run(run, status="ok", snapshot={"relation_rows": _relations()})
        rows = store.connection.execute("SELECT source, source_ref FROM relations").fetchall()
    assert rows == [("two", "c")]


def test_a_failing_load_rolls_back_everything(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        run = store.begin_run("cat", "t")
        store.finish_run(run, status="ok", snapshot={"relation_rows": _relations(("a", "x", "b"))})
        run = store.begin_run("cat", "t")
        with pytest.raises(StoreError, match="lacks columns"):
            store.finish_run(
                run,
                status="ok",
                snapshot={
                    "relation_rows": _relations(("c", "x", "d")),
                    "file_rows": {"location": ["f"]},
                },
            )
        rows = store.connection.execute("SELECT source_ref FROM relations").fetchall()
        status = store.connection.execute(
            "SELECT status FROM ingest_runs WHERE run_id = ?", [run]
        ).fetchone()
    assert rows == [("a",)]
    assert status == ("running",)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        run = store.begin_run("cat", "t")
        store.finish_run(
            run,
            status="ok",
            snapshot={
                "relation_rows": _relations(*[(f"s{i}", "dependsOn", f"t{i}") for i in range(50)])
            },
        )
    return path


def test_readonly_query_answers(db: Path) -> None:
    result = run_readonly_query(db, "SELECT count(*) AS n FROM relations")
    assert result.columns == ["n"]
    assert result.rows == [(50,)]
    assert not result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM relation_rows",
        "DROP VIEW relations",
        "CREATE TABLE x (a INT)",
        "INSERT INTO relation_rows SELECT * FROM relation_rows",
        "COPY relation_rows TO '/tmp/out.csv'",
        "ATTACH '/tmp/other.duckdb'",
        "SELECT 1; DELETE FROM relation_rows",
        "PRAGMA version",
        "SET threads = 1",
    ],
)
def test_anything_but_one_select_is_refused(db: Path, sql: str) -> None:
    with pytest.raises(QueryRefused):
        run_readonly_query(db, sql)
    assert run_readonly_query(db, "SELECT count(*) FROM relations").rows == [(50,)]


def test_external_access_is_disabled(db: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(QueryRefused, match=r"read_csv\(\) is not allowed"):
        run_readonly_query(db, f"SELECT * FROM read_csv('{secret}')")


def test_row_cap_truncates(db: Path) -> None:
    result = run_readonly_query(db, "SELECT * FROM relations", max_rows=10)
    assert len(result.rows) == 10
    assert result.truncated


def test_timeout_interrupts_a_long_query(db: Path) -> None:
    with pytest.raises(QueryRefused, match="timeout"):
        run_readonly_query(db, "SELECT count(*) FROM range(100000000000) a", timeout_seconds=0.2)


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run 'steward ingest' first"):
        run_readonly_query(tmp_path / "none.duckdb", "SELECT 1")


def test_memory_limit_is_duckdbs_for_the_writer_and_its_cursors(tmp_path: Path) -> None:
    def limit(store: Store) -> str:
        with store.reader() as cur:
            row = cur.execute("SELECT current_setting('memory_limit')").fetchone()
        assert row is not None
        return str(row[0])

    with Store(tmp_path / "limited.duckdb", memory_limit="384MB") as store:
        assert limit(store) == "366.2 MiB"  # DuckDB reports 384 MB (10^6) in MiB
    with Store(tmp_path / "default.duckdb") as store:
        assert limit(store) != "366.2 MiB"
