"""The DuckDB store: migrations, snapshot loading, one writer and many reader cursors
(``store.py``), the published read-only snapshot, history retention and read-only queries."""

from catalog.store.readonly import QueryResult, run_readonly_query
from catalog.store.store import SCHEMA_VERSION, Columns, Store

__all__ = ["SCHEMA_VERSION", "Columns", "QueryResult", "Store", "run_readonly_query"]
