"""Repositories of a GitHub organisation through the REST API (the ``github`` source)."""

from ingest.github.config import GithubConfig
from ingest.github.source import GithubSource

__all__ = ["GithubConfig", "GithubSource"]
