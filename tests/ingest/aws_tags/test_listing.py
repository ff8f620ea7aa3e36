"""The listing runs in a child process: the parent's environment at the call, a child that
dies, and a parent that never imports boto3 for it."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ingest.aws_tags.source as source_module
from catalog.store import Store
from ingest.aws_tags import AwsTagsConfig, AwsTagsSource
from ingest.aws_tags.listing import list_targets
from ingest.aws_tags.listing_bytes import unpack
from ingest.aws_tags.targets import TargetFailed
from ingest.runner import run_source
from standins.aws import FakeTaggingApi, generate_resources

EAST, WEST = "us-east-1", "eu-west-1"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def api() -> Iterator[FakeTaggingApi]:
    data = {EAST: generate_resources(35, EAST), WEST: generate_resources(25, WEST, start=35)}
    with FakeTaggingApi(data) as fake:
        yield fake


def _config(api: FakeTaggingApi) -> AwsTagsConfig:
    return AwsTagsConfig(
        type="aws_tags",
        regions=[EAST, WEST],
        endpoint_url=api.endpoint_url,
        page_size=10,
        retry_mode="standard",
        max_attempts=2,
    )


def test_each_target_comes_back_as_listing_bytes_with_a_call_per_page(
    api: FakeTaggingApi,
) -> None:
    pages: list[int] = []
    listed = list_targets(_config(api), pages.append)
    assert [(x.target.region, x.failure) for x in listed] == [(EAST, None), (WEST, None)]
    assert [len(unpack(x.blob or b"")) for x in listed] == [35, 25]
    assert sorted(pages) == [5, 5, 10, 10, 10, 10, 10]


def test_the_child_sees_the_environment_of_the_call(
    api: FakeTaggingApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forkserver started with earlier credentials; the child must use today's."""
    list_targets(_config(api), lambda _: None)  # the forkserver runs from here on
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    listed = list_targets(_config(api), lambda _: None)
    assert all(x.failure is not None and "credentials" in str(x.failure) for x in listed)


def _kill_the_child(_: int) -> None:
    for child in multiprocessing.active_children():
        if child.name == "steward-aws-listing":
            child.kill()


def test_a_child_that_dies_is_a_failed_listing(api: FakeTaggingApi) -> None:
    listed = list_targets(_config(api), _kill_the_child)
    failures = [str(x.failure) for x in listed if x.failure is not None]
    assert failures, "a killed child must not count as listed"
    assert all(isinstance(x.failure, TargetFailed) for x in listed if x.blob is None)
    for text in failures:
        assert re.search(
            r"region .*: the AWS listing process: it ended without an answer "
            r"\(exit code -9\)",
            text,
        ), text


def test_a_child_that_dies_fails_the_run_and_keeps_the_last_snapshot(
    api: FakeTaggingApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "steward.duckdb")
    try:
        source = AwsTagsSource(_config(api))
        assert run_source(store, "aws", source, state_dir=tmp_path / "state").status == "ok"

        def killed_on_first_page(config: AwsTagsConfig, on_page: Callable[[int], None]) -> object:
            return list_targets(config, _kill_the_child)

        monkeypatch.setattr(source_module, "list_targets", killed_on_first_page)
        outcome = run_source(store, "aws", source, state_dir=tmp_path / "state")
        assert outcome.status == "failed"
        assert "ended without an answer" in (outcome.message or "")
        row = store.connection.execute("SELECT count(*) FROM cloud_resources").fetchone()
        assert row == (60,)
    finally:
        store.close()


def test_the_ingest_process_does_not_import_boto3(api: FakeTaggingApi, tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from catalog.store import Store\n"
        "from ingest.aws_tags import AwsTagsConfig, AwsTagsSource\n"
        "from ingest.runner import run_source\n"
        "config = AwsTagsConfig.model_validate_json(sys.argv[1])\n"
        "store = Store(Path(sys.argv[2]) / 's.duckdb')\n"
        "outcome = run_source(store, 'aws', AwsTagsSource(config), state_dir=Path(sys.argv[2]))\n"
        "print(json.dumps([outcome.status, 'boto3' in sys.modules, 'botocore' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, _config(api).model_dump_json(), str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["ok", False, False]
