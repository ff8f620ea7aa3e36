"""The entity routes' reads: scorecards (with history) and ownership, a few set-based queries
on the request's own cursor."""

from __future__ import annotations

import duckdb

from catalog.rows import dict_rows
from service.api import models
from service.ownership import ownership_of

HISTORY_POINTS = 52


def latest_runs(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The latest stored run id of every scorecard (check rows are small: checks x runs)."""
    rows = cur.execute(
        "SELECT scorecard, max(run_id) FROM _scorecard_checks GROUP BY scorecard"
    ).fetchall()
    return {str(s): int(r) for s, r in rows}


def entity_scorecards(cur: duckdb.DuckDBPyConnection, ref: str) -> models.EntityScorecards:
    latest = latest_runs(cur)
    if not latest:
        return models.EntityScorecards(ref=ref, scorecards=[])
    run_ids = sorted(set(latest.values()))
    history = dict_rows(
        cur.execute(
            "SELECT e.run_id, e.scorecard, e.level, e.score, u.started_at AS at "
            "FROM scorecard_entity_rows e JOIN scorecard_runs u USING (run_id) "
            "WHERE e.ref = ? ORDER BY e.run_id",
            [ref],
        )
    )
    current = {h["scorecard"]: h for h in history if latest.get(h["scorecard"]) == h["run_id"]}
    if not current:
        return models.EntityScorecards(ref=ref, scorecards=[])
    meta = {
        row["scorecard"]: row
        for row in dict_rows(
            cur.execute(
                "SELECT DISTINCT scorecard, run_id, scorecard_title, levels "
                "FROM scorecard_check_rows WHERE list_contains(?, run_id)",
                [run_ids],
            )
        )
        if latest.get(row["scorecard"]) == row["run_id"]
    }
    checks: dict[str, list[models.CheckResult]] = {}
    for row in dict_rows(
        cur.execute(
            "SELECT r.run_id, r.scorecard, r.check_id, c.title, c.level, c.weight, r.state, "
            "r.evidence, r.exemption_reason, r.exemption_expires FROM scorecard_result_rows r "
            "JOIN scorecard_check_rows c USING (run_id, scorecard, check_id) "
            "WHERE r.ref = ? AND list_contains(?, r.run_id) ORDER BY c.level_rank, r.check_id",
            [ref, run_ids],
        )
    ):
        if latest.get(row["scorecard"]) != row["run_id"]:
            continue
        exemption = (
            None
            if row["exemption_reason"] is None
            else models.Exemption(reason=row["exemption_reason"], expires=row["exemption_expires"])
        )
        checks.setdefault(row["scorecard"], []).append(
            models.CheckResult(
                id=row["check_id"],
                title=row["title"],
                level=row["level"],
                weight=row["weight"],
                state=row["state"],
                evidence=row["evidence"] or "",
                exemption=exemption,
            )
        )
    cards = []
    for card_id in sorted(current):
        now = current[card_id]
        points = [h for h in history if h["scorecard"] == card_id][-HISTORY_POINTS:]
        cards.append(
            models.EntityScorecard(
                id=card_id,
                title=meta.get(card_id, {}).get("scorecard_title", card_id),
                level=now["level"],
                score=now["score"],
                levels=list(meta.get(card_id, {}).get("levels", [])),
                checks=checks.get(card_id, []),
                history=[
                    models.ScoreHistoryPoint(
                        run_id=p["run_id"], at=p["at"], level=p["level"], score=p["score"]
                    )
                    for p in points
                ],
            )
        )
    return models.EntityScorecards(ref=ref, scorecards=cards)


def entity_ownership(cur: duckdb.DuckDBPyConnection, ref: str) -> models.EntityOwnership:
    found = ownership_of(cur, ref)
    conflicts = dict_rows(
        cur.execute(
            "SELECT role, source, resolved_owner, claimed_owners, evidence "
            "FROM ownership_conflicts WHERE subject = ? ORDER BY role, source",
            [ref],
        )
    )
    oncall = dict_rows(
        cur.execute(
            "SELECT service_id, service_name, escalation_policy_id, escalation_policy_name, "
            "escalation_levels, oncall_now FROM entity_oncall WHERE ref = ? "
            "ORDER BY service_id LIMIT 1",
            [ref],
        )
    )
    return models.EntityOwnership(
        ref=ref,
        owner=found["owner"],
        resolved_from=found["resolved_from"],
        agreeing_sources=found["agreeing_sources"] or [],
        disagreeing_sources=found["disagreeing_sources"] or [],
        claims=[models.Claim(**c) for c in found["claims"]],
        conflicts=[models.Conflict(**c) for c in conflicts],
        gaps=[models.EntityGap(**g) for g in found["gaps"]],
        oncall=models.OnCall(**oncall[0]) if oncall else None,
    )
