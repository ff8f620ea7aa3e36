"""A listing as bytes: each page's ``marshal`` bytes behind its length.

The listing child packs every page as soon as it is read and keeps only the bytes: holding a
region's 100,000 resources as dicts until the end cost ~150 MiB in each child, which in
``steward serve`` sat beside the writer's and the API's memory. The parent hashes the bytes as
they are (a byte difference only costs one more build of the records) and unpacks them only
when the listing changed. Pages are marshalled one by one, so a string repeated across pages is
stored once per page (a few percent more bytes than one ``marshal.dumps`` of the whole list).
"""

from __future__ import annotations

import marshal
import struct
from typing import Any

_LENGTH = struct.Struct("<I")

Listing = list[dict[str, Any]]
"""``ResourceTagMappingList`` items as the API returned them."""


def pack_page(items: Listing) -> bytes:
    """One page's frame: its length, then its ``marshal`` bytes."""
    data = marshal.dumps(items)
    return _LENGTH.pack(len(data)) + data


def unpack(blob: bytes) -> Listing:
    """Every item of every page, in order; ``ValueError`` when ``blob`` is not whole."""
    items: Listing = []
    view = memoryview(blob)
    offset = 0
    while offset < len(view):
        if offset + _LENGTH.size > len(view):
            raise ValueError(f"listing bytes cut short at byte {offset}")
        (length,) = _LENGTH.unpack_from(view, offset)
        offset += _LENGTH.size
        if offset + length > len(view):
            raise ValueError(f"listing bytes cut short at byte {offset}")
        try:
            page = marshal.loads(view[offset : offset + length])
        except (EOFError, TypeError) as exc:
            raise ValueError(f"listing bytes unreadable at byte {offset}: {exc}") from None
        if not isinstance(page, list):
            raise ValueError(f"listing bytes at byte {offset} hold no page of items")
        items.extend(page)
        offset += length
    return items
