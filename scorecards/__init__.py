"""Readiness scorecards: YAML-defined checks evaluated set-based, with levels, weighted scores,
exemptions with expiry, team roll-ups, history per run and dry runs.

Flow: ``definitions`` (YAML → validated scorecards) and ``exemptions`` → ``engine`` (one query
per check over the whole scope, ``levels`` for dependency-aware checks, bulk storage) →
``queries`` (show an entity, a team, what changed since). The store's migration 5 owns the tables
and the views ``scorecard_results``, ``scorecard_scores``, ``team_scorecards``.
"""

from scorecards.checks import CHECK_TYPES
from scorecards.definitions import Scorecard, load_scorecards
from scorecards.engine import LevelChange, RunResult, ScorecardSummary, evaluate, run_scorecards
from scorecards.exemptions import Exemption, load_exemptions

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
