"""Evaluating scorecards: set-based, stored in bulk, visible only once whole.

For every scorecard, in dependency order:

1. the scope (entities matching the filter) is materialised once into ``_sc_scope``;
2. each check runs ONE query over the whole scope, inserted straight into the run's rows of
   ``scorecard_result_rows`` (``INSERT … SELECT``: every result is written once);
3. entities whose source is stale get ``unknown`` for every check; active exemptions turn
   ``fail``/``unknown`` into ``exempt``;
4. levels: an entity's level is the highest level whose checks, and all checks below, pass or
   are exempt. ``dependencies_reach_level`` checks are solved by ``scorecards.levels``;
5. score: weighted percentage of passing checks, exempt checks left out of the sum.

Steps 1-2 of every scorecard run first, in two transactions committed one after the other:
the writer's, and one on a second cursor that inserts every other check's results at the same
time (each transaction compresses its own rows single-threaded; two of them use both cores).
Steps 3-5, the checks, exemptions and last the ``scorecard_runs`` row follow in a third
transaction. Readers see a run only through that row, so a run killed before it shows nothing;
the rows it left are deleted before the next run (``catalog.store.scorecard_orphans``). The
scratch tables (TEMP tables of the writer's connection: ``catalog.store.scorecard_scratch``)
are emptied before the last commit. A dry run does it all in one transaction of the writer and
rolls it back, so nothing of it is stored. Only SQL checks (author queries) run before the
transactions, so that a failing author query cannot abort them: their rows are kept in Arrow
and joined in.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from catalog.errors import StoreError
from catalog.store import Store
from catalog.store.scorecard_orphans import delete_unfinished_scorecard_runs
from catalog.store.scorecard_scratch import SCRATCH_TABLES, create_scorecard_scratch
from scorecards.checks import CheckContext, DependenciesReachLevel, SourceState, Sql
from scorecards.definitions import Scorecard, load_scorecards, select_scorecards
from scorecards.exemptions import Exemption, check_exemption_targets, load_exemptions
from scorecards.levels import solve_levels

SQL_CHECK_TIMEOUT_SECONDS = 30.0
RESULT_COLUMNS = "run_id, scorecard, check_id, ref, state, evidence"


@dataclass(frozen=True)
class LevelChange:
    scorecard: str
    ref: str
    owner: str | None
    before: str | None
    after: str | None
    before_rank: int | None
    """None: the entity was not in the scorecard's last stored run."""
    after_rank: int | None
    """None: the entity is no longer in scope."""

    @property
    def direction(self) -> str:
        if self.before_rank is None:
            return "new"
        if self.after_rank is None:
            return "gone"
        return "gained" if self.after_rank > self.before_rank else "lost"


@dataclass(frozen=True)
class ScorecardSummary:
    id: str
    title: str
    levels: tuple[str, ...]
    entities: int
    level_counts: dict[str, int]
    """level (or ``none``) -> entities at exactly that level."""
    average_score: float | None
    states: dict[str, int]


@dataclass
class RunResult:
    run_id: int | None
    """None for a dry run (nothing stored)."""
    started_at: datetime
    dry_run: bool
    summaries: list[ScorecardSummary] = field(default_factory=list)
    changes: list[LevelChange] = field(default_factory=list)
    """Level changes against the last stored run of each evaluated scorecard."""
    expired: list[Exemption] = field(default_factory=list)
    result_count: int = 0
    seconds: float = 0.0


def run_scorecards(
    store: Store,
    directory: Path,
    *,
    only: Sequence[str] = (),
    dry_run: bool = False,
    stale_after_days: int | None = 14,
    now: datetime | None = None,
) -> RunResult:
    """Load the definitions and exemptions under ``directory`` and evaluate them."""
    cards = load_scorecards(directory)
    exemptions = load_exemptions(directory)
    check_exemption_targets(exemptions, {c.id: {k.id for k in c.checks} for c in cards})
    return evaluate(
        store,
        select_scorecards(cards, only),
        exemptions,
        dry_run=dry_run,
        stale_after_days=stale_after_days,
        now=now,
    )


