"""Gap episodes: ``_gaps_now`` (a view over current data) folded into ``gap_episodes``.

A gap seen again extends its open episode (``last_seen``); a gap no longer seen closes its
episode; a gap that comes back opens a new episode, so ``ownership_gaps.earlier_episodes``
shows that it has been fixed before. Identity of a gap: (subject, gap, detail).

Evaluating ``_gaps_now`` is most of a fold (seconds at 50,000 entities). After a fold the open
episodes other than ``stale`` are exactly its rows, so when nothing ``_gaps_now`` reads has
changed since (no snapshot was loaded: the ``ok`` runs are the same, and the schema too) and no
on-call window of ``_gaps_now``'s clock-reading view opened or closed in between, the open
episodes are folded again instead of the view (:func:`_reusable`). ``stale`` gaps depend on the
time and on runs of any status, so they are always computed.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from catalog.store.inputs import view_inputs

_STALE = """
SELECT e.ref AS subject, 'stale' AS gap,
       'source ' || e.source || ' has not been ingested successfully for more than '
         || $days || ' days' AS detail,
       e.location || ':' || e.line AS evidence
FROM entities e JOIN source_last_seen s USING (source)
WHERE s.last_seen < $now - to_days(CAST($days AS INTEGER))
"""

_KEY = "g.subject = n.subject AND g.gap = n.gap AND g.detail = n.detail"

_LAST_FOLD = """
SELECT subject, gap, detail, evidence FROM gap_episodes
WHERE closed_at IS NULL AND gap <> 'stale'
"""

FOLD_META_KEY = "gaps_folded"
"""``store_meta`` key: what the last fold read (:func:`_inputs_token`) and the clock it saw."""

CLOCK_WINDOWS = {
    "_pd_oncall_now": (
        "SELECT count(*) FROM pd_oncall_rows WHERE valid_to IS NULL AND "
        "((starts_at > $lo AND starts_at <= $hi) OR (ends_at > $lo AND ends_at <= $hi))"
    ),
}
"""Views of ``_gaps_now`` that read the clock, each with a query counting the moments between
two times ($lo, $hi] at which its answer changes (``starts_at <= now() < ends_at``). A
clock-reading view not listed here makes every fold evaluate ``_gaps_now``."""


def refresh_gap_episodes(
    con: duckdb.DuckDBPyConnection, now: datetime, stale_after_days: int | None
) -> int:
    """Fold the current gaps into the episode history; returns how many gaps are open.

    Must run inside a transaction.
    """
    token = _inputs_token(con)
    ((clock,),) = con.execute("SELECT now()").fetchall()  # what _gaps_now's now() returns
    current = _LAST_FOLD if _reusable(con, token, clock) else "SELECT * FROM _gaps_now"
    stale = f"UNION {_STALE}" if stale_after_days is not None else ""
    params = {"now": now, "days": stale_after_days} if stale_after_days is not None else {}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _gaps_current AS {current} {stale}",
        params,
    )
    con.execute(
        f"UPDATE gap_episodes g SET last_seen = $now, evidence = n.evidence "
        f"FROM _gaps_current n WHERE g.closed_at IS NULL AND {_KEY}",
        {"now": now},
    )
    con.execute(
        f"UPDATE gap_episodes g SET closed_at = $now WHERE g.closed_at IS NULL AND NOT EXISTS "
        f"(SELECT 1 FROM _gaps_current n WHERE {_KEY})",
        {"now": now},
    )
    con.execute(
        f"INSERT INTO gap_episodes SELECT n.subject, n.gap, n.detail, n.evidence, $now, $now, "
        f"NULL FROM _gaps_current n WHERE NOT EXISTS "
        f"(SELECT 1 FROM gap_episodes g WHERE g.closed_at IS NULL AND {_KEY})",
        {"now": now},
    )
    row = con.execute("SELECT count(*) FROM gap_episodes WHERE closed_at IS NULL").fetchone()
    con.execute("DROP TABLE _gaps_current")
    con.execute(
        "INSERT OR REPLACE INTO store_meta VALUES (?, ?, now())",
        [FOLD_META_KEY, json.dumps({"inputs": token, "clock": clock.isoformat()})],
    )
    return int(row[0]) if row else 0


def _inputs_token(con: duckdb.DuckDBPyConnection) -> list[int]:
    """What changes whenever a snapshot may have changed: the schema version and the number and
    last id of ``ok`` runs (a snapshot is loaded only with an ``ok`` run, in its transaction)."""
    ((schema, ok_runs, last_ok),) = con.execute(
        "SELECT (SELECT max(version) FROM schema_version), count(*), coalesce(max(run_id), 0) "
        "FROM runs WHERE status = 'ok'"
    ).fetchall()
    return [int(schema), int(ok_runs), int(last_ok)]


def _reusable(con: duckdb.DuckDBPyConnection, token: list[int], clock: datetime) -> bool:
    """Whether the open episodes are what ``_gaps_now`` returns now (``clock``: the time its
    ``now()`` calls see, that of the transaction)."""
    rows = con.execute("SELECT value FROM store_meta WHERE key = ?", [FOLD_META_KEY]).fetchall()
    if not rows:
        return False
    last = json.loads(rows[0][0])
    if last.get("inputs") != token:
        return False
    found = view_inputs(con, ("_gaps_now",))
    clock_views = found.clock_views
    if found.missing or clock_views - CLOCK_WINDOWS.keys():
        return False
    then = datetime.fromisoformat(last["clock"])
    lo, hi = min(then, clock), max(then, clock)
    for view in clock_views:
        ((moments,),) = con.execute(CLOCK_WINDOWS[view], {"lo": lo, "hi": hi}).fetchall()
        if moments:
            return False
    return True
