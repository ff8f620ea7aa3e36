"""Per-file parse cache kept in the source's state directory (never in the database).

Keyed by real path; an entry is reused only when the file's sha256 is unchanged. The last
result that passed the read stage is kept too, so a file that breaks keeps its last good
entities (as Backstage keeps a failing location's previous entities).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from catalog.model import FileResult

CACHE_VERSION = 1


@dataclass
class CachedFile:
    sha256: str
    result: FileResult
    last_good: FileResult | None


class FileCache:
    def __init__(self, path: Path, settings_key: str) -> None:
        self.path = path
        self.settings_key = settings_key
        self.entries: dict[str, CachedFile] = {}

    @classmethod
    def load(cls, path: Path, settings_key: str) -> FileCache:
        cache = cls(path, settings_key)
        try:
            with path.open("rb") as fh:
                version, key, entries = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return cache  # no cache or an unreadable one: everything is parsed again
        if version == CACHE_VERSION and key == settings_key:
            cache.entries = entries
        return cache

    def save(self, live: set[str]) -> None:
        """Write the cache, dropping files that no longer exist."""
        self.entries = {k: v for k, v in self.entries.items() if k in live}
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump((CACHE_VERSION, self.settings_key, self.entries), fh, protocol=5)
        tmp.replace(self.path)
