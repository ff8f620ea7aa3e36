"""Entity ownership and ownership gaps of teams, in memory, for the plugin's routes.

At 50,000 entities one entity's ownership took ~6 queries over the store's views (~40 ms of
CPU: ``entity_oncall`` alone 14 ms) and a team's gaps a recursive query plus a scan of
``ownership_gaps`` (~40 ms); at the plugin's mix (200 requests/s, a quarter of them ownership,
a tenth team gaps) that is more than the machine's two cores. So the API keeps, per data
version, the rows those routes read — the resolved owner, the claims, the conflicts, the open
gaps, the on-call — as columns of small integer codes (:class:`Columns`) sorted by entity, and
answers a request on the event loop with a few list lookups (~0.1 ms).

* **Built set-based, in the background**: one query per view, in one read transaction, when
  the data changed (checked at most once a second by :data:`FINGERPRINT`, one small query);
  requests keep being answered from the previous version meanwhile (as the scorecard cache),
  and until the first build they take the SQL path (``service.api.entity_reads``).
* **Exact**: the answers are the SQL path's JSON bytes (a test compares every entity and every
  group of the example organisation). ``entity_oncall.oncall_now`` depends on the clock (who is
  on call *now*); the cache stores when its on-call answers stop being true (the next start or
  end of an on-call shift) and, past that, answers from SQL until it has been rebuilt.
* **Unknown refs** are not answered here: the SQL path gives the 404 with close names.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pydantic_core

from service.api.builds import building
from service.api.columns import Columns, int32s
from service.api.scorecard_cache import Reader

log = logging.getLogger("steward.api")

CHECK_EVERY_S = 1.0
"""How often a request starts a background check for changed data (one small query)."""

FINGERPRINT = (
    "SELECT (SELECT (count(*), max(run_id), max(finished_at)) FROM ingest_runs), "
    "(SELECT (count(*), max(last_seen), max(closed_at)) FROM gap_episodes)"
)
"""Changes whenever what the cache holds may have: every source run (claims, entities,
on-call, ``source_last_seen``) and every gaps step (``last_seen`` of the open gaps)."""

_KEYS = (
    "WITH keys AS (SELECT ref, (row_number() OVER (ORDER BY ref) - 1)::INTEGER AS k "
    "FROM (SELECT DISTINCT ref FROM entities)) "
)
"""Entity numbers: the position of the ref among the sorted distinct refs (the same in every
query of one transaction)."""

_CLAIMS = (
    _KEYS + "SELECT k.k, c.owner, c.role, c.source, c.evidence, c.owner_raw, "
    "s.last_seen AS observed_at FROM _resolved_claims c JOIN keys k ON k.ref = c.subject "
    "LEFT JOIN source_last_seen s USING (source) "
    "ORDER BY k.k, CASE c.role WHEN 'owner' THEN 0 WHEN 'codeowner' THEN 1 WHEN 'infra' THEN 2 "
    "ELSE 3 END, c.source, c.owner, c.evidence, c.owner_raw"
)
_OWNERSHIP = (
    _KEYS + "SELECT k.k, o.owner, o.resolved_from, to_json(o.agreeing_sources) AS agreeing, "
    "to_json(o.disagreeing_sources) AS disagreeing FROM ownership o JOIN keys k ON k.ref = o.ref "
    "ORDER BY k.k"
)
_CONFLICTS = (
    _KEYS + "SELECT k.k, c.role, c.source, c.resolved_owner, "
    "to_json(c.claimed_owners) AS claimed_owners, to_json(c.evidence) AS evidence "
    "FROM ownership_conflicts c JOIN keys k ON k.ref = c.subject ORDER BY k.k, c.role, c.source"
)
_ONCALL = (
    _KEYS + "SELECT k.k, o.service_id, o.service_name, o.escalation_policy_id, "
    "o.escalation_policy_name, o.escalation_levels, to_json(o.oncall_now) AS oncall_now "
    "FROM entity_oncall o JOIN keys k ON k.ref = o.ref "
    "QUALIFY row_number() OVER (PARTITION BY k.k ORDER BY o.service_id) = 1 ORDER BY k.k"
)
_ONCALL_CHANGES = (
    "SELECT min(t) FROM (SELECT starts_at AS t FROM oncalls UNION ALL "
    "SELECT ends_at FROM oncalls) WHERE t > now()"
)
"""When the next on-call shift starts or ends: ``oncall_now`` is true until then."""
_GAPS = (
    "SELECT subject, gap, detail, evidence, owner, first_seen, last_seen, earlier_episodes "
    "FROM ownership_gaps ORDER BY gap, subject, detail"
)
"""``service.ownership.ownership_gaps``'s rows, in its order ((subject, gap, detail) is the
identity of an open gap, so the order is total)."""
_PARENT_OF = "SELECT source_ref, target_ref FROM relations WHERE type = 'parentOf'"


@dataclass(frozen=True)
class Keyed:
    """Rows sorted by entity number: an entity's rows are the slice ``bisect`` finds."""

    keys: array[int]
    columns: Columns

    @classmethod
    def of(cls, table: pa.Table, json_columns: Iterable[str] = ()) -> Keyed:
        return cls(
            int32s(table.column("k").combine_chunks()),
            _columns(table.drop_columns(["k"]), json_columns),
        )

    def rows(self, key: int) -> list[dict[str, Any]]:
        start = bisect_left(self.keys, key)
        stop = bisect_right(self.keys, key, start)
        return self.columns.rows(start, stop) if stop > start else []


