from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pytest

from catalog.errors import SourceError
from catalog.store import Store
from ingest.records import FileRecord, Record, RelationRecord
from ingest.runner import run_source
from ingest.source import SourceContext


class ListSource:
    """A source that emits a fixed list, or fails the way it is told to."""

    type_name: ClassVar[str] = "list"
    tables: ClassVar[frozenset[str]] = frozenset({"relation_rows"})

    def __init__(
        self, records: list[Record], fail: Exception | None = None, fingerprint: str | None = None
    ) -> None:
        self.records = records
        self.fail = fail
        self.fingerprint = fingerprint
        self.seen_previous: str | None = None

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        self.seen_previous = ctx.previous_fingerprint
        ctx.report.fingerprint = self.fingerprint
        if self.fingerprint is not None and self.fingerprint == ctx.previous_fingerprint:
            ctx.report.unchanged = True
            return
        for i, record in enumerate(self.records):
            if self.fail is not None and i == 1:
                raise self.fail
            yield record


def _current(store: Store) -> list[tuple[str, str]]:
    return store.connection.execute(
        "SELECT source_ref, target_ref FROM relations ORDER BY 1"
    ).fetchall()


def _runs(store: Store) -> list[tuple[str, str | None]]:
    return store.connection.execute(
        "SELECT status, message FROM ingest_runs ORDER BY run_id"
    ).fetchall()


GOOD = [RelationRecord("a", "dependsOn", "b"), RelationRecord("c", "dependsOn", "d")]


@pytest.mark.parametrize("failure", [SourceError("token expired"), RuntimeError("boom")])
def test_failing_source_keeps_last_good_snapshot(tmp_path: Path, failure: Exception) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        ok = run_source(store, "src", ListSource(GOOD), state_dir=tmp_path)
        assert ok.status == "ok"
        bad = run_source(
            store,
            "src",
            ListSource([RelationRecord("x", "t", "y")] * 3, failure),
            state_dir=tmp_path,
        )
        assert bad.status == "failed"
        assert str(failure) in (bad.message or "")
        assert _current(store) == [("a", "b"), ("c", "d")]
        runs = _runs(store)
    assert runs[0] == ("ok", None)
    assert runs[1][0] == "failed" and str(failure) in (runs[1][1] or "")


def test_unchanged_source_is_logged_and_keeps_snapshot(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_source(store, "src", ListSource(GOOD, fingerprint="f1"), state_dir=tmp_path)
        again = ListSource([], fingerprint="f1")
        outcome = run_source(store, "src", again, state_dir=tmp_path)
        assert again.seen_previous == "f1"
        assert outcome.status == "unchanged"
        assert _current(store) == [("a", "b"), ("c", "d")]


def test_empty_snapshot_clears_the_source(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_source(store, "src", ListSource(GOOD), state_dir=tmp_path)
        run_source(store, "src", ListSource([]), state_dir=tmp_path)
        assert _current(store) == []


def test_records_for_tables_the_source_does_not_own_fail_the_run(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_source(store, "src", ListSource(GOOD), state_dir=tmp_path)
        outcome = run_source(
            store, "src", ListSource([FileRecord("f", "h", True, 1)]), state_dir=tmp_path
        )
        assert outcome.status == "failed"
        assert "does not own" in (outcome.message or "")
        assert _current(store) == [("a", "b"), ("c", "d")]


def test_run_counts_are_logged(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_source(store, "src", ListSource(GOOD), state_dir=tmp_path)
        counts = store.connection.execute(
            "SELECT record_counts->>'relation_rows' FROM ingest_runs"
        ).fetchone()
    assert counts == ("2",)


class ErringSource(ListSource):
    """Emits its records and reports ``errors`` errors (as a source that degrades does)."""

    def __init__(self, records: list[Record], errors: int) -> None:
        super().__init__(records)
        self.errors = errors

    def run(self, ctx: SourceContext) -> Iterable[Record]:
        for i in range(self.errors):
            ctx.report.error(f"region r{i} failed (token=abc{i})")
        return list(self.records)


def test_an_ok_run_with_errors_says_the_first_ones_in_its_message(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_source(store, "quiet", ListSource(GOOD), state_dir=tmp_path)
        run_source(store, "one", ErringSource(GOOD, 1), state_dir=tmp_path)
        run_source(store, "five", ErringSource(GOOD, 5), state_dir=tmp_path)
        rows = store.connection.execute(
            "SELECT source, status, error_count, message FROM ingest_runs ORDER BY run_id"
        ).fetchall()
    assert rows[0] == ("quiet", "ok", 0, None)
    assert rows[1] == ("one", "ok", 1, "region r0 failed (token=abc0)")
    assert rows[2][:3] == ("five", "ok", 5)
    assert rows[2][3] == (
        "region r0 failed (token=abc0); region r1 failed (token=abc1); "
        "region r2 failed (token=abc2) (+2 more)"
    )


class FullDiskStore(Store):
    """A store whose snapshot writes fail as on a full disk (the run's own rows still work)."""

    def finish_run(self, run_id: int, **kwargs: Any) -> None:
        if kwargs.get("snapshot") is not None:
            raise duckdb.IOException('Could not write file "s.duckdb.wal": File too large')
        super().finish_run(run_id, **kwargs)


def test_a_snapshot_that_cannot_be_written_fails_the_run_and_keeps_the_last_good(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        run_source(store, "src", ListSource(GOOD), state_dir=tmp_path)
    with FullDiskStore(tmp_path / "db.duckdb") as store:
        outcome = run_source(
            store, "src", ListSource([RelationRecord("x", "t", "y")]), state_dir=tmp_path
        )
        assert outcome.status == "failed"
        assert "storing the snapshot failed: Could not write file" in (outcome.message or "")
        assert _current(store) == [("a", "b"), ("c", "d")]
        assert _runs(store)[-1][0] == "failed"
