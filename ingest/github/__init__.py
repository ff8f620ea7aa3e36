"""Repositories of a GitHub organisation through the REST API (the ``github`` source).

The config model is imported eagerly (validating ``steward.yaml`` needs it); the source and its
HTTP client only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.github.config import GithubConfig

if TYPE_CHECKING:
    from ingest.github.source import GithubSource

_LAZY = {"GithubSource": "ingest.github.source"}


def __getattr__(name: str) -> Any:
    from ingest.lazy import lazy_attribute

    return lazy_attribute(__name__, _LAZY, name)


__all__ = ["GithubConfig", "GithubSource"]