def _columns(table: pa.Table, json_columns: Iterable[str]) -> Columns:
    """``table`` as codes; the (few, distinct) values of ``json_columns`` (lists the query
    wrote as JSON text, as Arrow cannot dictionary-encode lists) decoded once."""
    columns = Columns.of(table)
    for name in json_columns:
        columns.values[name] = [None if v is None else json.loads(v) for v in columns.values[name]]
    return columns


@dataclass(frozen=True)
class RefIndex:
    """The rows of a column with ref values, by ref: row numbers sorted by (code, row)."""

    codes: dict[str, int]
    sorted_codes: array[int]
    rows: array[int]

    @classmethod
    def of(cls, values: list[Any], codes: Any) -> RefIndex:
        order = sorted(range(len(codes)), key=codes.__getitem__)  # stable: row order kept
        return cls(
            {v: i for i, v in enumerate(values) if v is not None},
            _ints(codes[i] for i in order),
            _ints(order),
        )

    def of_ref(self, ref: str) -> Any:
        code = self.codes.get(ref)
        if code is None:
            return ()
        start = bisect_left(self.sorted_codes, code)
        return self.rows[start : bisect_right(self.sorted_codes, code, start)]


def _ints(values: Iterable[int]) -> array[int]:
    return array("i", values)


@dataclass(frozen=True)
class OwnershipData:
    """One data version's answers."""

    fingerprint: tuple[Any, ...]
    entities: dict[str, int]
    owners: Keyed
    claims: Keyed
    conflicts: Keyed
    oncall: Keyed
    oncall_until: datetime | None
    """when an ``oncall_now`` may change (None: never, no future shift boundary)."""
    gaps: Columns
    gaps_by_subject: RefIndex
    gaps_by_owner: RefIndex
    children: dict[str, list[str]]

    def ownership(self, ref: str, now: datetime) -> dict[str, Any] | None:
        """``EntityOwnership`` as plain data, field for field; None when ``ref`` is not an
        entity or the on-call part may have changed since the build."""
        key = self.entities.get(ref)
        if key is None or self.oncall_changed(now):
            return None
        owner = self.owners.rows(key)
        found = owner[0] if owner else {}
        oncall = self.oncall.rows(key)
        return {
            "ref": ref,
            "owner": found.get("owner"),
            "resolved_from": found.get("resolved_from"),
            "agreeing_sources": found.get("agreeing") or [],
            "disagreeing_sources": found.get("disagreeing") or [],
            "claims": self.claims.rows(key),
            "conflicts": self.conflicts.rows(key),
            "gaps": [
                {
                    "gap": g["gap"],
                    "detail": g["detail"],
                    "first_seen": g["first_seen"],
                    "evidence": g["evidence"],
                }
                for g in self._gap_rows(self.gaps_by_subject.of_ref(ref))
            ],
            "oncall": oncall[0] if oncall else None,
        }

    def oncall_changed(self, now: datetime) -> bool:
        """Whether an on-call shift started or ended since the build."""
        return self.oncall_until is not None and now >= self.oncall_until

    def team_gaps(self, team: str | None, limit: int) -> dict[str, Any] | None:
        """``Gaps`` as plain data: all open gaps, or those whose owner or subject is ``team``
        or a group below it; None when ``team`` is not an entity."""
        if team is None:
            rows: Any = range(len(self.gaps.codes["gap"]))
        elif team not in self.entities:
            return None
        else:
            found: set[int] = set()
            for ref in self._tree(team):
                found.update(self.gaps_by_owner.of_ref(ref))
                found.update(self.gaps_by_subject.of_ref(ref))
            rows = sorted(found)
        gap_codes, gap_values = self.gaps.codes["gap"], self.gaps.values["gap"]
        by_type = Counter(gap_values[gap_codes[i]] for i in rows)
        return {
            "team": team,
            "count": len(rows),
            "by_type": dict(sorted(by_type.items())),
            "gaps": self._gap_rows(rows[:limit]),
        }

    def _tree(self, team: str) -> list[str]:
        """``team`` and every group below it (``parentOf``, cycles included once)."""
        seen = {team}
        pending = [team]
        while pending:
            for child in self.children.get(pending.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        return list(seen)

    def _gap_rows(self, rows: Iterable[int]) -> list[dict[str, Any]]:
        codes, values = self.gaps.codes, self.gaps.values
        return [{name: values[name][codes[name][i]] for name in values} for i in rows]


class OwnershipCache:
    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._data: OwnershipData | None = None
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self._checked = 0.0
        self.builds = 0

    def ownership_json(self, ref: str) -> bytes | None:
        """``ref``'s ``EntityOwnership`` JSON, or None: not loaded yet, not an entity, or its
        on-call may have changed (the caller takes the SQL path then)."""
        data = self._current()
        if data is None:
            return None
        now = datetime.now(UTC)
        if data.oncall_changed(now):
            self._refresh()
        answer = data.ownership(ref, now)
        return None if answer is None else pydantic_core.to_json(answer)

    def gaps_json(self, team: str | None, limit: int) -> bytes | None:
        """``Gaps`` JSON (all, or ``team``'s subtree), or None: not loaded yet or not an
        entity."""
        data = self._current()
        if data is None:
            return None
        answer = data.team_gaps(team, limit)
        return None if answer is None else pydantic_core.to_json(answer)

    def warm(self) -> None:
        """Build in the background now (at start-up), so no request waits for it."""
        if self._data is None:
            self._refresh()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background build (tests)."""
        thread = self._building
        if thread is not None:
            thread.join(timeout)

    def _current(self) -> OwnershipData | None:
        data = self._data
        if time.monotonic() - self._checked > CHECK_EVERY_S:
            self._checked = time.monotonic()
            self._refresh()
        return data

    def _refresh(self) -> None:
        with self._lock:
            if self._building is not None and self._building.is_alive():
                return
            previous = self._data
            self._building = threading.Thread(
                target=self._build_if_changed,
                args=[previous],
                name="steward-ownership-cache",
                daemon=True,
            )
            self._building.start()

    def _build_if_changed(self, previous: OwnershipData | None) -> None:
        try:
            with self._reader() as cur:
                cur.begin()  # one committed state for all the queries of a build
                try:
                    fingerprint = _fingerprint(cur)
                    if (
                        previous is not None
                        and previous.fingerprint == fingerprint
                        and not previous.oncall_changed(datetime.now(UTC))
                    ):
                        return
                    data = self.build(cur, fingerprint)
                finally:
                    cur.rollback()
            self._data = data
        except Exception:  # the previous answers keep being served
            log.exception("ownership cache build failed")

    def build(
        self, cur: duckdb.DuckDBPyConnection, fingerprint: tuple[Any, ...] | None = None
    ) -> OwnershipData:
        """Every answer of ``cur``'s data (call inside a transaction)."""
        with building():  # one at a time; its freed heap back to the OS
            return self._build_now(cur, fingerprint)

    def _build_now(
        self, cur: duckdb.DuckDBPyConnection, fingerprint: tuple[Any, ...] | None
    ) -> OwnershipData:
        self.builds += 1
        refs = [
            str(r[0])
            for r in cur.execute("SELECT DISTINCT ref FROM entities ORDER BY ref").fetchall()
        ]
        gaps = cur.sql(_GAPS).to_arrow_table()
        gap_columns = Columns.of(gaps)
        children: dict[str, list[str]] = {}
        for parent, child in cur.execute(_PARENT_OF).fetchall():
            children.setdefault(str(parent), []).append(str(child))
        until = cur.execute(_ONCALL_CHANGES).fetchall()  # to the end: the cursor is reused
        data = OwnershipData(
            fingerprint=fingerprint if fingerprint is not None else _fingerprint(cur),
            entities={ref: k for k, ref in enumerate(refs)},
            owners=Keyed.of(cur.sql(_OWNERSHIP).to_arrow_table(), ["agreeing", "disagreeing"]),
            claims=Keyed.of(cur.sql(_CLAIMS).to_arrow_table()),
            conflicts=Keyed.of(
                cur.sql(_CONFLICTS).to_arrow_table(), ["claimed_owners", "evidence"]
            ),
            oncall=Keyed.of(cur.sql(_ONCALL).to_arrow_table(), ["oncall_now"]),
            oncall_until=until[0][0] if until else None,
            gaps=gap_columns,
            gaps_by_subject=RefIndex.of(
                gap_columns.values["subject"], gap_columns.codes["subject"]
            ),
            gaps_by_owner=RefIndex.of(gap_columns.values["owner"], gap_columns.codes["owner"]),
            children=children,
        )
        log.info("ownership cache built: entities=%d gaps=%d", len(refs), gaps.num_rows)
        return data


def _fingerprint(cur: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    rows = cur.execute(FINGERPRINT).fetchall()
    return tuple(rows[0]) if rows else ()
