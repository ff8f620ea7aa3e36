"""What the ``github`` source keeps between runs in its state directory.

- ``ResponseCache``: the ETag and body of every response that had one, one file per request, so
  the next run can ask ``If-None-Match`` and reuse the body on a 304 (which GitHub does not count
  against the rate limit). Entries no request used in a complete run are pruned.
- ``ScanCache``: each repository's scan keyed by its HEAD sha, so a repository whose HEAD did
  not move is not read again, and file contents keyed by git blob sha, so a changed repository
  only fetches the files that changed.

Both are ``ingest.state`` files: one that cannot be read (missing, corrupt, written by another
version) is simply empty.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.state import load_state, save_state

CACHE_VERSION = 2


@dataclass(frozen=True)
class CachedResponse:
    etag: str
    body: bytes


class ResponseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._touched: set[str] = set()

    def _file(self, key: str) -> Path:
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + ".pickle")

    def get(self, key: str) -> CachedResponse | None:
        path = self._file(key)
        self._touched.add(path.name)
        loaded = load_state(path, version=CACHE_VERSION, key=key)
        if (
            isinstance(loaded, tuple)
            and len(loaded) == 2
            and isinstance(loaded[0], str)
            and isinstance(loaded[1], bytes)
        ):
            return CachedResponse(loaded[0], loaded[1])
        return None

    def put(self, key: str, etag: str, body: bytes) -> None:
        path = self._file(key)
        self._touched.add(path.name)
        save_state(path, (etag, body), version=CACHE_VERSION, key=key)

    def prune(self) -> int:
        """Remove the entries no request of this run used; returns how many."""
        removed = 0
        for path in self.directory.glob("*.pickle"):
            if path.name not in self._touched:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


class ScanCache:
    """``{repo: (head_sha, scan)}`` and ``{blob_sha: bytes}``, valid for one settings key."""

    def __init__(self, path: Path, settings: str) -> None:
        self.path = path
        self.settings = settings
        loaded = load_state(path, version=CACHE_VERSION, key=settings)
        self.scans: dict[str, tuple[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}
        if isinstance(loaded, tuple) and len(loaded) == 2:
            self.scans, self.blobs = loaded

    def save(self, scans: dict[str, tuple[str, Any]], blobs: dict[str, bytes]) -> None:
        save_state(self.path, (scans, blobs), version=CACHE_VERSION, key=self.settings)
