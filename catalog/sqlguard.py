"""The one guard for SQL that people write: ``POST /api/v1/sql``, ``steward sql`` and scorecard
``sql`` checks all go through it.

A query is accepted when DuckDB's own parser says it is exactly one SELECT statement (``WITH``,
``FROM t``, ``VALUES``, ``DESCRIBE``/``SUMMARIZE`` included) and its parse tree calls no function
that reads outside the database, runs SQL from a string or changes state:

* table functions are allowed from a short list (``range``, ``unnest``, ``json_each``,
  ``duckdb_tables()``, ...); ``read_csv``, ``read_text``, ``glob``, ``query``, ``checkpoint``,
  ``enable_logging`` and every other one are refused by name;
* scalar functions with side effects (``nextval``, ``setval``, ``setseed``, ``write_log``) are
  refused;
* a statement hidden inside the SELECT — DuckDB parses ``WITH x AS (DELETE FROM t RETURNING *)
  SELECT * FROM x`` as a SELECT whose CTE deletes — is refused: every query node of the tree must
  be a SELECT, set operation or CTE node.

Beneath that, the connection itself has ``enable_external_access=false`` (files, URLs, extension
installs) and, where the guard opens it, ``lock_configuration=true`` and ``read_only``; and the
query runs inside a transaction that is always rolled back, so on the service's read-write
database a write that slipped past the parser would still never be kept. A query runs with a
timeout that interrupts only its own cursor and a row cap that reports ``truncated``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from catalog.errors import QueryRefused, StoreError

MAX_SQL_CHARS = 100_000

ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "unnest",
        "repeat",
        "json_each",
        "json_tree",
        "duckdb_columns",
        "duckdb_constraints",
        "duckdb_functions",
        "duckdb_indexes",
        "duckdb_keywords",
        "duckdb_schemas",
        "duckdb_tables",
        "duckdb_types",
        "duckdb_views",
        "pragma_table_info",
        "pragma_show",
        "pragma_version",
        "summary",
        "pg_timezone_names",
        "icu_calendar_names",
    }
)
REFUSED_SCALAR_FUNCTIONS = frozenset({"nextval", "setval", "setseed", "write_log"})
READ_QUERY_NODES = frozenset(
    {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"}
)
"""Query node types of a read (``json_serialize_sql``); ``DELETE_QUERY_NODE`` and such are not."""

_PARSER: duckdb.DuckDBPyConnection | None = None
"""Parses only (json_serialize_sql); holds no data. Opened on the first check, not at import:
every command that imports the store would otherwise pay ~25 ms for it (`steward scorecard
run`, `steward ingest`) without checking a query."""
_PARSER_LOCK = threading.Lock()


def _parser() -> duckdb.DuckDBPyConnection:
    global _PARSER
    with _PARSER_LOCK:
        if _PARSER is None:
            _PARSER = duckdb.connect(":memory:", config={"enable_external_access": False})
        return _PARSER


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


def check_query(sql: str) -> None:
    """Raise :class:`QueryRefused` unless ``sql`` is one read-only SELECT."""
    if len(sql) > MAX_SQL_CHARS:
        raise QueryRefused(f"query is longer than {MAX_SQL_CHARS} characters")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot parse query: {_message(exc)}") from exc
    if len(statements) != 1:
        raise QueryRefused(f"exactly one statement is allowed, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryRefused(
            f"only read-only SELECT queries are allowed; this is a {kind.name} statement"
        )
    _check_functions(_parse_tree(sql))


def _parse_tree(sql: str) -> Any:
    cursor = _parser().cursor()  # a cursor per call: connections are not shared across threads
    try:
        row = cursor.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchone()
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot parse query: {_message(exc)}") from exc
    finally:
        cursor.close()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise QueryRefused(f"cannot parse query: {tree.get('error_message', 'not a SELECT')}")
    return tree


def _check_functions(tree: Any) -> None:
    for node_type in _query_nodes(tree):
        if node_type not in READ_QUERY_NODES:
            what = node_type.removesuffix("_QUERY_NODE").removesuffix("_NODE")
            raise QueryRefused(
                f"only read-only SELECT queries are allowed; this one holds a {what} statement"
            )
    for kind, name in _functions(tree):
        if kind == "table" and name not in ALLOWED_TABLE_FUNCTIONS:
            raise QueryRefused(
                f"table function {name}() is not allowed: queries read Steward's views only"
            )
        if name in REFUSED_SCALAR_FUNCTIONS:
            raise QueryRefused(f"function {name}() changes state and is not allowed")


def _functions(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
            yield "table", str(node["function"].get("function_name", "")).lower()
        elif node.get("class") == "FUNCTION" and "function_name" in node:
            yield "scalar", str(node["function_name"]).lower()
        for value in node.values():
            yield from _functions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _functions(value)


def _query_nodes(node: Any) -> Iterator[str]:
    """The type of every query node (``SELECT_NODE``, ``DELETE_QUERY_NODE``, ...) in the tree."""
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str) and kind.endswith("_NODE"):
            yield kind
        for value in node.values():
            yield from _query_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _query_nodes(value)


def _message(exc: Exception) -> str:
    """DuckDB's message (with its ``LINE 1: ...`` pointer), or the error's type."""
    return str(exc).strip() or type(exc).__name__


def connect_readonly(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with no file access and its configuration locked."""
    if not db_path.exists():
        raise StoreError(f"no database at {db_path}; run 'steward ingest' first")
    try:
        return duckdb.connect(
            str(db_path),
            read_only=True,
            config={"enable_external_access": False, "lock_configuration": True},
        )
    except duckdb.Error as exc:
        raise StoreError(f"cannot open database {db_path} read-only: {exc}") from exc


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_seconds: float
) -> QueryResult:
    """Check ``sql`` and run it on a cursor of its own, interrupted after ``timeout_seconds``
    (other cursors of ``con`` keep running)."""
    check_query(sql)
    cursor = con.cursor()
    try:
        return _execute(cursor, sql, max_rows=max_rows, timeout_seconds=timeout_seconds)
    finally:
        cursor.close()


def _execute(
    cursor: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_seconds: float
) -> QueryResult:
    timed_out = threading.Event()

    def interrupt() -> None:
        timed_out.set()
        cursor.interrupt()

    timer = threading.Timer(timeout_seconds, interrupt)
    timer.start()
    cursor.execute("BEGIN TRANSACTION")  # rolled back below: nothing the query did is kept
    try:
        result = cursor.execute(sql)
        rows = result.fetchmany(max_rows + 1)
        columns = [d[0] for d in result.description or []]
    except duckdb.Error as exc:
        if timed_out.is_set() or isinstance(exc, duckdb.InterruptException):
            raise QueryRefused(f"query exceeded the {timeout_seconds:g} s timeout") from exc
        raise QueryRefused(f"query failed: {_message(exc)}") from exc
    finally:
        timer.cancel()
        _rollback(cursor)
    return QueryResult(columns=columns, rows=rows[:max_rows], truncated=len(rows) > max_rows)


def _rollback(cursor: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # an interrupted query may have ended it already
        cursor.execute("ROLLBACK")