def evaluate(
    store: Store,
    cards: Sequence[Scorecard],
    exemptions: Sequence[Exemption],
    *,
    dry_run: bool = False,
    stale_after_days: int | None = 14,
    now: datetime | None = None,
) -> RunResult:
    """Evaluate ``cards`` (already in dependency order) and store the run unless ``dry_run``."""
    started = datetime.now(UTC)
    now = now or started
    # Author SQL runs on a reader cursor of its own, so its timeout interrupts only that query.
    with store.reader() as reader:
        ctx = _context(reader, now, stale_after_days)
        sql_rows = {
            (card.id, check.id): _run_sql_check(reader, check.params)
            for card in cards
            for check in card.checks
            if isinstance(check.params, Sql)
        }
    today = now.astimezone(UTC).date()
    result = RunResult(
        run_id=None,
        started_at=started,
        dry_run=dry_run,
        expired=[x for x in exemptions if x.expired(today)],
    )
    cutoff = None if stale_after_days is None else now - timedelta(days=stale_after_days)
    with store.write_lock:
        con = store.connection
        create_scorecard_scratch(con)
        con.execute("SET preserve_insertion_order = false")  # order unused
        try:
            if dry_run:
                with store.transaction(commit=False) as tx:
                    run_id = _evaluate_results(
                        tx, None, cards, exemptions, ctx, sql_rows, today, cutoff
                    )
                    _finish_all(tx, cards, run_id, result)
            else:
                delete_unfinished_scorecard_runs(con)
                second = _SecondHalf(store.cursor())
                try:
                    with store.transaction() as tx:
                        run_id = _evaluate_results(
                            tx, second, cards, exemptions, ctx, sql_rows, today, cutoff
                        )
                    # committed (compressing its rows) while the second half may still commit
                finally:
                    second.finish()
                with store.transaction() as tx:
                    _finish_all(tx, cards, run_id, result)
                    _store_run(tx, run_id, started, cards, exemptions, today)
                result.run_id = run_id
        finally:
            con.execute("RESET preserve_insertion_order")
    result.seconds = (datetime.now(UTC) - started).total_seconds()
    return result


def _evaluate_results(
    con: duckdb.DuckDBPyConnection,
    second: _SecondHalf | None,
    cards: Sequence[Scorecard],
    exemptions: Sequence[Exemption],
    ctx: CheckContext,
    sql_rows: dict[tuple[str, str], pa.Table | str],
    today: date,
    cutoff: datetime | None,
) -> int:
    """Draw the run id, fill the scratch tables and insert the results of every check but the
    dependency checks (inside the caller's transaction); returns the run id.

    With ``second``, every other check is inserted by it (its cursor, its transaction, its
    thread) while this one inserts the rest: each transaction compresses its own rows
    single-threaded (when 614,400 of them are transaction-local, and at its commit), so the
    halves of a large run use both cores. Once committed, the rows belong to a run id without a
    ``scorecard_runs`` row, which nothing reads (``catalog.store.scorecard_orphans``)."""
    row = con.execute("SELECT nextval('scorecard_run_ids')").fetchone()
    if row is None:  # pragma: no cover - a sequence always answers
        raise StoreError("scorecard_run_ids returned nothing")
    run_id = int(row[0])
    for table in SCRATCH_TABLES:
        con.execute(f"DELETE FROM {table}")
    _stage(con, "_sc_checks", _check_rows(cards))
    _stage(con, "_sc_exemptions", _exemption_rows(exemptions, today, active_only=True))
    row = con.execute("SELECT count(*) > count(DISTINCT ref) FROM entities").fetchone()
    shared_refs = bool(row and row[0])
    inserts: list[_Insert] = []
    for card in cards:
        inserts += _fill_scope(con, card, ctx, sql_rows, cutoff, run_id, shared_refs=shared_refs)
    if second is None:
        for insert in inserts:
            insert.run(con)
        return run_id
    second.start(con, inserts[1::2])
    for insert in inserts[0::2]:
        insert.run(con)
    return run_id


