"""A file whose stat is unchanged since it was hashed is not read again; any change is seen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.catalog_files import source as source_module
from tests.ingest.catalog_files.test_source import Env, component, write


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    # files written by the test are seconds old at most: trust their stat at once
    monkeypatch.setattr(source_module, "RACY_NS", 0)
    e = Env(tmp_path)
    yield e
    e.store.close()


def three_repos(env: Env) -> list[Path]:
    return [write(env.root, f"r{i}/catalog-info.yaml", component(f"svc-{i}")) for i in range(3)]


def test_unchanged_tree_is_recognised_without_reading_a_file(env: Env) -> None:
    three_repos(env)
    first = env.ingest()
    assert (first.status, first.report.counts["files_read"]) == ("ok", 3)
    second = env.ingest()
    assert (second.status, second.report.counts["files_read"]) == ("unchanged", 0)


def test_one_changed_file_is_the_only_one_read(env: Env) -> None:
    three_repos(env)
    env.ingest()
    write(env.root, "r1/catalog-info.yaml", component("svc-1", owner="team-b"))
    outcome = env.ingest()
    assert (outcome.status, outcome.report.counts["files_read"]) == ("ok", 1)
    assert outcome.report.counts["files_unchanged"] == 2
    assert env.rows("SELECT owner FROM entities WHERE name = 'svc-1'") == [
        ("group:default/team-b",)
    ]


def test_same_size_and_restored_mtime_is_still_seen_as_a_change(env: Env) -> None:
    path = three_repos(env)[0]
    env.ingest()
    before = path.stat()
    path.write_text(component("svc-0", owner="team-z"))  # team-a → team-z: same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert env.ingest().status == "ok"
    assert env.rows("SELECT owner FROM entities WHERE name = 'svc-0'") == [
        ("group:default/team-z",)
    ]


def test_touched_file_is_read_once_then_known_again(env: Env) -> None:
    path = three_repos(env)[0]
    env.ingest()
    os.utime(path)  # same content, new times
    touched = env.ingest()
    assert (touched.status, touched.report.counts["files_read"]) == ("unchanged", 1)
    again = env.ingest()
    assert (again.status, again.report.counts["files_read"]) == ("unchanged", 0)


def test_file_changed_just_before_it_was_read_is_read_again(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_module, "RACY_NS", 3600 * 10**9)  # everything is "recent"
    three_repos(env)
    env.ingest()
    again = env.ingest()
    assert (again.status, again.report.counts["files_read"]) == ("unchanged", 3)
