"""A serving process hands a source's columns back once they are stored (issue 16: peak RSS of
``steward serve``): nothing of the runner keeps a stored source's ``Collected``, and the
C heap is trimmed right after, so the next step does not start from the collect's peak."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

import ingest.runner as runner
from catalog.store import Store
from ingest.memory import release_freed_memory
from ingest.runner import Collected, run_sources
from tests.ingest.test_concurrent_sources import MeetingSource


def test_a_stored_sources_columns_are_freed_before_the_heap_is_trimmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: list[weakref.ref[Collected]] = []
    alive_at_release: list[list[bool]] = []
    store_collected = runner.store_collected

    def recording_store(store: Store, collected: Collected, **kwargs: object) -> object:
        stored.append(weakref.ref(collected))
        return store_collected(store, collected, **kwargs)  # type: ignore[arg-type]

    def recording_release(*, collect_garbage: bool = True) -> bool:
        # no gc here: only references, not cycles, would keep a stored run alive
        alive_at_release.append([ref() is not None for ref in stored])
        return True

    monkeypatch.setattr(runner, "store_collected", recording_store)
    monkeypatch.setattr(runner, "release_freed_memory", recording_release)
    sources = [MeetingSource(n) for n in ("a", "b", "c")]
    with Store(tmp_path / "db.duckdb") as store:
        done = run_sources(store, [(s.name, s) for s in sources], state_dir=tmp_path)
    assert [o.status for o in done.outcomes] == ["ok", "ok", "ok"]
    assert alive_at_release == [[False], [False, False], [False, False, False]]


def test_release_freed_memory_trims_the_c_heap_on_glibc() -> None:
    assert release_freed_memory() is True  # this machine's Linux has glibc
    assert release_freed_memory(collect_garbage=False) is True
