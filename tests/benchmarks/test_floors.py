"""The floors run as their own processes against real stand-ins (no timings asserted)."""

from __future__ import annotations

from benchmarks import floors
from standins.aws import FakeTaggingApi, generate_resources

EAST, WEST = "us-east-1", "eu-west-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "steward-test", "AWS_SECRET_ACCESS_KEY": "steward-test"}


def test_aws_listing_floor_pages_through_every_region_of_the_stand_in() -> None:
    data = {EAST: generate_resources(230, EAST), WEST: generate_resources(75, WEST, start=500)}
    with FakeTaggingApi(data) as api:
        floor = floors.aws_listing(api.endpoint_url, [EAST, WEST], CREDENTIALS)
        requests = api.requests
    assert floor["resources"] == 305
    assert floor["pages"] == 3 + 1 == requests
    assert floor["regions"] == 2
    assert isinstance(floor["process_s"], float) and isinstance(floor["cpu_s"], float)
