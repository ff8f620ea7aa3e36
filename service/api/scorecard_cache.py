"""The latest scorecard results of every entity, in memory, for the entity-scorecards route.

At 50,000 entities a scorecard run stores ~1.3 M check results; finding one entity's rows in
``scorecard_result_rows`` is a scan (tens of ms), too slow for a plugin tab opened at 200
requests/s. So the API keeps, per latest run of each scorecard, the results sorted by entity
in one Arrow table with each entity's offsets, and per run (the last ``HISTORY_POINTS`` runs)
the level and score of every entity in numpy arrays. A lookup is a dict lookup and a slice.

When a new scorecard run lands (checked at most once a second, one small query), the cache is
rebuilt in a background thread while requests keep being answered from the previous run;
the new results replace it as a whole, a second or two later. History is extended with the new
run only.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pydantic_core

from service.api import models
from service.api.builds import building
from service.api.columns import Columns, int32_array, int32s

log = logging.getLogger("steward.api")

HISTORY_POINTS = 52
CHECK_EVERY_S = 1.0
"""How often a request checks for a newer scorecard run (one small query)."""
Reader = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass(frozen=True)
class CardMeta:
    title: str
    levels: list[str]
    checks: dict[str, tuple[str, str, float]]
    """check id → (title, level, weight)."""


@dataclass(frozen=True)
class RunPoints:
    """One scorecard run: every entity's level and score, by entity id (sorted)."""

    run_id: int
    scorecard: str
    at: datetime
    ids: array[int]
    ranks: array[int]
    scores: array[float]
    levels: list[str]

    def point(self, entity: int) -> dict[str, object] | None:
        """``entity``'s history point in this run (a ``ScoreHistoryPoint`` as plain data)."""
        i = bisect_left(self.ids, entity)
        if i >= len(self.ids) or self.ids[i] != entity:
            return None
        rank = self.ranks[i]
        score = self.scores[i]
        return {
            "run_id": self.run_id,
            "at": self.at,
            "level": self.levels[rank - 1] if rank > 0 else None,
            "score": None if math.isnan(score) else score,
        }


@dataclass
class Snapshot:
    latest: dict[str, int]
    meta: dict[str, CardMeta]
    results: Columns
    offsets: dict[str, tuple[int, int]]
    runs: list[RunPoints] = field(default_factory=list)
    """oldest first, at most HISTORY_POINTS per scorecard."""


