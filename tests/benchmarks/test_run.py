"""The benchmark harness's own plumbing (no timings: those are never assertions)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.measure import Timing, json_tail
from benchmarks.run import _fresh_database


def test_fresh_database_removes_files_and_the_state_directory(tmp_path: Path) -> None:
    (tmp_path / "steward.duckdb").write_text("db")
    (tmp_path / "steward.duckdb.wal").write_text("wal")
    (tmp_path / "steward.snapshot.duckdb").write_text("snapshot")
    (tmp_path / "steward.duckdb.state").mkdir()
    (tmp_path / "steward.duckdb.state" / "graph.cache").write_text("graph")
    (tmp_path / "steward.yaml").write_text("config")
    assert _fresh_database(tmp_path) == tmp_path / "steward.duckdb"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["steward.yaml"]


def test_json_tail_skips_a_progress_bar_before_the_json() -> None:
    out = ' 99% ▕███▌▏ (<1 second remaining)     {"build_s": 1.5}\n'
    assert json_tail(Timing(0.1, 1.0, 0, out, "")) == {"build_s": 1.5}
