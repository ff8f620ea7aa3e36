"""The last good listing of each account/region, kept in the source's state directory.

When one region fails, its resources would otherwise vanish from the new snapshot (and their
gaps close, only to reopen on the next good run); re-emitting the last good listing keeps the
snapshot whole and the failure visible in the report. One ``ingest.state`` file per listing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.state import load_state, save_state

VERSION = 1

Listing = list[dict[str, Any]]
"""``ResourceTagMappingList`` items as the API returned them."""


class LastGood:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "last_good"

    def _path(self, key: str) -> Path:
        return self.dir / f"{key}.pickle"

    def save(self, key: str, listing: Listing) -> None:
        doc = {"fetched_at": datetime.now(UTC).isoformat(timespec="seconds"), "items": listing}
        save_state(self._path(key), doc, version=VERSION, key=key)

    def load(self, key: str) -> tuple[str, Listing] | None:
        """(fetched_at, items), or None when there is no readable earlier listing."""
        doc = load_state(self._path(key), version=VERSION, key=key)
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            return None
        return str(doc.get("fetched_at")), doc["items"]