class ScorecardCache:
    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._snapshot: Snapshot | None = None
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self._checked = 0.0
        self.builds = 0

    def lookup(self, cur: duckdb.DuckDBPyConnection, ref: str) -> models.EntityScorecards | None:
        """``ref``'s scorecards, or None when no latest run rated it (the caller then checks
        that the entity exists)."""
        snap = self._snapshot
        if snap is None:
            self.wait()  # a warm-up build in progress
            with self._lock:
                if self._snapshot is None:
                    self._snapshot = self._build(cur, _latest_runs(cur), None)
                    self._checked = time.monotonic()
                snap = self._snapshot
        elif time.monotonic() - self._checked > CHECK_EVERY_S:
            self._checked = time.monotonic()
            latest = _latest_runs(cur)
            if snap.latest != latest:
                self._refresh_in_background()
        if ref not in snap.offsets:
            return None
        return _answer(snap, ref, self._ids.get(ref))

    def peek_json(self, ref: str) -> tuple[bool, bytes | None]:
        """Without touching the database (for the event loop): ``(False, None)`` while no
        run is loaded yet (use :meth:`lookup` on a cursor then), else ``(True, ref's
        scorecards as ``EntityScorecards`` JSON, or None when no latest run rated it)``. At most
        once a second it starts a background check for a newer run; the answer comes from one
        loaded run, whole."""
        snap = self._snapshot
        if snap is None:
            return False, None
        if time.monotonic() - self._checked > CHECK_EVERY_S:
            self._checked = time.monotonic()
            self._refresh_in_background(only_if_newer=True)
        if ref not in snap.offsets:
            return True, None
        return True, answer_json(snap, ref, self._ids.get(ref))

    def warm(self) -> None:
        """Build in the background now (at start-up), so no request waits for it."""
        if self._snapshot is None:
            self._refresh_in_background()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background rebuild (tests)."""
        thread = self._building
        if thread is not None:
            thread.join(timeout)

    def _refresh_in_background(self, *, only_if_newer: bool = False) -> None:
        with self._lock:
            if self._building is not None and self._building.is_alive():
                return
            previous = self._snapshot

            def work() -> None:
                try:
                    with self._reader() as cur:
                        cur.begin()  # one committed state for all the queries of a build
                        try:
                            latest = _latest_runs(cur)
                            if only_if_newer and previous is not None and previous.latest == latest:
                                return
                            snapshot = self._build(cur, latest, previous)
                        finally:
                            cur.rollback()
                    with self._lock:
                        self._snapshot = snapshot
                except Exception:  # the previous results keep being served
                    log.exception("scorecard cache rebuild failed")

            self._building = threading.Thread(
                target=work, name="steward-scorecard-cache", daemon=True
            )
            self._building.start()

    def _build(
        self, cur: duckdb.DuckDBPyConnection, latest: dict[str, int], previous: Snapshot | None
    ) -> Snapshot:
        with building():  # one at a time; its freed heap back to the OS
            return self._build_now(cur, latest, previous)

    def _build_now(
        self, cur: duckdb.DuckDBPyConnection, latest: dict[str, int], previous: Snapshot | None
    ) -> Snapshot:
        self.builds += 1
        run_ids = sorted(set(latest.values()))
        meta = _meta(cur, latest)
        if not run_ids:
            return Snapshot(latest, meta, Columns.of(pa.table({})), {}, [])
        in_runs = ", ".join(str(int(r)) for r in run_ids)
        columns, offsets = _latest_results(cur, in_runs)
        for ref in offsets:
            if ref not in self._ids:
                self._ids[ref] = len(self._ids)
        runs = [] if previous is None else list(previous.runs)
        known = {(p.scorecard, p.run_id) for p in runs}
        for card in sorted(latest, key=latest.__getitem__):
            wanted = _history_runs(cur, card, HISTORY_POINTS)
            for rid in wanted:
                if (card, rid) not in known:
                    runs.append(self._run_points(cur, card, rid, meta))
            keep = set(wanted)
            runs = [p for p in runs if p.scorecard != card or p.run_id in keep]
        runs.sort(key=lambda p: (p.run_id, p.scorecard))
        log.info("scorecard cache built: runs=%s results=%d", run_ids, len(columns.codes["state"]))
        return Snapshot(latest, meta, columns, offsets, runs)

    def _run_points(
        self, cur: duckdb.DuckDBPyConnection, card: str, run_id: int, meta: dict[str, CardMeta]
    ) -> RunPoints:
        table = cur.sql(
            "SELECT e.ref, e.level_rank, e.score, u.started_at FROM scorecard_entity_rows e "
            "JOIN scorecard_runs u USING (run_id) WHERE e.run_id = $run AND e.scorecard = $card",
            params={"run": run_id, "card": card},
        ).to_arrow_table()
        refs = table.column("ref").to_pylist()
        for ref in refs:
            if ref not in self._ids:
                self._ids[ref] = len(self._ids)
        # sorted by entity id in Arrow (the GIL released): a Python sort of 50,000 tuples, and
        # 50,000 timestamps made Python datetimes for the first one, held the GIL for ~0.3 s,
        # a stall of every request the event loop had in hand
        ids = pa.array([self._ids[r] for r in refs], pa.int64())
        order = pc.sort_indices(ids)
        scores = pc.fill_null(table.column("score").cast(pa.float64()), math.nan)
        levels = _run_levels(cur, card, run_id) or meta.get(card, CardMeta("", [], {})).levels
        return RunPoints(
            run_id=run_id,
            scorecard=card,
            at=table.column("started_at")[0].as_py() if table.num_rows else datetime.min,
            ids=_typed(pc.take(ids, order), pa.int64(), "q"),
            ranks=_typed(pc.take(table.column("level_rank"), order), pa.int16(), "h"),
            scores=_typed(pc.take(scores, order), pa.float64(), "d"),
            levels=levels,
        )


def _typed(values: pa.Array | pa.ChunkedArray, kind: pa.DataType, typecode: str) -> array[Any]:
    """Arrow numbers (no nulls) as an ``array(typecode)`` of the same width, copied."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = values.cast(kind)
    out = array(typecode)
    width = out.itemsize
    data = values.buffers()[1]
    if data is not None:
        out.frombytes(
            memoryview(data)[values.offset * width : (values.offset + len(values)) * width]
        )
    return out


RESULT_BATCH_ROWS = 100_000


