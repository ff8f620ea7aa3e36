"""Steward's one error tree.

StewardError
├── ConfigError          steward.yaml (or another config file) is invalid; names file:line and field
├── StoreError           the DuckDB file cannot be used (e.g. its schema is newer than this code)
├── SourceError          a source failed as a whole (its previous snapshot stays)
├── CatalogError         catalog data is invalid (file:line, entity, field)
│   └── YamlError        a YAML document could not be read
├── UnknownEntityError   a ref that names no entity (carries close-name suggestions)
└── QueryRefused         a SQL statement that is not a read-only query
"""

from __future__ import annotations


class StewardError(Exception):
    """Base of every error Steward raises on purpose."""


class ConfigError(StewardError):
    pass


class StoreError(StewardError):
    pass


class SourceError(StewardError):
    pass


class CatalogError(StewardError):
    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


class YamlError(CatalogError):
    pass


class UnknownEntityError(StewardError):
    def __init__(self, ref: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown entity {ref}{hint}")
        self.ref = ref
        self.suggestions = suggestions


class QueryRefused(StewardError):
    pass