class _SecondHalf:
    """Inserts on a cursor of its own, in a transaction of its own committed on a thread of its
    own: DuckDB compresses each transaction's rows single-threaded, so two use both cores."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.cursor = cursor
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None

    def start(self, writer: duckdb.DuckDBPyConnection, inserts: list[_Insert]) -> None:
        """Copy the writer's scope (TEMP tables are per cursor) and start ``inserts``; the
        copy is read on the writer's cursor and written on this one's thread."""
        self.cursor.execute("SET preserve_insertion_order = false")
        create_scorecard_scratch(self.cursor)
        writer.complete()  # the last INSERT's count, unread: writer.sql refuses to start before
        scope = writer.sql("SELECT * FROM _sc_scope").to_arrow_table()
        self.thread = threading.Thread(
            target=self._run, args=[scope, inserts], name="scorecard-results"
        )
        self.thread.start()

    def _run(self, scope: pa.Table, inserts: list[_Insert]) -> None:
        try:
            _stage(self.cursor, "_sc_scope", scope)
            self.cursor.begin()
            try:
                for insert in inserts:
                    insert.run(self.cursor)
            except BaseException:
                self.cursor.rollback()
                raise
            self.cursor.commit()
        except BaseException as exc:  # raised by finish(), in the caller's thread
            self.failure = exc

    def finish(self) -> None:
        """Wait for the inserts and their commit; raise what failed."""
        if self.thread is not None:
            self.thread.join()
        self.cursor.close()
        if self.failure is not None:
            raise self.failure


def _finish_all(
    con: duckdb.DuckDBPyConnection,
    cards: Sequence[Scorecard],
    run_id: int,
    result: RunResult,
) -> None:
    """Exemptions, staleness, levels and scores of every card (their results in place); fills
    ``result``'s summaries, changes and count."""
    for card in cards:
        _finish_card(con, card, run_id)
    result.summaries = _summaries(con, cards, run_id)
    result.changes = _changes(con, [c.id for c in cards], run_id)
    row = con.execute(
        "SELECT count(*) FROM scorecard_result_rows WHERE run_id = ?", [run_id]
    ).fetchone()
    result.result_count = int(row[0]) if row else 0


# -- context ---------------------------------------------------------------------------------
def _context(
    con: duckdb.DuckDBPyConnection, now: datetime, stale_after_days: int | None
) -> CheckContext:
    views = {
        str(r[0])
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() UNION SELECT table_name FROM duckdb_tables()"
        ).fetchall()
    }
    states: dict[str, SourceState] = {}
    rows = con.execute(
        "SELECT source_type, max(finished_at) FROM runs "
        "WHERE status IN ('ok', 'unchanged') GROUP BY source_type"
    ).fetchall()
    for source_type, last_seen in rows:
        reason = None
        if stale_after_days is not None and last_seen < now - timedelta(days=stale_after_days):
            reason = (
                f"{source_type} data is stale: last successful ingest {last_seen:%Y-%m-%d %H:%M}"
                f" UTC, more than {stale_after_days} days ago"
            )
        states[str(source_type)] = SourceState(reason)
    return CheckContext(source_states=states, views=frozenset(views))


def _run_sql_check(con: duckdb.DuckDBPyConnection, params: Sql) -> pa.Table | str:
    """The author's query's failing refs as Arrow, or why it could not run (→ unknown)."""
    timer = threading.Timer(SQL_CHECK_TIMEOUT_SECONDS, con.interrupt)
    timer.start()
    try:
        columns = [
            d[0]
            for d in con.execute(f"SELECT * FROM ({params.query_text}) LIMIT 0").description or []
        ]
        if "ref" not in columns:
            return f"the query returns no 'ref' column (columns: {', '.join(columns)})"
        evidence = "CAST(evidence AS VARCHAR)" if "evidence" in columns else "NULL::VARCHAR"
        return con.sql(
            f"SELECT lower(CAST(ref AS VARCHAR)) AS ref, string_agg({evidence}, '; ') AS evidence"
            f" FROM ({params.query_text}) WHERE ref IS NOT NULL GROUP BY 1"
        ).to_arrow_table()
    except duckdb.InterruptException:
        return f"the query exceeded {SQL_CHECK_TIMEOUT_SECONDS:g} s"
    except duckdb.Error as exc:
        return f"the query failed: {exc}"
    finally:
        timer.cancel()


# -- staging ---------------------------------------------------------------------------------
def _stage(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list[Any]] | pa.Table
) -> None:
    arrow = columns if isinstance(columns, pa.Table) else pa.table(columns)
    con.register("_sc_staged", arrow)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _sc_staged")
    finally:
        con.unregister("_sc_staged")


