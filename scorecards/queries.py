"""Reading stored runs: one entity, one team (rolled up the group tree), what changed since."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from catalog.errors import ConfigError
from catalog.lookup import resolve_ref
from catalog.rows import dict_rows

_SINCE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``2w``."""
    match = _SINCE.match(text.strip().lower())
    if match is None:
        raise ConfigError(f"invalid --since {text!r}: use e.g. 30m, 24h, 7d, 2w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def scorecards_of(con: duckdb.DuckDBPyConnection, text: str) -> dict[str, Any]:
    """Every scorecard's latest level, score and check results (with exemptions) for an entity."""
    ref = resolve_ref(con, text)
    cards = dict_rows(
        con.execute(
            "SELECT s.scorecard, c.scorecard_title AS title, s.level, s.score, s.passed, "
            "s.failed, s.exempt, s.unknown, s.run_id, s.evaluated_at, c.levels "
            "FROM scorecard_scores s JOIN (SELECT DISTINCT run_id, scorecard, scorecard_title, "
            "levels FROM scorecard_check_rows) c USING (run_id, scorecard) "
            "WHERE s.ref = ? ORDER BY s.scorecard",
            [ref],
        )
    )
    for card in cards:
        card["checks"] = dict_rows(
            con.execute(
                "SELECT check_id, check_title, level, weight, state, evidence, exemption_reason, "
                "exemption_expires FROM scorecard_results WHERE ref = ? AND scorecard = ? "
                "ORDER BY level_rank, check_id",
                [ref, card["scorecard"]],
            )
        )
    expired = dict_rows(
        con.execute(
            "SELECT scorecard, check_id, reason, expires, file, line FROM scorecard_exemptions "
            "WHERE status = 'expired' AND (entity = ? OR owner = (SELECT min(owner) "
            "FROM entities WHERE ref = ?) OR owner IN (SELECT t.team FROM _group_tree t "
            "JOIN entities e ON t.member_group = e.owner WHERE e.ref = ?)) ORDER BY expires",
            [ref, ref, ref],
        )
    )
    return {"ref": ref, "scorecards": cards, "expired_exemptions": expired}


def team_scorecard(con: duckdb.DuckDBPyConnection, text: str) -> dict[str, Any]:
    """A group's roll-up (its own entities and every group's below it) and those entities."""
    team = resolve_ref(con, text, default_kind="group")
    summary = dict_rows(
        con.execute(
            "SELECT scorecard, entities, own_entities, average_score, levels, passed, failed, "
            "exempt, unknown FROM team_scorecards WHERE team = ? ORDER BY scorecard",
            [team],
        )
    )
    entities = dict_rows(
        con.execute(
            "SELECT s.scorecard, s.ref, s.owner, s.level, s.score, s.failed, s.unknown "
            "FROM scorecard_scores s JOIN _group_tree t ON t.member_group = s.owner "
            "WHERE t.team = ? ORDER BY s.scorecard, s.level_rank, s.score, s.ref",
            [team],
        )
    )
    return {"team": team, "scorecards": summary, "entities": entities}


DIFF_COLUMNS = (
    "scorecard",
    "ref",
    "owner",
    "change",
    "level_before",
    "level_now",
    "score_before",
    "score_now",
    "checks_fixed",
    "checks_broken",
)


def scorecard_diff(
    con: duckdb.DuckDBPyConnection,
    since: timedelta,
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """What got better or worse per entity (and per team) between the last run before
    ``now - since`` (or the first run after it, if none is older) and the latest run, per
    scorecard."""
    cutoff = (now or datetime.now(UTC)) - since
    team_ref = None if team is None else resolve_ref(con, team, default_kind="group")
    team_filter = (
        "AND coalesce(a.owner, b.owner) IN "
        "(SELECT member_group FROM _group_tree WHERE team = $team)"
        if team_ref is not None
        else ""
    )
    # with --team, only that group and those below it get a roll-up row (not its parents,
    # whose rows would count only the part of their tree below the team)
    team_rows_filter = (
        "WHERE t.team IN (SELECT member_group FROM _group_tree WHERE team = $team)"
        if team_ref is not None
        else ""
    )
    params: dict[str, Any] = {"cutoff": cutoff}
    if team_ref is not None:
        params["team"] = team_ref
    base = f"""
        WITH runs AS (
          SELECT DISTINCT c.scorecard, c.run_id, u.started_at FROM scorecard_check_rows c
          JOIN scorecard_runs u USING (run_id)),
        pairs AS (
          SELECT scorecard,
                 coalesce(max(run_id) FILTER (WHERE started_at <= $cutoff), min(run_id))
                   AS before_run,
                 max(run_id) AS after_run
          FROM runs GROUP BY scorecard),
        b AS (SELECT e.* FROM scorecard_entity_rows e JOIN pairs p
              ON p.scorecard = e.scorecard AND e.run_id = p.before_run),
        a AS (SELECT e.* FROM scorecard_entity_rows e JOIN pairs p
              ON p.scorecard = e.scorecard AND e.run_id = p.after_run),
        flips AS (
          SELECT p.scorecard, coalesce(ra.ref, rb.ref) AS ref,
                 count(*) FILTER (WHERE rb.state IN ('fail', 'unknown')
                                  AND ra.state IN ('pass', 'exempt')) AS fixed,
                 count(*) FILTER (WHERE rb.state IN ('pass', 'exempt')
                                  AND ra.state IN ('fail', 'unknown')) AS broken
          FROM pairs p
          JOIN scorecard_result_rows rb ON rb.run_id = p.before_run AND rb.scorecard = p.scorecard
          JOIN scorecard_result_rows ra ON ra.run_id = p.after_run AND ra.scorecard = p.scorecard
               AND ra.ref = rb.ref AND ra.check_id = rb.check_id
          WHERE p.before_run <> p.after_run
          GROUP BY ALL),
        joined AS (
          SELECT coalesce(a.scorecard, b.scorecard) AS scorecard, coalesce(a.ref, b.ref) AS ref,
                 coalesce(a.owner, b.owner) AS owner,
                 CASE WHEN b.ref IS NULL THEN 'new' WHEN a.ref IS NULL THEN 'gone'
                      WHEN a.level_rank > b.level_rank THEN 'better'
                      WHEN a.level_rank < b.level_rank THEN 'worse'
                      WHEN a.score > b.score THEN 'better'
                      WHEN a.score < b.score THEN 'worse' ELSE 'same' END AS change,
                 b.level AS level_before, a.level AS level_now, b.score AS score_before,
                 a.score AS score_now, coalesce(f.fixed, 0) AS checks_fixed,
                 coalesce(f.broken, 0) AS checks_broken
          FROM a FULL JOIN b ON a.scorecard = b.scorecard AND a.ref = b.ref
          LEFT JOIN flips f ON f.scorecard = coalesce(a.scorecard, b.scorecard)
               AND f.ref = coalesce(a.ref, b.ref)
          WHERE true {team_filter})
    """
    entities = dict_rows(
        con.execute(
            f"{base} SELECT {', '.join(DIFF_COLUMNS)} FROM joined "
            "WHERE change <> 'same' OR checks_fixed > 0 OR checks_broken > 0 "
            "ORDER BY scorecard, change, ref",
            params,
        )
    )
    teams = dict_rows(
        con.execute(
            f"""{base}
            SELECT t.team, j.scorecard, count(*) FILTER (WHERE change = 'better') AS better,
                   count(*) FILTER (WHERE change = 'worse') AS worse,
                   count(*) FILTER (WHERE change = 'new') AS new,
                   count(*) FILTER (WHERE change = 'gone') AS gone,
                   round(avg(score_before), 1) AS average_before,
                   round(avg(score_now), 1) AS average_now
            FROM joined j JOIN _group_tree t ON t.member_group = j.owner {team_rows_filter}
            GROUP BY ALL HAVING count(*) FILTER (WHERE change <> 'same') > 0
            ORDER BY t.team, j.scorecard""",
            params,
        )
    )
    return {"since": cutoff, "team": team_ref, "entities": entities, "teams": teams}
