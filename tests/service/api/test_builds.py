"""The API process's in-memory builds run one at a time (their peaks do not add up) with the
garbage collector paused and their results frozen, and its dependency graph has no networkx
copy (blast radius walks the graph's own adjacency)."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from multiprocessing import Pipe
from pathlib import Path

import pytest

from service.api import builds
from service.api.builds import BUILD_LOCK, building
from service.api.graph_memo import GraphMemo
from service.api.ownership_cache import OwnershipCache
from service.api.scorecard_cache import ScorecardCache
from service.api.snapshot_service import SnapshotService
from service.api.writer_link import WriterLink
from service.config import load_config
from service.steward_service import StewardService
from tests.service.api.conftest import file_sources_config


def test_builds_wait_for_the_one_under_way(org: StewardService) -> None:
    ownership = OwnershipCache(org.reader)
    scorecards = ScorecardCache(org.reader)
    with BUILD_LOCK:  # a build under way
        ownership.warm()
        scorecards.warm()
        time.sleep(0.2)
        assert ownership.builds == scorecards.builds == 0
    ownership.wait(60)
    scorecards.wait(60)
    assert ownership.builds == scorecards.builds == 1
    assert ownership.ownership_json("component:default/orders-service") is not None


def test_the_snapshot_graph_is_built_without_networkx(tmp_path: Path) -> None:
    with StewardService(load_config(file_sources_config(tmp_path))) as writer:
        assert writer.run_pipeline(graph=False).ok
        api = SnapshotService(writer.config, WriterLink(Pipe()[0]))
        graph = GraphMemo(api).get()
        assert "component:default/billing-service" in graph.ids
        assert "digraph" not in vars(graph)  # the cached_property was never computed


def test_each_cache_build_hands_its_freed_heap_back_without_a_gc_pause(
    org: StewardService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a build the process would stay at the build's peak (glibc keeps freed pages):
    each build trims the C heap once, without a full garbage collection (the event loop would
    wait for it)."""
    calls: list[tuple[str, bool]] = []

    def release(*, collect_garbage: bool = True) -> bool:
        calls.append((threading.current_thread().name, collect_garbage))
        return True

    monkeypatch.setattr(builds, "release_freed_memory", release)
    ownership = OwnershipCache(org.reader)
    scorecards = ScorecardCache(org.reader)
    ownership.warm()
    ownership.wait(60)
    scorecards.warm()
    scorecards.wait(60)
    assert ownership.builds == scorecards.builds == 1
    assert calls == [("steward-ownership-cache", False), ("steward-scorecard-cache", False)]


def test_a_build_runs_without_the_collector_and_leaves_its_result_frozen() -> None:
    """Full collections walked every cache while requests waited; a build's result is moved
    out of their reach, and no collection runs during the build."""
    gc.unfreeze()
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        with building():
            assert not gc.isenabled()
            result = [[i] for i in range(200_000)]  # enough new objects for many collections
            assert not collections
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(result)
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()


class _Node:
    def __init__(self) -> None:
        self.itself = self  # a reference cycle: only the cyclic collector frees it


def test_cyclic_garbage_frozen_by_a_build_is_freed_by_the_next_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Freezing keeps for good what is cyclic garbage at that moment; a sweep frees it."""
    gc.collect()
    monkeypatch.setattr(builds, "_last_sweep", time.monotonic())  # swept just now
    try:
        node = _Node()
        gone = weakref.ref(node)
        del node
        with building():  # not due: the cycle is frozen with everything else
            pass
        gc.collect()
        assert gone() is not None, "a frozen cycle is out of the collector's reach"
        monkeypatch.setattr(builds, "SWEEP_EVERY_S", 0.0)
        with building():  # due: unfreeze, collect, build, freeze
            pass
        assert gone() is None
    finally:
        gc.unfreeze()
