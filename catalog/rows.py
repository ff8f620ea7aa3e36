"""Query results as dictionaries (column name → value), for readers that hand rows on as JSON."""

from __future__ import annotations

from typing import Any

import duckdb


def dict_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The remaining rows of an executed query, each as ``{column: value}``."""
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
