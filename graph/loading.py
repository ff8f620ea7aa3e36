"""Set-based reads for the graph: one query each for nodes, edges, owners, on-call and levels.

Never one query per entity. Views that later migrations add (``ownership_claims``,
``entity_oncall``, ``entity_levels``) are optional: a missing view reads as empty, and owners
fall back to ``entities.owner``.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

# Relation type -> (is the relation's source the dependent?, edge label). An edge always points
# from the dependent to what it depends on: if the target fails, the source is impacted.
EDGE_RELATIONS: dict[str, tuple[bool, str]] = {
    "dependsOn": (True, "dependsOn"),
    "dependencyOf": (False, "dependsOn"),
    "consumesApi": (True, "consumesApi"),
    "apiConsumedBy": (False, "consumesApi"),
    "apiProvidedBy": (True, "apiProvidedBy"),
    "providesApi": (False, "apiProvidedBy"),
    "hasPart": (True, "hasPart"),
    "partOf": (False, "hasPart"),
}

OPTIONAL_VIEWS = ("ownership_claims", "entity_oncall", "entity_levels")

# Role order for an entity's owners: the catalog owner first, then the supporting evidence.
ROLE_ORDER = ("owner", "codeowner", "infra", "oncall")


@dataclass(frozen=True)
class OnCall:
    service_id: str | None
    service_name: str | None
    escalation_policy_id: str | None
    escalation_policy_name: str | None
    escalation_levels: int | None
    oncall_now: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "service_name": self.service_name,
            "escalation_policy_id": self.escalation_policy_id,
            "escalation_policy_name": self.escalation_policy_name,
            "escalation_levels": self.escalation_levels,
            "oncall_now": list(self.oncall_now),
        }


LABELS: tuple[str, ...] = ("apiProvidedBy", "consumesApi", "dependsOn", "hasPart")
"""Edge labels; edges carry the index of theirs (the relation read from dependent to dependency)."""

NodeRow = tuple[str, str, str, str, str | None, str | None, str | None, bool]
"""(ref, kind, namespace, name, owner, lifecycle, type, missing)"""

NodeColumns = tuple[
    list[str],
    list[str | None],
    list[str | None],
    list[str | None],
    list[str | None],
    list[str | None],
    list[str | None],
    list[bool],
]
"""The node rows as columns: ref, kind, namespace, name, owner, lifecycle, type, missing."""

EdgeColumns = tuple[Sequence[int], Sequence[int], Sequence[int]]
"""Parallel columns (dependent id, dependency id, label index), sorted by both ids."""


def _edges_cte() -> str:
    forward = ", ".join(f"'{t}'" for t, (src_first, _) in EDGE_RELATIONS.items() if src_first)
    types = ", ".join(f"'{t}'" for t in EDGE_RELATIONS)
    labels = " ".join(
        f"WHEN '{t}' THEN {LABELS.index(label)}" for t, (_, label) in EDGE_RELATIONS.items()
    )
    # Refs are stored canonical (lowercase); ids number every ref (entities and relation
    # endpoints, so dangling targets get one too) in sorted order.
    return (
        "WITH e AS ("
        f"  SELECT CASE WHEN type IN ({forward}) THEN source_ref ELSE target_ref END AS a,"
        f"         CASE WHEN type IN ({forward}) THEN target_ref ELSE source_ref END AS b,"
        f"         CASE type {labels} END AS label"
        f"  FROM relations WHERE type IN ({types})"
        "), ids AS ("
        "  SELECT ref, CAST(row_number() OVER (ORDER BY ref) - 1 AS INTEGER) AS id FROM ("
        "    SELECT ref FROM entities UNION SELECT a FROM e UNION SELECT b FROM e))"
    )


def existing_views(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal "
        "UNION SELECT table_name FROM duckdb_tables() WHERE NOT internal"
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


def topology_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """Cheap: changes whenever a run adds, removes or replaces entity or relation rows."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM entities), (SELECT max(run_id) FROM entities), "
        "(SELECT count(*) FROM relations), (SELECT max(run_id) FROM relations)"
    ).fetchall()
    return tuple(row[0]) if row else ()


def annotations_fingerprint(
    con: duckdb.DuckDBPyConnection, views: frozenset[str]
) -> tuple[Any, ...]:
    """Changes when owners, on-call or levels may have: a source run that stored new data
    (the last ``ok`` run id; ``unchanged`` runs store nothing) or new scorecard levels.
    ``ownership_claims`` and ``entity_oncall`` are derived from source snapshots only."""
    parts = ["(SELECT max(run_id) FROM runs WHERE status = 'ok')" if "runs" in views else "NULL"]
    if "entity_levels" in views:
        parts.append("(SELECT (count(*), sum(hash(v))) FROM entity_levels v)")
    row = con.execute(f"SELECT {', '.join(parts)}").fetchall()
    return (tuple(v for v in OPTIONAL_VIEWS if v in views), *(row[0] if row else ()))


