"""The last good listing of each account/region, kept in the source's state directory.

When one region fails, its resources would otherwise vanish from the new snapshot (and their
gaps close, only to reopen on the next good run); re-emitting the last good listing keeps the
snapshot whole and the failure visible in the report.

One ``ingest.state`` file per listing holds its bytes (``listing_bytes``, the same bytes the
source hashes for its fingerprint: ~10x faster to write and read than pickling 100,000 dicts);
a listing saved by an earlier version as one ``marshal.dumps`` of the list is still read. And a
small index holds each listing's digest, so a listing equal to the saved one is not written
again (writing two 100,000-resource listings on every run cost 4.5 s).
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.aws_tags.listing_bytes import pack_page, unpack
from ingest.state import load_state, save_state

VERSION = 2
"""Of the index, and of a listing saved as one ``marshal.dumps`` of the list."""
LISTING_VERSION = 3
"""Of a listing saved as ``listing_bytes``."""


@dataclass(frozen=True)
class Saved:
    digest: str
    fetched_at: str


class LastGood:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "last_good"
        self._index_path = self.dir / "index.pickle"
        loaded = load_state(self._index_path, version=VERSION)
        self.index: dict[str, Saved] = loaded if isinstance(loaded, dict) else {}
        self._dirty = False

    def _path(self, key: str) -> Path:
        return self.dir / f"{key}.pickle"

    def digest(self, key: str) -> str | None:
        """The digest of the saved listing of ``key``, if any."""
        saved = self.index.get(key)
        return saved.digest if saved is not None else None

    def save(self, key: str, blob: bytes, digest: str) -> None:
        """Keep ``blob`` (``listing_bytes``) unless it is the one saved."""
        if self.digest(key) == digest:
            return
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        save_state(self._path(key), blob, version=LISTING_VERSION, key=f"{key}:{digest}")
        self.index[key] = Saved(digest, fetched_at)
        self._dirty = True

    def flush(self) -> None:
        """Write the index if a listing was saved (after the listings themselves)."""
        if self._dirty:
            save_state(self._index_path, self.index, version=VERSION)
            self._dirty = False

    def load(self, key: str) -> tuple[str, bytes, int, str] | None:
        """(fetched_at, listing bytes, number of items, digest), or None when there is no
        readable earlier listing."""
        saved = self.index.get(key)
        if saved is None:
            return None
        state_key = f"{key}:{saved.digest}"
        blob = load_state(self._path(key), version=LISTING_VERSION, key=state_key)
        if isinstance(blob, bytes):
            try:
                return saved.fetched_at, blob, len(unpack(blob)), saved.digest
            except ValueError:
                return None
        old = load_state(self._path(key), version=VERSION, key=state_key)
        try:
            items = marshal.loads(old) if isinstance(old, bytes) else None
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(items, list):
            return None
        blob = pack_page(items)  # saved by an earlier version: the same items, as pages now
        return saved.fetched_at, blob, len(items), hashlib.sha256(blob).hexdigest()
