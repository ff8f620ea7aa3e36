"""Per-file parse cache kept in the source's state directory (never in the database).

Two files: a small *index* (sha256 of each file and the files its Location entities led to),
read on every run so that an unchanged tree is recognised without unpickling any entity, and
the *results* (parsed files), read only when something changed. An entry is reused only when
the file's sha256 is unchanged. The last result that passed the read stage is kept too, so a
file that breaks keeps its last good entities (as Backstage keeps a failing location's
previous entities).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.model import FileResult

CACHE_VERSION = 2


@dataclass
class CachedFile:
    sha256: str
    result: FileResult
    last_good: FileResult | None


@dataclass
class IndexEntry:
    sha256: str
    targets: list[str] = field(default_factory=list)
    """Real paths of the files this file's Location entities point at."""


def _load(path: Path, settings_key: str) -> Any:
    try:
        with path.open("rb") as fh:
            version, key, payload = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None  # no cache or an unreadable one: everything is parsed again
    return payload if version == CACHE_VERSION and key == settings_key else None


def _dump(path: Path, settings_key: str, payload: object) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump((CACHE_VERSION, settings_key, payload), fh, protocol=5)
    tmp.replace(path)


class FileCache:
    def __init__(self, state_dir: Path, settings_key: str) -> None:
        self._index_path = state_dir / "index.pickle"
        self._results_path = state_dir / "results.pickle"
        self.settings_key = settings_key
        self.index: dict[str, IndexEntry] = _load(self._index_path, settings_key) or {}
        self._entries: dict[str, CachedFile] | None = None

    @property
    def entries(self) -> dict[str, CachedFile]:
        if self._entries is None:
            self._entries = _load(self._results_path, self.settings_key) or {}
        return self._entries

    def save(self, index: dict[str, IndexEntry]) -> None:
        """Write index and results, dropping files that are no longer part of the tree."""
        self.index = index
        self._entries = {k: v for k, v in self.entries.items() if k in index}
        _dump(self._results_path, self.settings_key, self._entries)
        _dump(self._index_path, self.settings_key, index)
