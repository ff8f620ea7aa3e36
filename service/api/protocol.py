"""What the API needs from the service layer (``service.steward_service.StewardService``).

Typed as a Protocol so the API and its tests depend on behaviour, not on one class: the
real service, or a small stand-in over a test database, both fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import duckdb

from graph import CatalogGraph
from service.config import StewardConfig


class ServiceLike(Protocol):
    @property
    def config(self) -> StewardConfig: ...

    def reader(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A cursor of its own on the live database; never waits for a running ingest."""
        ...

    def graph(self) -> CatalogGraph: ...

    def trigger(self, source: str) -> Any:
        """Ask the source's scheduler job to run now (never overlapping a running one)."""
        ...

    def schedules(self) -> Sequence[Any]: ...
