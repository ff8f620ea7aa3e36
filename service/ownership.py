"""Ownership queries behind ``steward ownership`` and the API's entity ownership route."""

from __future__ import annotations

from typing import Any

import duckdb

from catalog.lookup import resolve_ref
from catalog.rows import dict_rows

GAP_COLUMNS = (
    "subject",
    "gap",
    "detail",
    "evidence",
    "owner",
    "first_seen",
    "last_seen",
    "earlier_episodes",
)


def ownership_of(con: duckdb.DuckDBPyConnection, text: str) -> dict[str, Any]:
    """Resolved owner, agreeing/disagreeing sources and every claim with its evidence."""
    ref = resolve_ref(con, text)
    resolved = dict_rows(
        con.execute(
            "SELECT owner, resolved_from, agreeing_sources, disagreeing_sources "
            "FROM ownership WHERE ref = ?",
            [ref],
        )
    )
    claims = dict_rows(
        con.execute(
            # the claims ``ownership`` was resolved from, kept by the store at every load: a
            # lookup, where the ownership_claims view joins every source's claims
            "SELECT c.owner, c.owner_raw, c.role, c.source, c.evidence, "
            "s.last_seen AS observed_at FROM _resolved_claims c "
            "LEFT JOIN source_last_seen s USING (source) "
            "WHERE c.subject = ? ORDER BY CASE c.role WHEN 'owner' THEN 0 "
            "WHEN 'codeowner' THEN 1 WHEN 'infra' THEN 2 ELSE 3 END, c.source, c.owner, "
            "c.evidence",
            [ref],
        )
    )
    gaps = dict_rows(
        con.execute(
            "SELECT gap, detail, evidence, first_seen FROM ownership_gaps WHERE subject = ? "
            "ORDER BY gap, detail",
            [ref],
        )
    )
    summary = (
        resolved[0]
        if resolved
        else {
            "owner": None,
            "resolved_from": None,
            "agreeing_sources": [],
            "disagreeing_sources": [],
        }
    )
    return {"ref": ref, **summary, "claims": claims, "gaps": gaps}


def ownership_gaps(
    con: duckdb.DuckDBPyConnection, *, team: str | None = None
) -> list[dict[str, Any]]:
    """Open gaps; with ``team``, those of the group and every group below it."""
    columns = ", ".join(GAP_COLUMNS)
    if team is None:
        return dict_rows(
            con.execute(f"SELECT {columns} FROM ownership_gaps ORDER BY gap, subject, detail")
        )
    team_ref = resolve_ref(con, team, default_kind="group")
    return dict_rows(
        con.execute(
            f"""
        WITH RECURSIVE tree(ref) AS (
          SELECT ?::VARCHAR
          UNION
          SELECT r.target_ref FROM relations r JOIN tree t
            ON r.source_ref = t.ref AND r.type = 'parentOf'
        )
        SELECT {columns} FROM ownership_gaps
        WHERE owner IN (SELECT ref FROM tree) OR subject IN (SELECT ref FROM tree)
        ORDER BY gap, subject, detail
        """,
            [team_ref],
        )
    )