def _columns(con: duckdb.DuckDBPyConnection, sql: str) -> list[list[Any]]:
    # Arrow columns to Python lists: ~2x faster than fetchall() on 100k+ rows.
    table = con.sql(sql).to_arrow_table()
    return [column.to_pylist() for column in table.columns]


def load_nodes(con: duckdb.DuckDBPyConnection) -> NodeColumns:
    """Every ref, in id order: entities, and refs that relations name but no entity has
    (``missing``). If several sources emit one ref, the first source by name wins."""
    cols = _columns(
        con,
        _edges_cte() + ", ent AS (SELECT * FROM entities "
        "  QUALIFY row_number() OVER (PARTITION BY ref ORDER BY source) = 1) "
        "SELECT ids.ref, ent.kind, ent.namespace, ent.name, ent.owner, ent.lifecycle, ent.type, "
        "ent.ref IS NULL AS missing FROM ids LEFT JOIN ent USING (ref) ORDER BY ids.id",
    )
    if not cols or not cols[0]:
        return [], [], [], [], [], [], [], []
    return cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7]


def load_edges(con: duckdb.DuckDBPyConnection) -> EdgeColumns:
    """Distinct edges as id columns; both relations of a pair fold into one edge."""
    table = con.sql(
        _edges_cte() + ", d AS (SELECT a, b, min(label) AS label FROM e GROUP BY a, b) "
        "SELECT ia.id, ib.id, CAST(d.label AS INTEGER) FROM d JOIN ids ia ON ia.ref = d.a "
        "JOIN ids ib ON ib.ref = d.b ORDER BY 1, 2"
    ).to_arrow_table()
    a, b, label = (_int32_array(column) for column in table.columns)
    return a, b, label


def _int32_array(column: Any) -> array[int]:
    """An Arrow INTEGER column without nulls as ``array('i')``, copied from its buffer."""
    out = array("i")
    chunk = column.combine_chunks()
    if len(chunk):
        data = memoryview(chunk.buffers()[1]).cast("B")
        out.frombytes(data[chunk.offset * 4 : (chunk.offset + len(chunk)) * 4])
    return out


def load_group_parents(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """group -> its parent groups (``childOf``), for walking up the team tree."""
    rows = con.execute(
        "SELECT source_ref, list(DISTINCT target_ref ORDER BY target_ref) FROM relations "
        "WHERE type = 'childOf' GROUP BY 1"
    ).fetchall()
    return {str(child): tuple(parents) for child, parents in rows}


def load_owners(
    con: duckdb.DuckDBPyConnection, views: frozenset[str]
) -> dict[str, tuple[str, ...]]:
    """subject -> distinct owner refs, catalog owner first (``ownership_claims``)."""
    if "ownership_claims" not in views:
        return {}
    # The store's copy of the claims as of the last load (migration 8) holds the same rows as
    # the view, which joins CODEOWNERS and PagerDuty rows to the catalog on every read (L: 0.2
    # instead of 0.7 CPU-s).
    claims = "_resolved_claims" if "_resolved_claims" in views else "ownership_claims"
    order = " ".join(f"WHEN '{role}' THEN {i}" for i, role in enumerate(ROLE_ORDER))
    rows = con.execute(
        "SELECT lower(subject), list(owner ORDER BY rank, owner) FROM ("
        f"  SELECT subject, lower(owner) AS owner, min(CASE role {order} ELSE 99 END) AS rank"
        f"  FROM {claims} WHERE subject IS NOT NULL AND owner IS NOT NULL"
        "  GROUP BY subject, lower(owner)"
        ") GROUP BY 1"
    ).fetchall()
    return {str(subject): tuple(owners) for subject, owners in rows}


def load_oncall(con: duckdb.DuckDBPyConnection, views: frozenset[str]) -> dict[str, OnCall]:
    """ref -> its on-call (``entity_oncall``); with several services, the first by service id."""
    if "entity_oncall" not in views:
        return {}
    rows = con.execute(
        "SELECT lower(ref), service_id, service_name, escalation_policy_id, "
        "escalation_policy_name, escalation_levels, oncall_now FROM entity_oncall "
        "WHERE ref IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY lower(ref) ORDER BY service_id NULLS LAST) = 1"
    ).fetchall()
    return {
        str(ref): OnCall(sid, sname, pid, pname, levels, tuple(now or ()))
        for ref, sid, sname, pid, pname, levels, now in rows
    }


def load_levels(con: duckdb.DuckDBPyConnection, views: frozenset[str]) -> dict[str, str]:
    """ref -> readiness level. With several scorecards, one whose name contains "readiness"
    wins, else the first by name; ``unknown`` rows are kept as the string ``unknown``."""
    if "entity_levels" not in views:
        return {}
    rows = con.execute(
        "SELECT lower(ref), level FROM entity_levels WHERE ref IS NOT NULL AND level IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY lower(ref) "
        "ORDER BY (lower(scorecard) LIKE '%readiness%') DESC, scorecard) = 1"
    ).fetchall()
    return {str(ref): str(level) for ref, level in rows}
