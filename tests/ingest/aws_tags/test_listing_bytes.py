"""A listing packed page by page comes back whole, and a damaged one is refused, not misread."""

from __future__ import annotations

import marshal
import struct

import pytest

from ingest.aws_tags.listing_bytes import pack_page, unpack
from standins.aws import generate_resources

EAST = "us-east-1"


def test_pages_come_back_as_one_listing_in_order() -> None:
    items = generate_resources(25, EAST)
    blob = b"".join(pack_page(items[i : i + 10]) for i in range(0, 25, 10))
    assert unpack(blob) == items
    assert unpack(b"") == []


@pytest.mark.parametrize("cut", [2, 7, -1])
def test_bytes_cut_short_are_refused(cut: int) -> None:
    blob = pack_page(generate_resources(3, EAST)) + pack_page(generate_resources(2, EAST))
    with pytest.raises(ValueError, match="cut short"):
        unpack(blob[:cut])


def test_a_frame_that_holds_no_page_is_refused() -> None:
    data = marshal.dumps({"not": "a page"})
    with pytest.raises(ValueError, match="no page of items"):
        unpack(struct.pack("<I", len(data)) + data)
