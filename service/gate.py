"""The readiness gate: is an entity at or above a level of a scorecard, in its latest run?

Shared by ``steward scorecard gate`` (exit 0 pass, 1 fail, 2 bad input) and
``GET /api/v1/gate/{kind}/{namespace}/{name}``. A gate reads stored results only; it never
runs checks, so a pipeline that calls it costs one small query.
"""

from __future__ import annotations

import difflib
from typing import Any

import duckdb

from catalog.errors import ConfigError
from service.api import models


class UnknownScorecard(ConfigError):
    """A scorecard id that no stored run has (carries close ids)."""

    def __init__(self, scorecard: str, known: list[str]) -> None:
        close = difflib.get_close_matches(scorecard, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        listing = ", ".join(known) or "none has run yet"
        super().__init__(f"unknown scorecard {scorecard!r}{hint} (scorecards: {listing})")
        self.scorecard = scorecard
        self.suggestions = close


class NotInScope(ConfigError):
    """The entity exists but the scorecard's latest run did not rate it."""


def evaluate_gate(
    cur: duckdb.DuckDBPyConnection, ref: str, scorecard: str, min_level: str
) -> models.GateResult:
    """``ref`` must be a canonical ref of an existing entity."""
    card = cur.execute(
        "SELECT run_id, levels FROM _scorecard_checks WHERE scorecard = ? "
        "ORDER BY run_id DESC LIMIT 1",
        [scorecard],
    ).fetchone()
    if card is None:
        known = [
            str(r[0])
            for r in cur.execute(
                "SELECT DISTINCT scorecard FROM _scorecard_checks ORDER BY 1"
            ).fetchall()
        ]
        raise UnknownScorecard(scorecard, known)
    run_id, levels = int(card[0]), [str(level) for level in card[1]]
    wanted = next((lv for lv in levels if lv.lower() == min_level.strip().lower()), None)
    if wanted is None:
        raise ConfigError(
            f"scorecard {scorecard} has no level {min_level!r} (levels: {', '.join(levels)})"
        )
    wanted_rank = levels.index(wanted) + 1
    row = cur.execute(
        "SELECT e.level, e.level_rank, e.score, u.started_at FROM scorecard_entity_rows e "
        "JOIN scorecard_runs u USING (run_id) WHERE e.run_id = ? AND e.scorecard = ? "
        "AND e.ref = ?",
        [run_id, scorecard, ref],
    ).fetchone()
    if row is None:
        raise NotInScope(f"{ref} is not in scorecard {scorecard}'s scope (its latest run)")
    level, rank, score, at = row
    failing = _failing_checks(cur, run_id, scorecard, ref, wanted_rank)
    return models.GateResult(
        **{"pass": int(rank) >= wanted_rank},
        ref=ref,
        scorecard=scorecard,
        min_level=wanted,
        level=level,
        score=score,
        levels=levels,
        evaluated_at=at,
        failing_checks=failing,
    )


def _failing_checks(
    cur: duckdb.DuckDBPyConnection, run_id: int, scorecard: str, ref: str, rank: int
) -> list[models.FailingCheck]:
    rows: list[Any] = cur.execute(
        "SELECT r.check_id, c.title, c.level, r.state, r.evidence "
        "FROM scorecard_result_rows r JOIN scorecard_check_rows c USING (run_id, scorecard, "
        "check_id) WHERE r.run_id = ? AND r.scorecard = ? AND r.ref = ? AND c.level_rank <= ? "
        "AND r.state IN ('fail', 'unknown') ORDER BY c.level_rank, r.check_id",
        [run_id, scorecard, ref, rank],
    ).fetchall()
    return [
        models.FailingCheck(id=i, title=t, level=lv, state=s, evidence=e or "")
        for i, t, lv, s, e in rows
    ]