def _latest_results(
    cur: duckdb.DuckDBPyConnection, in_runs: str
) -> tuple[Columns, dict[str, tuple[int, int]]]:
    """The results of the runs ``in_runs``, by entity: columns sorted by ref (grouped, in no
    particular order of refs) and, within a ref, by scorecard, check level and check id; and
    each ref's (start, stop). Read in batches and coded as they come, sorted on integers: the
    whole result as an Arrow table plus DuckDB's sort of it took ~600 MB at peak at L (1.2 M
    results), as much as everything else the API process holds."""
    reader = cur.sql(
        f"""
        WITH c AS (
          SELECT run_id, scorecard, check_id,
                 (dense_rank() OVER (ORDER BY scorecard, level_rank, check_id))::INTEGER AS pos
          FROM (SELECT DISTINCT run_id, scorecard, check_id, level_rank
                FROM scorecard_check_rows WHERE run_id IN ({in_runs}))
        )
        SELECT c.pos, r.ref, r.scorecard, r.check_id, r.state, r.evidence, r.exemption_reason,
               r.exemption_expires
        FROM scorecard_result_rows r JOIN c USING (run_id, scorecard, check_id)
        WHERE r.run_id IN ({in_runs})
        """
    ).to_arrow_reader(RESULT_BATCH_ROWS)
    positions = array("i")

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            positions.extend(int32s(batch.column("pos")))
            yield batch.drop_columns(["pos"])

    coded = Columns.of_batches(batches())
    if "ref" not in coded.codes:  # no rows
        return Columns.of(pa.table({})), {}
    ref_codes = coded.codes.pop("ref")
    refs = coded.values.pop("ref")
    order = pc.sort_indices(
        pa.table({"ref": int32_array(ref_codes), "pos": int32_array(positions)}),
        sort_keys=[("ref", "ascending"), ("pos", "ascending")],
    )
    sorted_refs = pc.take(int32_array(ref_codes), order)
    offsets: dict[str, tuple[int, int]] = {}
    start = 0
    for item in pc.value_counts(sorted_refs).to_pylist():  # in order: ascending codes
        n = int(item["counts"])
        offsets[str(refs[item["values"]])] = (start, start + n)
        start += n
    return coded.take(order), offsets


def _answer(snap: Snapshot, ref: str, entity: int | None) -> models.EntityScorecards:
    return models.EntityScorecards.model_validate(_plain_answer(snap, ref, entity))


def _plain_answer(snap: Snapshot, ref: str, entity: int | None) -> dict[str, Any]:
    """``EntityScorecards`` as plain data, field for field (no model built: this runs on the
    event loop for every request; ``to_json`` gives the same JSON as the model would)."""
    span = snap.offsets.get(ref)
    if span is None or entity is None:
        return {"ref": ref, "scorecards": []}
    rows = snap.results.rows(span[0], span[1])
    checks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        card = snap.meta.get(row["scorecard"])
        if card is None:
            continue
        title, level, weight = card.checks.get(row["check_id"], (row["check_id"], "", 0.0))
        reason = row["exemption_reason"]
        checks.setdefault(row["scorecard"], []).append(
            {
                "id": row["check_id"],
                "title": title,
                "level": level,
                "weight": weight,
                "state": row["state"],
                "evidence": row["evidence"] or "",
                "exemption": None
                if reason is None
                else {"reason": reason, "expires": row["exemption_expires"]},
            }
        )
    cards = []
    for card_id in sorted(checks):
        history = [
            point
            for run in snap.runs
            if run.scorecard == card_id and (point := run.point(entity)) is not None
        ]
        if not history or history[-1]["run_id"] != snap.latest[card_id]:
            continue
        current = history[-1]
        meta = snap.meta[card_id]
        cards.append(
            {
                "id": card_id,
                "title": meta.title,
                "level": current["level"],
                "score": current["score"],
                "levels": meta.levels,
                "checks": checks[card_id],
                "history": history,
            }
        )
    return {"ref": ref, "scorecards": cards}


def answer_json(snap: Snapshot, ref: str, entity: int | None) -> bytes:
    return pydantic_core.to_json(_plain_answer(snap, ref, entity))


def _latest_runs(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = cur.execute(
        "SELECT scorecard, max(run_id) FROM _scorecard_checks GROUP BY scorecard"
    ).fetchall()
    return {str(s): int(r) for s, r in rows}


def _history_runs(cur: duckdb.DuckDBPyConnection, card: str, limit: int) -> list[int]:
    rows = cur.execute(
        "SELECT DISTINCT run_id FROM _scorecard_checks WHERE scorecard = ? "
        "ORDER BY run_id DESC LIMIT ?",
        [card, limit],
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def _run_levels(cur: duckdb.DuckDBPyConnection, card: str, run_id: int) -> list[str]:
    rows = cur.execute(
        "SELECT levels FROM scorecard_check_rows WHERE scorecard = ? AND run_id = ? LIMIT 1",
        [card, run_id],
    ).fetchall()  # fetched to the end: the next query on this cursor may be a relation
    return [str(v) for v in rows[0][0]] if rows else []


def _meta(cur: duckdb.DuckDBPyConnection, latest: dict[str, int]) -> dict[str, CardMeta]:
    meta: dict[str, CardMeta] = {}
    for card, run_id in latest.items():
        rows = cur.execute(
            "SELECT scorecard_title, levels, check_id, title, level, weight "
            "FROM scorecard_check_rows WHERE scorecard = ? AND run_id = ?",
            [card, run_id],
        ).fetchall()
        if rows:
            meta[card] = CardMeta(
                title=str(rows[0][0]),
                levels=[str(v) for v in rows[0][1]],
                checks={str(r[2]): (str(r[3]), str(r[4]), float(r[5])) for r in rows},
            )
    return meta
