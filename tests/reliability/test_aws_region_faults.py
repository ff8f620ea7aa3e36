"""AWS faults through the whole pipeline (issue 15): one region throttled for good, one region
answering errors, and a second account's endpoint unreachable. Each is recorded in ingest_runs
with its reason; the healthy region's fresh listing, the failing regions' last good listings, the
unreachable source's previous snapshot and the other sources' data all stay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import load_config
from service.steward_service import StewardService
from standins.aws import FakeTaggingApi, generate_resources

pytestmark = pytest.mark.reliability

EAST, WEST, SOUTH = "us-east-1", "eu-west-1", "ap-south-1"
COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


class RegionFaults(FakeTaggingApi):
    """The stand-in, plus regions that are throttled on every request."""

    def __init__(self, resources: dict[str, list[Any]]) -> None:
        super().__init__(resources)
        self.throttle_regions: set[str] = set()

    def answer(self, headers: Any, body: bytes) -> tuple[int, bytes]:
        if any(
            f"/{region}/" in (headers.get("Authorization") or "")
            for region in self.throttle_regions
        ):
            return self._error(400, "ThrottlingException", "Rate exceeded")
        return super().answer(headers, body)


@pytest.fixture()
def setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[StewardService, RegionFaults, FakeTaggingApi]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    (tmp_path / "repos" / "a").mkdir(parents=True)
    (tmp_path / "repos" / "a" / "catalog-info.yaml").write_text(COMPONENT)
    # names far apart: a bucket's ARN has no region in it, so one name in two regions is one
    # resource
    main = RegionFaults(
        {
            EAST: generate_resources(30, EAST),
            WEST: generate_resources(20, WEST, start=100),
            SOUTH: generate_resources(10, SOUTH, start=200),
        }
    )
    other = FakeTaggingApi({EAST: generate_resources(5, EAST, start=300)})
    common = "retry_mode: standard, max_attempts: 2, page_size: 10"
    with main, other:
        (tmp_path / "steward.yaml").write_text(
            "database: ./s.duckdb\nallowed_hosts: [127.0.0.1]\nsources:\n"
            "  catalog: {type: catalog_files, roots: [./repos]}\n"
            f"  aws: {{type: aws_tags, regions: [{EAST}, {WEST}, {SOUTH}], "
            f"endpoint_url: '{main.endpoint_url}', {common}}}\n"
            f"  aws_other: {{type: aws_tags, regions: [{EAST}], "
            f"endpoint_url: '{other.endpoint_url}', {common}}}\n"
        )
        with StewardService(load_config(tmp_path / "steward.yaml")) as service:
            yield service, main, other


def resources(service: StewardService) -> dict[tuple[str, str], int]:
    with service.reader() as cur:
        rows = cur.execute(
            "SELECT source, region, count(*) FROM cloud_resources GROUP BY ALL"
        ).fetchall()
    return {(str(s), str(r)): int(n) for s, r, n in rows}


def test_throttled_and_failing_regions_and_an_unreachable_endpoint(
    setup: tuple[StewardService, RegionFaults, FakeTaggingApi],
) -> None:
    service, main, other = setup
    first = service.run_pipeline()
    assert first.ok, [o.message for o in first.outcomes]
    before = resources(service)
    assert before == {
        ("aws", EAST): 30,
        ("aws", WEST): 20,
        ("aws", SOUTH): 10,
        ("aws_other", EAST): 5,
    }

    main.resources[EAST] = generate_resources(33, EAST)  # the healthy region changed meanwhile
    main.throttle_regions = {WEST}
    main.fail_regions = {SOUTH}
    other.close()  # nothing listens there any more
    second = service.run_pipeline()
    outcomes = {o.source: o for o in second.outcomes}

    assert outcomes["catalog"].status == "unchanged"
    aws = outcomes["aws"]
    assert aws.status == "ok", (
        aws.message,
        aws.report.errors,
    )  # a region failing is not the source failing
    errors = " | ".join(aws.report.errors)
    assert f"region {WEST}" in errors and "ThrottlingException" in errors
    assert f"region {SOUTH}" in errors and "InternalServiceException" in errors
    assert outcomes["aws_other"].status == "failed"

    with service.reader() as cur:
        stored = {
            str(source): (str(status), int(errors), message)
            for source, status, errors, message in cur.execute(
                "SELECT source, status, error_count, message FROM ingest_runs "
                "QUALIFY row_number() OVER (PARTITION BY source ORDER BY run_id DESC) = 1"
            ).fetchall()
        }
    assert stored["aws"][:2] == ("ok", 2)
    assert "ThrottlingException" in (stored["aws"][2] or "")
    assert "InternalServiceException" in (stored["aws"][2] or "")
    status, _, message = stored["aws_other"]
    assert status == "failed" and message is not None
    assert "every account/region failed" in message and "Could not connect" in message
    # fresh data from the healthy region, last good listings for the others, the old snapshot
    # of the unreachable source
    assert resources(service) == {
        ("aws", EAST): 33,
        ("aws", WEST): 20,
        ("aws", SOUTH): 10,
        ("aws_other", EAST): 5,
    }
