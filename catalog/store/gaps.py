"""Gap episodes: ``_gaps_now`` (a view over current data) folded into ``gap_episodes``.

A gap seen again extends its open episode (``last_seen``); a gap no longer seen closes its
episode; a gap that comes back opens a new episode, so ``ownership_gaps.earlier_episodes``
shows that it has been fixed before. Identity of a gap: (subject, gap, detail).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

_STALE = """
SELECT e.ref AS subject, 'stale' AS gap,
       'source ' || e.source || ' has not been ingested successfully for more than '
         || $days || ' days' AS detail,
       e.location || ':' || e.line AS evidence
FROM entities e JOIN source_last_seen s USING (source)
WHERE s.last_seen < $now - to_days(CAST($days AS INTEGER))
"""

_KEY = "g.subject = n.subject AND g.gap = n.gap AND g.detail = n.detail"


def refresh_gap_episodes(
    con: duckdb.DuckDBPyConnection, now: datetime, stale_after_days: int | None
) -> int:
    """Fold the current gaps into the episode history; returns how many gaps are open.

    Must run inside a transaction.
    """
    stale = f"UNION {_STALE}" if stale_after_days is not None else ""
    params = {"now": now, "days": stale_after_days} if stale_after_days is not None else {}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _gaps_current AS SELECT * FROM _gaps_now {stale}",
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
    return int(row[0]) if row else 0
