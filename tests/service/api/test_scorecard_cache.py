"""The in-memory scorecard cache answers exactly what the SQL reads answer, and picks up a new
scorecard run (in the background, previous results served meanwhile)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.api import scorecard_cache
from service.api.entity_reads import entity_scorecards
from service.api.reads import json_response
from service.api.scorecard_cache import ScorecardCache
from service.config import load_config
from service.steward_service import StewardService
from tests.service.api.conftest import file_sources_config


def test_cache_matches_the_sql_reads_for_every_entity(org: StewardService) -> None:
    cache = ScorecardCache(org.reader)
    with org.reader() as cur:
        refs = [r[0] for r in cur.execute("SELECT ref FROM entities ORDER BY ref").fetchall()]
        for ref in refs:
            expected = entity_scorecards(cur, ref)
            found = cache.lookup(cur, ref)
            assert (found or expected.model_copy(update={"scorecards": []})) == expected, ref
    assert cache.builds == 1


def test_a_new_run_replaces_the_cache_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StewardService(load_config(file_sources_config(tmp_path))) as service:
        service.run_pipeline()
        cache = ScorecardCache(service.reader)
        ref = "component:default/payments-api"
        with service.reader() as cur:
            first = cache.lookup(cur, ref)
        assert [len(c.history) for c in first.scorecards] == [1, 1]
        service.run_pipeline()  # a second scorecard run
        monkeypatch.setattr(scorecard_cache, "CHECK_EVERY_S", 0.0)
        with service.reader() as cur:
            stale = cache.lookup(cur, ref)  # starts the rebuild, answers from the first run
        assert stale == first
        cache.wait(30)
        with service.reader() as cur:
            fresh = cache.lookup(cur, ref)
            assert fresh == entity_scorecards(cur, ref)
        assert [len(c.history) for c in fresh.scorecards] == [2, 2]
        assert cache.builds == 2


def test_the_json_the_route_sends_is_the_models_json_for_every_entity(
    org: StewardService,
) -> None:
    cache = ScorecardCache(org.reader)
    assert cache.peek_json("component:default/payments-api") == (False, None)  # not loaded
    with org.reader() as cur:
        refs = [r[0] for r in cur.execute("SELECT ref FROM entities ORDER BY ref").fetchall()]
        rated = 0
        for ref in refs:
            model = cache.lookup(cur, ref)
            ready, answer = cache.peek_json(ref)
            assert ready
            if model is None:
                assert answer is None, ref
                continue
            assert answer == json_response(model).body, ref
            assert model == entity_scorecards(cur, ref)
            rated += 1
    assert rated > 10
