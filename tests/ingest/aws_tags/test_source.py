"""End to end against a real moto server: boto3 → the real runner → a real DuckDB file.

The example organisation's catalog is ingested too, so that the gap views have entities to join.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from catalog.store import Store
from ingest.aws_tags import AwsTagsConfig, AwsTagsSource
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import RunOutcome, run_source
from tests.ingest.aws_tags.conftest import CATALOG_ROOTS

EAST, WEST = "us-east-1", "eu-west-1"


class Env:
    def __init__(self, tmp: Path, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.state = tmp / "state"
        self.store = Store(tmp / "steward.duckdb")
        catalog = CatalogFilesConfig(type="catalog_files", roots=CATALOG_ROOTS)
        outcome = run_source(
            self.store, "catalog", CatalogFilesSource(catalog), state_dir=self.state
        )
        assert outcome.status == "ok"

    def ingest(self, **config: Any) -> RunOutcome:
        settings: dict[str, Any] = {
            "regions": [EAST, WEST],
            "endpoint_url": self.endpoint_url,
            "page_size": 5,
            "max_attempts": 2,
        }
        settings.update(config)
        source = AwsTagsSource(AwsTagsConfig(type="aws_tags", **settings))
        outcome = run_source(self.store, "aws", source, state_dir=self.state)
        self.store.refresh_gaps()  # as the pipeline does after its sources
        return outcome

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.store.connection.execute(sql).fetchall()

    def one(self, sql: str) -> tuple[Any, ...]:
        rows = self.rows(sql)
        assert len(rows) == 1, rows
        return rows[0]


@pytest.fixture()
def env(tmp_path: Path, moto_server: tuple[Any, str]) -> Iterator[Env]:
    e = Env(tmp_path, moto_server[1])
    yield e
    e.store.close()


def test_resources_of_six_types_in_two_regions_over_several_pages(env: Env) -> None:
    outcome = env.ingest()
    assert outcome.status == "ok", outcome.message
    assert outcome.report.errors == []
    counts = outcome.report.counts
    # 23 + 6 S3 buckets listed in us-east-1, 11 + the same 6 buckets in eu-west-1, 5 a page
    assert counts["pages"] >= 10
    assert counts["resources"] == 40
    assert env.rows(
        "SELECT service, resource_type, count(*) FROM cloud_resources GROUP BY ALL ORDER BY ALL"
    ) == [
        ("dynamodb", "table", 6),
        ("ec2", "instance", 11),
        ("lambda", "function", 7),
        ("rds", "db", 5),
        ("s3", "bucket", 6),
        ("sqs", "queue", 5),
    ]
    assert env.one(
        "SELECT arn, account, region, resource_id, owner_ref, component_ref, owner_tag, "
        "component_tag, tags->>'env', source, last_seen IS NOT NULL "
        "FROM cloud_resources WHERE resource_id = 'payments-db'"
    ) == (
        "arn:aws:rds:us-east-1:123456789012:db:payments-db",
        "123456789012",
        EAST,
        "payments-db",
        "group:default/team-payments",
        "resource:default/payments-db",
        "team",
        "component",
        "prod",
        "aws",
        True,
    )
    # an S3 ARN has no region or account; moto lists every bucket in every region
    assert env.one(
        "SELECT account, region, owner_ref FROM cloud_resources "
        "WHERE arn = 'arn:aws:s3:::acme-fraud-models'"
    ) == (None, None, "group:default/team-fraud")
    # tag keys match case-insensitively; the key is kept as written
    assert env.one(
        "SELECT owner_ref, component_ref, owner_tag, component_tag FROM cloud_resources "
        "WHERE tags->>'Name' = 'api-gateway-1'"
    ) == ("group:default/team-platform", "component:default/api-gateway", "Team", "Service")
    # backstage.io/* keys come first and may hold full refs
    assert env.one(
        "SELECT owner_ref, owner_tag FROM cloud_resources WHERE resource_id = 'product-catalog-db'"
    ) == ("group:default/team-catalog", "backstage.io/owner")
    assert env.one(
        "SELECT owner_ref FROM cloud_resources WHERE resource_id = 'payments-webhook-retry'"
    ) == ("user:default/jane.doe",)


def test_infra_claims_reach_ownership_views(env: Env) -> None:
    assert env.ingest().status == "ok"
    claims = env.rows(
        "SELECT subject, owner, owner_raw, evidence FROM ownership_claims "
        "WHERE role = 'infra' AND source = 'aws' ORDER BY evidence"
    )
    assert len(claims) == 40 - 4 - 1  # untagged and the team-only queue make no claim
    assert (
        "component:default/payments-api",
        "group:default/team-payments",
        "team-payments",
        claims[[c[0] for c in claims].index("component:default/payments-api")][3],
    ) in claims
    assert all("#" in evidence and evidence.startswith("arn:aws:") for *_, evidence in claims)
    assert (
        "resource:default/payments-db",
        "group:default/team-payments",
        "team-payments",
        "arn:aws:rds:us-east-1:123456789012:db:payments-db#team",
    ) in claims
    conflicts = env.rows(
        "SELECT subject, resolved_owner, claimed_owners FROM ownership_conflicts "
        "WHERE role = 'infra' ORDER BY subject"
    )
    assert conflicts == [
        (
            "component:default/orders-service",
            "group:default/team-checkout",
            ["group:default/team-payments"],
        ),
    ]


def test_cloud_gaps(env: Env) -> None:
    assert env.ingest().status == "ok"
    gaps = env.rows("SELECT subject, gap, detail, evidence FROM _gaps_cloud ORDER BY gap, subject")
    by_gap: dict[str, list[tuple[Any, ...]]] = {}
    for row in gaps:
        by_gap.setdefault(row[1], []).append(row)
    assert sorted(by_gap) == [
        "cloud_owner_differs",
        "cloud_unknown_component",
        "cloud_unknown_owner",
        "untagged_resource",
    ]
    untagged = by_gap["untagged_resource"]
    assert len(untagged) == 4
    subjects = {row[0] for row in untagged}
    assert "arn:aws:s3:::acme-tmp-exports" in subjects
    assert "arn:aws:lambda:eu-west-1:123456789012:function:old-cron-eu" in subjects
    assert "arn:aws:dynamodb:eu-west-1:123456789012:table/experiments-eu" in subjects
    assert all(row[0] == row[3] for row in untagged)
    assert by_gap["cloud_unknown_owner"] == [
        (
            "arn:aws:sqs:us-east-1:123456789012:scratch-queue",
            "cloud_unknown_owner",
            "tag team names group:default/team-nonexistent, which is not a known Group or User",
            "arn:aws:sqs:us-east-1:123456789012:scratch-queue#team",
        )
    ]
    assert by_gap["cloud_unknown_component"] == [
        (
            "arn:aws:lambda:us-east-1:123456789012:function:checkout-legacy-callback",
            "cloud_unknown_component",
            "tag service names component:default/checkout-legacy-api, which is not in the catalog",
            "arn:aws:lambda:us-east-1:123456789012:function:checkout-legacy-callback#service",
        )
    ]
    # jane.doe (a user tag on a payments-webhook-dispatcher lambda) is in team-payments: no gap
    assert by_gap["cloud_owner_differs"] == [
        (
            "component:default/orders-service",
            "cloud_owner_differs",
            "catalog owner group:default/team-checkout, but its AWS resources are tagged with "
            "owner group:default/team-payments",
            "arn:aws:sqs:us-east-1:123456789012:orders-fulfilment#team",
        )
    ]
    # the cloud gaps are part of all current gaps
    assert env.one(
        "SELECT count(*) FROM _gaps_now WHERE gap LIKE 'cloud_%' OR gap = 'untagged_resource'"
    ) == (len(gaps),)


def test_a_failing_region_degrades_with_a_report(env: Env) -> None:
    # moto knows no region "xx-fake-1" and answers 500; botocore retries, then gives up
    outcome = env.ingest(regions=[EAST, "xx-fake-1"], max_attempts=1)
    assert outcome.status == "ok", outcome.message
    assert len(outcome.report.errors) == 1
    assert "region xx-fake-1" in outcome.report.errors[0]
    assert outcome.report.counts["regions_failed"] == 1
    assert env.one("SELECT count(*) FROM cloud_resources WHERE region = 'us-east-1'")[0] == 29
    ok = env.one("SELECT status, error_count FROM ingest_runs WHERE source = 'aws'")
    assert ok == ("ok", 1)


def test_every_region_failing_fails_the_source(env: Env) -> None:
    outcome = env.ingest(regions=["xx-fake-1", "xx-fake-2"], max_attempts=1)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "every account/region failed" in outcome.message
    assert "xx-fake-1" in outcome.message and "xx-fake-2" in outcome.message


def test_rejected_credentials_fail_the_source_and_keep_the_snapshot(env: Env) -> None:
    assert env.ingest().status == "ok"
    before = env.rows("SELECT arn, valid_from FROM cloud_resource_rows ORDER BY arn")
    # from now on moto checks signatures against its IAM: "testing" is no known access key
    httpx.post(f"{env.endpoint_url}/moto-api/reset-auth", content=b"0", timeout=10)
    try:
        outcome = env.ingest()
    finally:
        httpx.post(f"{env.endpoint_url}/moto-api/reset-auth", content=b"inf", timeout=10)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "aws_tags source 'aws': credentials rejected" in outcome.message
    assert "InvalidClientTokenId" in outcome.message
    assert "testing-secret-never-logged" not in outcome.message
    assert env.rows("SELECT arn, valid_from FROM cloud_resource_rows ORDER BY arn") == before
    assert env.one("SELECT count(*) FROM cloud_resources") == (40,)


def test_an_account_through_an_assumed_role(env: Env) -> None:
    role_arn = "arn:aws:iam::111111111111:role/steward-reader"
    sts = boto3.client("sts", region_name=EAST, endpoint_url=env.endpoint_url)
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="seed")["Credentials"]
    other = boto3.client(
        "sqs",
        region_name=EAST,
        endpoint_url=env.endpoint_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    other.create_queue(QueueName="other-account-queue", tags={"team": "team-sre"})
    outcome = env.ingest(
        regions=[EAST],
        accounts=[
            {"account_id": "111111111111", "role_arn": role_arn, "external_id": "steward-external"}
        ],
    )
    assert outcome.status == "ok", outcome.message
    assert env.rows("SELECT arn, account, owner_ref FROM cloud_resources") == [
        (
            "arn:aws:sqs:us-east-1:111111111111:other-account-queue",
            "111111111111",
            "group:default/team-sre",
        )
    ]


def test_unchanged_listing_is_not_stored_again(env: Env) -> None:
    assert env.ingest().status == "ok"
    assert env.ingest().status == "unchanged"
