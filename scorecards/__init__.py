"""Readiness scorecards: YAML-defined checks evaluated set-based, with levels, weighted scores,
exemptions with expiry, team roll-ups, history per run and dry runs.

Flow: ``definitions`` (YAML → validated scorecards) and ``exemptions`` → ``engine`` (one query
per check over the whole scope, ``levels`` for dependency-aware checks, bulk storage) →
``queries`` (show an entity, a team, what changed since). The store's migration 5 owns the tables
and the views ``scorecard_results``, ``scorecard_scores``, ``team_scorecards``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorecards.checks import CHECK_TYPES
    from scorecards.definitions import Scorecard, load_scorecards
    from scorecards.engine import (
        LevelChange,
        RunResult,
        ScorecardSummary,
        evaluate,
        run_scorecards,
    )
    from scorecards.exemptions import Exemption, load_exemptions

# Imported when first used, so that reading commands (``scorecards.queries``) do not load the
# engine, the check models and the store with it.
_HOME = {
    "CHECK_TYPES": "checks",
    "Scorecard": "definitions",
    "load_scorecards": "definitions",
    "LevelChange": "engine",
    "RunResult": "engine",
    "ScorecardSummary": "engine",
    "evaluate": "engine",
    "run_scorecards": "engine",
    "Exemption": "exemptions",
    "load_exemptions": "exemptions",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'scorecards' has no attribute {name!r}")
    return getattr(import_module(f"scorecards.{_HOME[name]}"), name)


__all__ = [
    "CHECK_TYPES",
    "Exemption",
    "LevelChange",
    "RunResult",
    "Scorecard",
    "ScorecardSummary",
    "evaluate",
    "load_exemptions",
    "load_scorecards",
    "run_scorecards",
]
