"""The SQL guard: hostile queries are refused by parse tree or by the connection, normal ones
run, the timeout interrupts only its own cursor, the row cap reports truncation."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest

from catalog.errors import QueryRefused
from catalog.sqlguard import check_query, connect_readonly, run_query
from catalog.store import Store

SECRET = "s3cr3t-file-content"

# (query, words the refusal must contain)
HOSTILE: list[tuple[str, str]] = [
    ("INSERT INTO runs VALUES (99, 'x', 'x', now(), NULL, 'ok', NULL, NULL, 0, 0, NULL)", "INSERT"),
    ("UPDATE runs SET status = 'failed'", "UPDATE"),
    ("DELETE FROM gap_episodes", "DELETE"),
    ("DROP TABLE runs", "DROP"),
    ("CREATE TABLE stolen AS SELECT * FROM runs", "CREATE"),
    ("WITH x AS (SELECT 1) INSERT INTO runs SELECT * FROM runs", "INSERT"),
    ("ATTACH '/tmp/other.duckdb' AS other", "ATTACH"),
    ("DETACH steward", "DETACH"),
    ("COPY runs TO '/tmp/runs.csv'", "COPY"),
    ("EXPORT DATABASE '/tmp/dump'", "EXPORT"),
    ("INSTALL httpfs", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("RESET lock_configuration", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CALL enable_logging()", "CALL"),
    ("CHECKPOINT", "statement"),
    ("VACUUM", "VACUUM"),
    ("BEGIN TRANSACTION", "TRANSACTION"),
    ("CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", "CREATE"),
    ("SELECT 1; DROP TABLE runs", "exactly one statement"),
    ("SELECT 1; SELECT 2", "exactly one statement"),
    ("SELECT 1 -- hidden\n; DELETE FROM runs", "exactly one statement"),
    ("SELECT * FROM read_csv('{secret}')", "read_csv"),
    ("SELECT * FROM READ_CSV_AUTO('{secret}')", "read_csv_auto"),
    ("SELECT * FROM \"read_text\"('{secret}')", "read_text"),
    ("SELECT * FROM main.read_blob('{secret}')", "read_blob"),
    ("FROM read_json_auto('{secret}')", "read_json_auto"),
    ("SELECT * FROM read_parquet('https://example.com/x.parquet')", "read_parquet"),
    ("SELECT * FROM glob('/*')", "glob"),
    ("SELECT * FROM sniff_csv('{secret}')", "sniff_csv"),
    ("SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')", "query"),
    ("SELECT * FROM checkpoint()", "checkpoint"),
    ("SELECT * FROM enable_logging()", "enable_logging"),
    ("SELECT * FROM duckdb_secrets()", "duckdb_secrets"),
    ("SELECT nextval('run_ids')", "nextval"),
    ("SELECT ref, nextval('run_ids') FROM entities", "nextval"),
    ("SELECT list_transform([1, 2], x -> setseed(0.1))", "setseed"),
    (
        "SELECT * FROM (SELECT * FROM range(3)) t, (SELECT * FROM read_text('{secret}'))",
        "read_text",
    ),
    ("SELECT * FROM '{secret}'", "does not exist"),
    ("SELECT * FROM runs WHERE", "cannot parse"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("sqlguard")
    path = tmp_path / "steward.duckdb"
    with Store(path) as store:
        run = store.begin_run("catalog", "catalog_files")
        store.finish_run(run, status="ok")
    (tmp_path / "secret.txt").write_text(f"a,b\n{SECRET},2\n")
    return path


def _sql(template: str, tmp: Path) -> str:
    return template.replace("{secret}", str(tmp / "secret.txt"))


def test_at_least_twenty_hostile_queries() -> None:
    assert len(HOSTILE) >= 20


@pytest.mark.parametrize(("template", "why"), HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_query_is_refused_on_the_live_database(db: Path, template: str, why: str) -> None:
    sql = _sql(template, db.parent)
    with Store(db) as store:  # the read-write connection the service holds
        with pytest.raises(QueryRefused) as refused:
            run_query(store.connection, sql, max_rows=10, timeout_seconds=5)
        message = str(refused.value)
        assert why.lower() in message.lower()
        assert SECRET not in message
        # nothing changed, the service keeps answering
        con = store.connection
        assert con.execute("SELECT count(*), min(status) FROM runs").fetchone() == (1, "ok")
        assert con.execute("SELECT currval('run_ids')").fetchone() == (1,)
        result = run_query(con, "SELECT count(*) AS n FROM runs", max_rows=10, timeout_seconds=5)
        assert result.rows == [(1,)]


@pytest.mark.parametrize(("template", "why"), HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_query_is_refused_on_a_readonly_file(db: Path, template: str, why: str) -> None:
    con = connect_readonly(db)
    try:
        with pytest.raises(QueryRefused):
            run_query(con, _sql(template, db.parent), max_rows=10, timeout_seconds=5)
    finally:
        con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "WITH x AS (SELECT 2 AS n) SELECT n FROM x",
        "FROM runs",
        "VALUES (1), (2)",
        "DESCRIBE runs",
        "SUMMARIZE runs",
        "SELECT * FROM range(3)",
        "SELECT table_name FROM duckdb_tables() ORDER BY 1",
        "SELECT * FROM json_each('{\"a\": 1}')",
        "SELECT upper(source), currval('run_ids') FROM runs",
        "(SELECT 1) UNION ALL (SELECT 2)",
    ],
)
def test_read_only_queries_run(db: Path, sql: str) -> None:
    with Store(db) as store:
        result = run_query(store.connection, sql, max_rows=100, timeout_seconds=5)
    assert result.columns
    assert not result.truncated


def test_row_cap_reports_truncation(db: Path) -> None:
    con = connect_readonly(db)
    try:
        result = run_query(con, "SELECT * FROM range(25)", max_rows=10, timeout_seconds=5)
        assert (len(result.rows), result.truncated) == (10, True)
        exact = run_query(con, "SELECT * FROM range(10)", max_rows=10, timeout_seconds=5)
        assert (len(exact.rows), exact.truncated) == (10, False)
    finally:
        con.close()


def test_timeout_interrupts_only_its_own_query(db: Path) -> None:
    with Store(db) as store:
        con = store.connection
        errors: list[str] = []

        def slow() -> None:
            try:
                run_query(
                    con,
                    "SELECT count(*) FROM range(100000000000) a",
                    max_rows=1,
                    timeout_seconds=0.5,
                )
            except QueryRefused as exc:
                errors.append(str(exc))

        thread = threading.Thread(target=slow)
        started = time.monotonic()
        thread.start()
        answers = []
        while thread.is_alive():  # another cursor keeps answering meanwhile
            answers.append(run_query(con, "SELECT 1", max_rows=1, timeout_seconds=5).rows)
            time.sleep(0.05)
        thread.join()
        assert errors == ["query exceeded the 0.5 s timeout"]
        assert time.monotonic() - started < 5
        assert len(answers) >= 3 and all(a == [(1,)] for a in answers)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_readonly_connection_has_configuration_locked(db: Path) -> None:
    con = connect_readonly(db)
    try:
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()


def test_overlong_query_is_refused() -> None:
    with pytest.raises(QueryRefused, match="longer than"):
        check_query("SELECT " + "1 + " * 40_000 + "1")
