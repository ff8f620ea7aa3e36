"""From a resource's tags to catalog refs: which tag names the owner, which the component."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from catalog.refs import EntityRefError, canonical_target


class TagRef(NamedTuple):
    key: str  # the tag key as written on the resource
    value: str
    ref: str | None  # None when the value is not a valid entity ref


class TagKeys:
    """Tag keys of one meaning (owner or component) in order of preference, case-insensitive."""

    def __init__(self, keys: Sequence[str], *, default_kind: str, namespace: str) -> None:
        self.keys = [k.lower() for k in keys]
        self.default_kind = default_kind
        self.namespace = namespace

    def find(self, tags: dict[str, str], by_key: dict[str, str]) -> TagRef | None:
        """The first configured key present with a non-blank value, parsed as an entity ref.

        ``by_key`` maps each lowercased tag key of the resource to the key as written.
        """
        for wanted in self.keys:
            key = by_key.get(wanted)
            if key is None:
                continue
            value = tags[key].strip()
            if not value:
                continue
            try:
                ref = canonical_target(value, self.default_kind, self.namespace)
            except EntityRefError:
                ref = None
            return TagRef(key, tags[key], ref)
        return None
