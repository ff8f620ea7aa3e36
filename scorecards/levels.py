"""Levels, including dependency-aware checks, solved set-based.

Each entity in scope gets ``bad_from``: the lowest level rank it does NOT reach (levels are
1-based; ``bad_from - 1`` is the level reached, 0 = none). Without dependency-aware checks it is
the lowest rank of a check that failed or is unknown (ranks above all levels if none).

``dependencies_reach_level`` (check at rank ``Lc`` requiring rank ``X`` of scorecard ``S``):
the check fails for entity ``e`` iff some dependency ``d`` of ``e`` in ``S``'s scope has
``bad_from(d) <= X``; then ``bad_from(e) <= Lc``. This is solved as a fixpoint: start from the
levels of the other checks (every dependency check assumed to pass) and lower ``bad_from``
along dependency edges with one set-based UPDATE per round until nothing changes; each round
propagates one hop, values only decrease, so it terminates (at most levels x longest chain
rounds; a handful in practice).

Cycles: this is the greatest fixpoint, so the members of a dependency cycle are evaluated
together. If every member reaches the level on its other checks and nothing outside the cycle
pulls one of them down, they all pass; if one member falls short, the others that depend on
it (i.e. the whole cycle) fail with it. Dependencies of the catalog outside the target
scorecard's scope (another kind) are not counted; a dependency that is not in the catalog at
all (a dangling ref) is not ready: it reaches no level and the evidence names it. An entity
whose source is stale counts as reaching no level. A dependency check that is exempt for an
entity does not pull it down.
"""

from __future__ import annotations

import duckdb

from scorecards.checks import DependenciesReachLevel
from scorecards.definitions import Check, Scorecard

MAX_ROUNDS = 10_000

_EXEMPTED = """
EXISTS (SELECT 1 FROM _sc_exemptions x
        WHERE (x.check_id = '*' OR x.check_id = $check_id)
          AND (x.scorecard IS NULL OR x.scorecard = $scorecard)
          AND (x.entity = s.ref
               OR (x.owner IS NOT NULL AND s.owner IS NOT NULL
                   AND (x.owner = s.owner OR EXISTS (SELECT 1 FROM _group_tree t
                        WHERE t.team = x.owner AND t.member_group = s.owner)))))
"""


