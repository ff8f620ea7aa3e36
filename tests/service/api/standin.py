"""A small service over a real Store, for API tests until/unless the real service is needed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from catalog.store import Store
from graph import CatalogGraph, build_graph
from service.config import StewardConfig


class StoreService:
    def __init__(self, config: StewardConfig) -> None:
        self.config = config
        self.store = Store(config.database)
        self.triggered: list[str] = []

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cursor = self.store.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def graph(self) -> CatalogGraph:
        with self.reader() as cur:
            return build_graph(cur)

    def trigger(self, source: str) -> Any:
        self.triggered.append(source)
        return {"source": source}

    def schedules(self) -> list[Any]:
        return []

    def close(self) -> None:
        self.store.close()
