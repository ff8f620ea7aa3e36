"""Repositories: discovery (local checkouts), their HEAD, catalog files and CODEOWNERS."""

from ingest.repositories.config import CodeownersConfig
from ingest.repositories.source import CodeownersSource

__all__ = ["CodeownersConfig", "CodeownersSource"]
