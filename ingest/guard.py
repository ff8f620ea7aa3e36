"""The mass-delete guard: a run that would remove a large share of a source's objects is held.

A root that was unmounted, a token that suddenly sees one team, an API that answers an empty
page: each looks like a mass deletion. As Backstage is cautious with orphans, such a run keeps
the previous snapshot and fails loudly unless the operator allows it (``steward ingest
--allow-mass-delete``). Removed objects are counted by key (an entity's ref, a resource's ARN,
a PagerDuty id…) in the tables that hold a source's objects; problem, relation and file rows
come and go with fixes and are not guarded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

GUARDED_KEYS: dict[str, str] = {
    "entity_rows": "ref",
    "repository_rows": "name",
    "cloud_resource_rows": "arn",
    "pd_service_rows": "id",
    "pd_team_rows": "id",
    "pd_user_rows": "id",
    "pd_escalation_policy_rows": "id",
}
"""Snapshot table → the column that identifies one object in it."""


@dataclass(frozen=True)
class MassDeleteGuard:
    max_share: float = 0.2
    """A run may remove at most this share of a source's current objects, per table…"""
    min_count: int = 10
    """…unless it removes fewer than this many (small catalogs change by more than 20%)."""

    def check(
        self,
        cur: duckdb.DuckDBPyConnection,
        source: str,
        snapshot: Mapping[str, Mapping[str, Sequence[Any]]],
    ) -> str | None:
        """Why the new ``snapshot`` of ``source`` must not replace the current one, or None."""
        for table, columns in sorted(snapshot.items()):
            key = GUARDED_KEYS.get(table)
            if key is None:
                continue
            rows = cur.execute(
                f"SELECT DISTINCT {key} FROM {table} WHERE source = ? AND valid_to IS NULL",
                [source],
            ).fetchall()
            current = {row[0] for row in rows}
            removed = len(current - set(columns.get(key, ())))
            if removed >= self.min_count and removed > self.max_share * len(current):
                return (
                    f"this run would remove {removed} of {len(current)} {table} "
                    f"({removed / len(current):.0%}), more than the "
                    f"{self.max_share:.0%} allowed (mass_delete.max_share in steward.yaml); "
                    "the previous snapshot is kept. If the deletion is intended, run "
                    "`steward ingest --allow-mass-delete`"
                )
        return None
