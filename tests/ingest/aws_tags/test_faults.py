"""Faults a moto server cannot produce, through benchmarks' local GetResources server:
throttling, a region failing after a good run, endless pagination, expired tokens."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ConfigError
from catalog.store import Store
from ingest.aws_tags import AwsTagsConfig, AwsTagsSource
from ingest.aws_tags.last_good import LastGood, Saved
from ingest.aws_tags.listing_bytes import unpack
from ingest.runner import RunOutcome, run_source
from ingest.state import save_state
from service.config import load_config
from standins.aws import FakeTaggingApi, generate_resources

EAST, WEST = "us-east-1", "eu-west-1"


class Env:
    def __init__(self, tmp: Path, api: FakeTaggingApi) -> None:
        self.api = api
        self.state = tmp / "state"
        self.store = Store(tmp / "steward.duckdb")

    def ingest(self, **config: Any) -> RunOutcome:
        settings: dict[str, Any] = {
            "regions": [EAST, WEST],
            "endpoint_url": self.api.endpoint_url,
            "page_size": 10,
            "retry_mode": "standard",
            "max_attempts": 2,
        }
        settings.update(config)
        source = AwsTagsSource(AwsTagsConfig(type="aws_tags", **settings))
        outcome = run_source(self.store, "aws", source, state_dir=self.state)
        self.store.refresh_gaps()  # as the pipeline does after its sources
        return outcome

    def count(self, where: str = "true") -> int:
        row = self.store.connection.execute(
            f"SELECT count(*) FROM cloud_resources WHERE {where}"
        ).fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    data = {EAST: generate_resources(35, EAST), WEST: generate_resources(25, WEST, start=35)}
    with FakeTaggingApi(data) as api:
        e = Env(tmp_path, api)
        yield e
        e.store.close()


def test_throttling_is_retried_by_botocore(env: Env) -> None:
    env.api.throttle_requests = 3
    outcome = env.ingest(max_attempts=5)
    assert outcome.status == "ok", outcome.message
    assert env.count() == 60
    assert env.api.requests == 3 + 4 + 3  # three throttled, then 4 + 3 pages


def test_a_failed_region_keeps_its_last_good_listing(env: Env) -> None:
    assert env.ingest().status == "ok"
    env.api.fail_regions = {WEST}
    outcome = env.ingest()
    assert outcome.status == "unchanged"  # the same listings as last time: nothing to store
    assert any(
        "region eu-west-1" in e and "InternalServiceException" in e for e in outcome.report.errors
    )
    assert any("kept 25 resources from the last good listing" in w for w in outcome.report.warnings)
    assert env.count(f"region = '{WEST}'") == 25
    assert env.count() == 60


def test_without_last_good_a_failed_region_drops_out(env: Env) -> None:
    assert env.ingest(keep_last_good=False).status == "ok"
    env.api.fail_regions = {WEST}
    outcome = env.ingest(keep_last_good=False)
    assert outcome.status == "ok"
    assert env.count(f"region = '{WEST}'") == 0
    assert env.count() == 35


def test_endless_pagination_is_bounded(env: Env) -> None:
    env.api.endless = True
    outcome = env.ingest(regions=[EAST], max_pages=20)
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "more than max_pages=20 pages" in outcome.message
    assert "region us-east-1" in outcome.message


@pytest.mark.parametrize("code", ["ExpiredTokenException", "UnrecognizedClientException"])
def test_expired_token_fails_the_source_and_keeps_the_snapshot(env: Env, code: str) -> None:
    assert env.ingest().status == "ok"
    env.api.reject_credentials = code
    outcome = env.ingest()
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert outcome.message.startswith("aws_tags source 'aws': credentials rejected")
    assert code in outcome.message
    assert env.count() == 60


def test_config_from_steward_yaml(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_text(
        "sources:\n"
        "  aws:\n"
        "    type: aws_tags\n"
        "    regions: [us-east-1, eu-west-1]\n"
        "    owner_tags: [team]\n"
        "    accounts:\n"
        "      - {account_id: '111111111111', role_arn: 'arn:aws:iam::111111111111:role/r'}\n"
        "    schedule: {hours: 6}\n"
    )
    config = load_config(path)
    aws = config.source_configs["aws"]
    assert isinstance(aws, AwsTagsConfig)
    assert aws.owner_tags == ["team"]
    assert aws.component_tags == ["backstage.io/component", "component", "service", "app"]
    path.write_text(
        "sources:\n  aws:\n    type: aws_tags\n    regions: [us-east-1]\n    tags: []\n"
    )
    with pytest.raises(ConfigError, match=r"steward.yaml:5: sources.aws.tags: unknown key"):
        load_config(path)
    path.write_text("sources:\n  aws:\n    type: aws_tags\n    regions: [US East]\n")
    with pytest.raises(ConfigError, match="not an AWS region name"):
        load_config(path)


def test_a_listing_is_saved_as_last_good_only_when_it_changed(env: Env) -> None:
    assert env.ingest().status == "ok"
    saved = env.state / "aws" / "last_good"

    def stamps() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in saved.iterdir()}

    first = stamps()
    assert sorted(first) == ["default-eu-west-1.pickle", "default-us-east-1.pickle", "index.pickle"]
    assert env.ingest().status == "unchanged"
    assert stamps() == first
    env.api.resources[WEST] = generate_resources(26, WEST, start=35)
    assert env.ingest().status == "ok"
    changed = {name for name, stamp in stamps().items() if stamp != first[name]}
    assert changed == {"default-eu-west-1.pickle", "index.pickle"}
    env.api.fail_regions = {WEST}
    outcome = env.ingest()
    assert outcome.status == "unchanged"
    assert any("kept 26 resources from the last good listing" in w for w in outcome.report.warnings)


def test_an_unchanged_region_reuses_its_records_and_stores_the_same_rows(
    env: Env, tmp_path: Path
) -> None:
    assert env.ingest().status == "ok"
    env.api.resources[WEST] = generate_resources(26, WEST, start=35)
    outcome = env.ingest()
    assert outcome.status == "ok"
    assert outcome.report.counts["regions_reused"] == 1  # us-east-1; eu-west-1 is built again
    fresh = Env(tmp_path / "fresh", env.api)  # no state: every region built from its listing
    fresh_outcome = fresh.ingest()
    assert fresh_outcome.report.counts["regions_reused"] == 0
    query = "SELECT arn, region, owner_ref, component_ref, tags FROM cloud_resources ORDER BY arn"
    claims = "SELECT subject, owner, evidence FROM ownership_claims ORDER BY ALL"
    for sql in (query, claims):
        assert env.store.connection.execute(sql).fetchall() == (
            fresh.store.connection.execute(sql).fetchall()
        )
    assert env.count() == 61
    assert outcome.report.warnings == fresh_outcome.report.warnings
    fresh.store.close()


def test_a_last_good_listing_saved_by_an_earlier_version_is_still_kept(env: Env) -> None:
    """Listings were once saved as one ``marshal.dumps`` of the list (state version 2)."""
    assert env.ingest().status == "ok"
    last_good = LastGood(env.state / "aws")
    key = next(k for k in last_good.index if k.endswith(WEST))
    kept = last_good.load(key)
    assert kept is not None
    items = unpack(kept[1])
    old_blob = marshal.dumps(items)
    old_digest = hashlib.sha256(old_blob).hexdigest()
    save_state(last_good._path(key), old_blob, version=2, key=f"{key}:{old_digest}")
    last_good.index[key] = Saved(old_digest, last_good.index[key].fetched_at)
    save_state(last_good._index_path, last_good.index, version=2)
    env.api.fail_regions = {WEST}
    outcome = env.ingest()
    assert outcome.status in ("ok", "unchanged"), outcome.message
    assert any("kept 25 resources from the last good listing" in w for w in outcome.report.warnings)
    assert env.count() == 60