def solve_levels(con: duckdb.DuckDBPyConnection, card: Scorecard, run_id: int) -> int:
    """Fill ``_sc_levels`` for ``card`` and add its dependency checks' results; returns the
    number of propagation rounds."""
    sc = {"scorecard": card.id}
    con.execute(
        """
        INSERT INTO _sc_levels
        SELECT $scorecard, s.ref,
          CASE WHEN s.stale IS NOT NULL THEN 1 ELSE coalesce(b.bad_from, $top) END
        FROM _sc_scope s LEFT JOIN (
          SELECT r.ref, min(c.level_rank) AS bad_from FROM scorecard_result_rows r
          JOIN _sc_checks c ON c.scorecard = r.scorecard AND c.check_id = r.check_id
          WHERE r.run_id = $run_id AND r.scorecard = $scorecard AND r.state IN ('fail', 'unknown')
          GROUP BY r.ref) b ON b.ref = s.ref
        WHERE s.scorecard = $scorecard
        """,
        {**sc, "top": len(card.levels) + 1, "run_id": run_id},
    )
    dep_checks = [c for c in card.checks if isinstance(c.params, DependenciesReachLevel)]
    if not dep_checks:
        return 0
    edge_set = _store_edges(con, card, dep_checks)
    for check in dep_checks:  # the entities for which each check is exempt: few rows
        con.execute(
            f"INSERT INTO _sc_dep_exempt SELECT $scorecard, $check_id, s.ref FROM _sc_scope s "
            f"WHERE s.scorecard = $scorecard AND {_EXEMPTED}",
            {**sc, "check_id": check.id},
        )
    rounds = 0
    changed: list[str] | None = None  # refs lowered in the last round (None: all count)
    while rounds < MAX_ROUNDS:
        rounds += 1
        # Values only decrease, so a round needs only the edges to dependencies that the round
        # before lowered (every edge in the first round).
        rows = con.execute(
            f"""
            UPDATE _sc_levels l SET bad_from = n.bad_from
            FROM (
              SELECT e.ref, min(c.level_rank) AS bad_from
              FROM (SELECT unnest($checks) AS check_id, unnest($edge_sets) AS edges) m
              JOIN _sc_checks c ON c.scorecard = $scorecard AND c.check_id = m.check_id
              JOIN _sc_dep_edges e ON e.scorecard = $scorecard AND e.check_id = m.edges
              LEFT JOIN _sc_levels d ON d.scorecard = c.dep_scorecard AND d.ref = e.dependency
              WHERE coalesce(d.bad_from, 0) <= c.dep_rank
                {"" if changed is None else "AND e.dependency IN (SELECT unnest($changed))"}
                AND NOT EXISTS (SELECT 1 FROM _sc_dep_exempt x WHERE x.scorecard = $scorecard
                                AND x.check_id = c.check_id AND x.ref = e.ref)
              GROUP BY e.ref) n
            WHERE l.scorecard = $scorecard AND l.ref = n.ref AND n.bad_from < l.bad_from
            RETURNING l.ref
            """,
            {
                **sc,
                "checks": list(edge_set),
                "edge_sets": list(edge_set.values()),
                **({} if changed is None else {"changed": changed}),
            },
        ).fetchall()
        if not rows:
            break
        changed = [str(r[0]) for r in rows]
    for check in dep_checks:
        assert isinstance(check.params, DependenciesReachLevel)
        dep_card = check.params.scorecard or card.id
        con.execute(
            """
            INSERT INTO scorecard_result_rows (run_id, scorecard, check_id, ref, state, evidence)
            WITH edges AS (
              SELECT e.ref, e.dependency, coalesce(d.bad_from, 0) AS bad_from  -- 0: dangling
              FROM _sc_dep_edges e
              LEFT JOIN _sc_levels d ON d.scorecard = $dep_card AND d.ref = e.dependency
              WHERE e.scorecard = $scorecard AND e.check_id = $edges),
            counts AS (SELECT ref, count(*) AS n FROM edges GROUP BY ref),
            below AS (
              SELECT ref, count(*) AS n,
                list_transform(min_by({'d': dependency, 'b': bad_from}, (bad_from, dependency), 5),
                  lambda x: x.d || ' (' || CASE WHEN x.b = 0 THEN 'not in the catalog'
                    ELSE coalesce($dep_levels[x.b - 1], 'no level') END || ')')
                  AS examples
              FROM edges WHERE bad_from <= $rank GROUP BY ref)
            SELECT $run_id, $scorecard, $check_id, s.ref,
              CASE WHEN b.ref IS NULL THEN 'pass' ELSE 'fail' END,
              CASE WHEN c.ref IS NULL THEN 'no dependencies in scorecard ' || $dep_card
                   WHEN b.ref IS NULL THEN 'all ' || c.n || ' dependencies reach ' || $level
                   ELSE b.n || ' of ' || c.n || ' dependencies below ' || $level || ': '
                        || array_to_string(b.examples, ', ') END
            FROM _sc_scope s LEFT JOIN counts c ON c.ref = s.ref LEFT JOIN below b ON b.ref = s.ref
            WHERE s.scorecard = $scorecard
            """,
            {
                **sc,
                "check_id": check.id,
                "edges": edge_set[check.id],
                "dep_card": dep_card,
                "dep_levels": _levels_of(con, dep_card, card),
                "rank": _rank_of(con, card.id, check.id),
                "level": check.params.required_level,
                "run_id": run_id,
            },
        )
    return rounds


def _store_edges(
    con: duckdb.DuckDBPyConnection, card: Scorecard, dep_checks: list[Check]
) -> dict[str, str]:
    """Store each distinct edge set once in ``_sc_dep_edges`` (checks over the same relations
    and target scorecard share it, under the id of the first); returns check id -> edge set."""
    first_with: dict[tuple[str, tuple[str, ...]], str] = {}
    edge_set: dict[str, str] = {}
    for check in dep_checks:
        assert isinstance(check.params, DependenciesReachLevel)
        dep_card = check.params.scorecard or card.id
        same = (dep_card, tuple(sorted(check.params.relations)))
        if same not in first_with:
            first_with[same] = check.id
            con.execute(
                """
                INSERT INTO _sc_dep_edges
                SELECT DISTINCT $scorecard, $check_id, s.ref, r.target_ref
                FROM relations r
                JOIN _sc_scope s ON s.scorecard = $scorecard AND s.ref = r.source_ref
                LEFT JOIN _sc_scope d ON d.scorecard = $dep_card AND d.ref = r.target_ref
                WHERE list_contains($relations, r.type) AND r.source_ref <> r.target_ref
                  AND (d.ref IS NOT NULL
                       OR r.target_ref NOT IN (SELECT ref FROM entities))  -- dangling: not ready
                """,
                {
                    "scorecard": card.id,
                    "check_id": check.id,
                    "dep_card": dep_card,
                    "relations": check.params.relations,
                },
            )
        edge_set[check.id] = first_with[same]
    return edge_set


def _levels_of(con: duckdb.DuckDBPyConnection, scorecard: str, card: Scorecard) -> list[str]:
    if scorecard == card.id:
        return list(card.levels)
    row = con.execute(
        "SELECT levels FROM _sc_checks WHERE scorecard = ? LIMIT 1", [scorecard]
    ).fetchone()
    return list(row[0]) if row else []


def _rank_of(con: duckdb.DuckDBPyConnection, scorecard: str, check_id: str) -> int:
    row = con.execute(
        "SELECT dep_rank FROM _sc_checks WHERE scorecard = ? AND check_id = ?",
        [scorecard, check_id],
    ).fetchone()
    assert row is not None
    return int(row[0])