def _check_rows(cards: Sequence[Scorecard]) -> dict[str, list[Any]]:
    by_id = {c.id: c for c in cards}
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "scorecard", "scorecard_title", "check_id", "title", "type", "level",
            "level_rank", "weight", "levels", "dep_scorecard", "dep_rank",
        )
    }  # fmt: skip
    for card in cards:
        for check in card.checks:
            dep_card: str | None = None
            dep_rank: int | None = None
            if isinstance(check.params, DependenciesReachLevel):
                dep_card = check.params.scorecard or card.id
                dep_rank = by_id[dep_card].levels.index(check.params.required_level) + 1
            for key, value in (
                ("scorecard", card.id), ("scorecard_title", card.title),
                ("check_id", check.id), ("title", check.title), ("type", check.type),
                ("level", check.level), ("level_rank", check.level_rank),
                ("weight", check.weight), ("levels", list(card.levels)),
                ("dep_scorecard", dep_card), ("dep_rank", dep_rank),
            ):  # fmt: skip
                rows[key].append(value)
    return rows


def _exemption_rows(
    exemptions: Sequence[Exemption], today: date, *, active_only: bool = False
) -> dict[str, list[Any]]:
    """Columns of the exemptions; ``idx`` is the position in ``exemptions`` either way."""
    picked = [(i, x) for i, x in enumerate(exemptions) if not (active_only and x.expired(today))]
    return {
        "idx": [i for i, _ in picked],
        "entity": [x.entity for _, x in picked],
        "owner": [x.owner for _, x in picked],
        "scorecard": [x.scorecard for _, x in picked],
        "check_id": [x.check for _, x in picked],
        "reason": [x.reason for _, x in picked],
        "expires": pa.array([x.expires for _, x in picked], type=pa.date32()),
        "file": [str(x.file) for _, x in picked],
        "line": [x.line for _, x in picked],
    }


# -- one scorecard ---------------------------------------------------------------------------
_EXEMPT_MATCH = """
  FROM scorecard_result_rows r
  JOIN _sc_scope s ON s.scorecard = r.scorecard AND s.ref = r.ref
  JOIN _sc_exemptions x ON (x.check_id = '*' OR x.check_id = r.check_id)
       AND (x.scorecard IS NULL OR x.scorecard = r.scorecard)
       AND (x.entity = r.ref
            OR (x.owner IS NOT NULL AND s.owner IS NOT NULL
                AND (x.owner = s.owner OR EXISTS (SELECT 1 FROM _group_tree t
                     WHERE t.team = x.owner AND t.member_group = s.owner))))
"""


def _scope_sql(card: Scorecard) -> tuple[str, dict[str, Any]]:
    f = card.filter
    where = ["list_contains($kinds, e.kind)"]
    params: dict[str, Any] = {"kinds": f.kind}
    for name, values in (
        ("type", f.type),
        ("lifecycle", f.lifecycle),
        ("owner", f.owner),
        ("system", f.system),
        ("namespace", f.namespace),
    ):
        if values is not None:
            where.append(f"list_contains($f_{name}, e.{name})")
            params[f"f_{name}"] = values
    if f.tags is not None:
        where.append("list_has_any(coalesce(e.tags, []), $f_tags)")
        params["f_tags"] = f.tags
    return " AND ".join(where), params


@dataclass(frozen=True)
class _Insert:
    """One check's ``INSERT`` of its results, to run on either cursor (each has ``_sc_scope``)."""

    target: dict[str, Any]
    query: tuple[str, dict[str, Any]] | None
    """The compiled SELECT of the check; None for a SQL check (``sql_rows``)."""
    sql_rows: pa.Table | str | None = None

    def run(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.query is None:
            assert self.sql_rows is not None
            _insert_sql_check(con, self.target, self.sql_rows)
            return
        query, qparams = self.query
        con.execute(
            f"INSERT INTO scorecard_result_rows ({RESULT_COLUMNS}) "
            f"SELECT $run_id, $scorecard, $check_id, * FROM ({query})",
            {**self.target, **qparams},
        )


def _fill_scope(
    con: duckdb.DuckDBPyConnection,
    card: Scorecard,
    ctx: CheckContext,
    sql_rows: dict[tuple[str, str], pa.Table | str],
    cutoff: datetime | None,
    run_id: int,
    *,
    shared_refs: bool = True,
) -> list[_Insert]:
    """Materialise ``card``'s scope into ``_sc_scope``; returns the inserts of its checks'
    results (all but the dependency checks, which ``solve_levels`` adds).

    ``shared_refs``: some ref is defined by several sources; the scope keeps one row per ref
    (the first source's). Without such refs the scope skips that window, which would carry
    every entity document through a sort (0.1 s at L)."""
    sc: dict[str, Any] = {"scorecard": card.id}
    queries = {
        check.id: check.params.query(ctx)
        for check in card.checks
        if not isinstance(check.params, DependenciesReachLevel | Sql)
    }  # compiled first: they register the entity fields the scope extracts (ctx.paths)
    where, params = _scope_sql(card)
    paths = sorted(ctx.paths, key=ctx.paths.__getitem__)
    facts = "json_extract(e.entity, $paths)" if paths else "[]::JSON[]"
    one_row_per_ref = (
        "QUALIFY row_number() OVER (PARTITION BY e.ref ORDER BY e.source) = 1"
        if shared_refs
        else ""
    )
    con.execute(
        f"""
        INSERT INTO _sc_scope
        SELECT $scorecard, e.ref, e.kind, e.owner, e.lifecycle, e.tags, {facts}, e.source,
          CASE WHEN $cutoff IS NOT NULL AND (l.last_seen IS NULL OR l.last_seen < $cutoff)
               THEN 'source ' || e.source || ' is stale: last successful ingest '
                    || coalesce(strftime(l.last_seen, '%Y-%m-%d %H:%M') || ' UTC', 'never')
          END
        FROM entities e LEFT JOIN source_last_seen l USING (source)
        WHERE {where}
        {one_row_per_ref}
        """,
        {**sc, **params, "cutoff": cutoff, **({"paths": paths} if paths else {})},
    )
    sc["run_id"] = run_id
    inserts = []
    for check in card.checks:
        if isinstance(check.params, DependenciesReachLevel):
            continue
        target = {**sc, "check_id": check.id}
        if isinstance(check.params, Sql):
            inserts.append(_Insert(target, None, sql_rows[(card.id, check.id)]))
        else:
            inserts.append(_Insert(target, queries[check.id]))
    return inserts


def _finish_card(con: duckdb.DuckDBPyConnection, card: Scorecard, run_id: int) -> None:
    """Staleness, exemptions, levels (with the dependency checks' results) and the entity rows
    of ``card``, whose other results are stored."""
    sc: dict[str, Any] = {"scorecard": card.id, "run_id": run_id}
    _mark_stale_and_exempt(con, card.id, run_id)
    solve_levels(con, card, run_id)
    if any(isinstance(c.params, DependenciesReachLevel) for c in card.checks):
        _mark_stale_and_exempt(con, card.id, run_id, dependency_checks_only=True)
    con.execute(
        """
        INSERT INTO scorecard_entity_rows
        WITH per_ref AS (
          SELECT r.ref,
            count(*) FILTER (WHERE r.state = 'pass') AS passed,
            count(*) FILTER (WHERE r.state = 'fail') AS failed,
            count(*) FILTER (WHERE r.state = 'exempt') AS exempt,
            count(*) FILTER (WHERE r.state = 'unknown') AS unknown,
            sum(c.weight) FILTER (WHERE r.state = 'pass') AS pass_weight,
            sum(c.weight) FILTER (WHERE r.state <> 'exempt') AS counted_weight
          FROM scorecard_result_rows r
          JOIN _sc_checks c ON c.scorecard = r.scorecard AND c.check_id = r.check_id
          WHERE r.run_id = $run_id AND r.scorecard = $scorecard GROUP BY r.ref)
        SELECT $run_id, $scorecard, s.ref, s.owner,
          CASE WHEN l.bad_from > 1 THEN $levels[l.bad_from - 1] END, l.bad_from - 1,
          CASE WHEN coalesce(p.counted_weight, 0) = 0 THEN 100.0
               ELSE round(100.0 * coalesce(p.pass_weight, 0) / p.counted_weight, 1) END,
          coalesce(p.passed, 0), coalesce(p.failed, 0), coalesce(p.exempt, 0),
          coalesce(p.unknown, 0)
        FROM _sc_scope s JOIN _sc_levels l ON l.scorecard = s.scorecard AND l.ref = s.ref
        LEFT JOIN per_ref p ON p.ref = s.ref
        WHERE s.scorecard = $scorecard
        """,
        {**sc, "levels": list(card.levels)},
    )


def _insert_sql_check(
    con: duckdb.DuckDBPyConnection, target: dict[str, Any], rows: pa.Table | str
) -> None:
    if isinstance(rows, str):
        con.execute(
            f"INSERT INTO scorecard_result_rows ({RESULT_COLUMNS}) "
            "SELECT $run_id, $scorecard, $check_id, ref, 'unknown', $reason "
            "FROM _sc_scope WHERE scorecard = $scorecard",
            {**target, "reason": rows},
        )
        return
    con.register("_sc_sql_rows", rows)
    try:
        con.execute(
            f"INSERT INTO scorecard_result_rows ({RESULT_COLUMNS}) "
            "SELECT $run_id, $scorecard, $check_id, s.ref, CASE WHEN q.ref IS NULL THEN 'pass' "
            "ELSE 'fail' END, q.evidence FROM _sc_scope s "
            "LEFT JOIN _sc_sql_rows q ON q.ref = s.ref WHERE s.scorecard = $scorecard",
            target,
        )
    finally:
        con.unregister("_sc_sql_rows")


def _mark_stale_and_exempt(
    con: duckdb.DuckDBPyConnection,
    scorecard: str,
    run_id: int,
    *,
    dependency_checks_only: bool = False,
) -> None:
    only_deps = (
        "AND r.check_id IN (SELECT check_id FROM _sc_checks WHERE scorecard = $scorecard "
        "AND dep_scorecard IS NOT NULL)"
        if dependency_checks_only
        else ""
    )
    params = {"scorecard": scorecard, "run_id": run_id}
    con.execute(
        "UPDATE scorecard_result_rows r SET state = 'unknown', evidence = s.stale "
        "FROM _sc_scope s WHERE s.scorecard = r.scorecard AND s.ref = r.ref "
        f"AND s.stale IS NOT NULL AND r.run_id = $run_id AND r.scorecard = $scorecard {only_deps}",
        params,
    )
    con.execute(
        f"""
        UPDATE scorecard_result_rows r
        SET state = 'exempt', evidence = r.state || ' (exempt): ' || coalesce(r.evidence, ''),
            exemption_reason = m.reason, exemption_expires = m.expires,
            exemption_file = m.file, exemption_line = m.line
        FROM (SELECT r.ref, r.check_id, first(x.reason ORDER BY x.idx) AS reason,
                     first(x.expires ORDER BY x.idx) AS expires,
                     first(x.file ORDER BY x.idx) AS file, first(x.line ORDER BY x.idx) AS line
              {_EXEMPT_MATCH}
              WHERE r.run_id = $run_id AND r.scorecard = $scorecard
                AND r.state IN ('fail', 'unknown') {only_deps}
              GROUP BY r.ref, r.check_id) m
        WHERE r.run_id = $run_id AND r.scorecard = $scorecard AND r.ref = m.ref
          AND r.check_id = m.check_id
        """,
        params,
    )


# -- after evaluation ------------------------------------------------------------------------
def _summaries(
    con: duckdb.DuckDBPyConnection, cards: Sequence[Scorecard], run_id: int
) -> list[ScorecardSummary]:
    out = []
    for card in cards:
        key = [run_id, card.id]
        levels = dict(
            con.execute(
                "SELECT coalesce(level, 'none'), count(*) FROM scorecard_entity_rows "
                "WHERE run_id = ? AND scorecard = ? GROUP BY 1",
                key,
            ).fetchall()
        )
        avg = con.execute(
            "SELECT count(*), avg(score) FROM scorecard_entity_rows "
            "WHERE run_id = ? AND scorecard = ?",
            key,
        ).fetchone()
        states = dict(
            con.execute(
                "SELECT state, count(*) FROM scorecard_result_rows "
                "WHERE run_id = ? AND scorecard = ? GROUP BY 1",
                key,
            ).fetchall()
        )
        out.append(
            ScorecardSummary(
                id=card.id,
                title=card.title,
                levels=card.levels,
                entities=int(avg[0]) if avg else 0,
                level_counts={k: int(levels.get(k, 0)) for k in ("none", *card.levels)},
                average_score=None if not avg or avg[1] is None else round(float(avg[1]), 1),
                states={k: int(states.get(k, 0)) for k in ("pass", "fail", "exempt", "unknown")},
            )
        )
    return out


def _changes(
    con: duckdb.DuckDBPyConnection, scorecards: list[str], run_id: int
) -> list[LevelChange]:
    """Level changes of this (not yet visible) run against each scorecard's last stored run."""
    rows = con.execute(
        """
        WITH before AS (
          SELECT scorecard, ref, owner, level, level_rank FROM scorecard_scores
          WHERE list_contains($cards, scorecard)),
        after AS (SELECT scorecard, ref, owner, level, level_rank FROM scorecard_entity_rows
                  WHERE run_id = $run_id)
        SELECT coalesce(a.scorecard, b.scorecard), coalesce(a.ref, b.ref),
               coalesce(a.owner, b.owner), b.level, a.level, b.level_rank, a.level_rank
        FROM after a FULL JOIN before b ON a.scorecard = b.scorecard AND a.ref = b.ref
        WHERE a.level_rank IS DISTINCT FROM b.level_rank
          AND EXISTS (SELECT 1 FROM scorecard_scores x
                      WHERE x.scorecard = coalesce(a.scorecard, b.scorecard))
        ORDER BY 1, 2
        """,
        {"cards": scorecards, "run_id": run_id},
    ).fetchall()
    return [LevelChange(*row) for row in rows]


def _store_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    started: datetime,
    cards: Sequence[Scorecard],
    exemptions: Sequence[Exemption],
    today: date,
) -> None:
    """Make the run visible: its definitions, exemptions and the run row (results, levels and
    scores are already in place), then empty the scratch tables. A result that several
    exemptions cover counts as applied by the first (whose reason it carries)."""
    run = {"run_id": run_id}
    con.execute(
        "INSERT INTO scorecard_check_rows SELECT $run_id, scorecard, scorecard_title, check_id, "
        "title, type, level, level_rank, weight, levels FROM _sc_checks",
        run,
    )
    rows = _exemption_rows(exemptions, today)
    rows["status"] = ["expired" if x.expired(today) else "active" for x in exemptions]
    con.register("_sc_all_exemptions", pa.table(rows))
    try:
        con.execute(
            f"""
            INSERT INTO scorecard_exemption_rows
            SELECT $run_id, a.file, a.line, a.entity, a.owner, a.scorecard, a.check_id, a.reason,
                   a.expires, a.status, coalesce(u.applied, 0)
            FROM _sc_all_exemptions a
            LEFT JOIN (SELECT idx, count(*) AS applied
                       FROM (SELECT min(x.idx) AS idx {_EXEMPT_MATCH}
                             WHERE r.run_id = $run_id AND r.state = 'exempt'
                             GROUP BY r.scorecard, r.ref, r.check_id)
                       GROUP BY idx) u
              ON u.idx = a.idx
            ORDER BY a.idx
            """,
            run,
        )
    finally:
        con.unregister("_sc_all_exemptions")
    totals = con.execute(
        "SELECT count(*) FROM scorecard_entity_rows WHERE run_id = ?", [run_id]
    ).fetchone()
    results = con.execute(
        "SELECT count(*) FROM scorecard_result_rows WHERE run_id = ?", [run_id]
    ).fetchone()
    assert totals is not None and results is not None
    con.execute(
        "INSERT INTO scorecard_runs VALUES ($run_id, $started, $finished, $cards, $entities, "
        "$results, $expired)",
        {
            **run,
            "started": started,
            "finished": datetime.now(UTC),
            "cards": [c.id for c in cards],
            "entities": totals[0],
            "results": results[0],
            "expired": sum(1 for x in exemptions if x.expired(today)),
        },
    )
    for table in SCRATCH_TABLES:
        con.execute(f"DELETE FROM {table}")
