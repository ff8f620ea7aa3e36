"""Crash safety (issue 15): SIGKILL an ingest and a scorecard run at seeded random points and at
observed phases, then check what an operator relies on.

After every kill: no process of the killed command survives 5 s; the database opens; each
source holds exactly its previous snapshot (A) or its new one (B), compared by row count and
checksum over every snapshot table it owns; the next run succeeds and leaves B; the killed run's
``ingest_runs`` row is ``abandoned`` (never ``running`` forever). After a killed scorecard run a
reader sees nothing of it or the whole run, and the next run deletes the rows it left. Marked
``reliability`` (``make test-reliability``; CI runs it).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from catalog.store.migrations import SNAPSHOT_TABLES
from tests.reliability.helpers import REPO, STEWARD, session_processes, wait_until_gone

pytestmark = pytest.mark.reliability

SEEDS = range(20)
FILES = 400  # above the parallel-parse threshold: worker processes are part of every kill
COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "  description: {desc}\nspec:\n  type: service\n  lifecycle: production\n"
    "  owner: team-{team}\n"
)
Checksums = dict[str, tuple[int, int]]
"""source -> (rows, checksum) over every snapshot table it owns."""


def write_org(base: Path, variant: str) -> None:
    """Variant A: FILES components. Variant B: 40 renamed, 20 removed (15% < the guard), 60
    added, 100 descriptions changed."""
    repos = base / "repos"
    if repos.exists():
        shutil.rmtree(repos)
    names = [f"svc-{i:03d}" for i in range(FILES)]
    if variant == "B":
        names = [f"renamed-{i:03d}" if i < 40 else n for i, n in enumerate(names)][20:]
        names += [f"new-{i:03d}" for i in range(60)]
    for i, name in enumerate(names):
        repo = repos / f"repo-{i // 4:03d}"
        path = repo / name / "catalog-info.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        desc = f"changed {i}" if variant == "B" and i % 4 == 0 else f"service {name}"
        path.write_text(COMPONENT.format(name=name, desc=desc, team=i % 7))
        (repo / "CODEOWNERS").write_text(f"* @acme/team-{(i // 4) % 7}\n")


def write_config(base: Path) -> None:
    (base / "steward.yaml").write_text(
        "database: ./s.duckdb\n"
        f"scorecards: {REPO / 'examples' / 'scorecards'}\n"
        "sources:\n"
        "  catalog: {type: catalog_files, roots: [./repos], workers: 2}\n"
        "  codeowners: {type: codeowners, roots: [./repos], org_namespaces: {acme: default}}\n"
    )


def checksums(db: Path) -> Checksums:
    con = duckdb.connect(str(db), read_only=True)
    try:
        sources = [str(r[0]) for r in con.execute("SELECT DISTINCT source FROM runs").fetchall()]
        result: Checksums = {}
        for source in sources:
            rows = total = 0
            for table in SNAPSHOT_TABLES.values():
                cols = ", ".join(table.column_names)
                n, h = con.execute(
                    f"SELECT count(*), coalesce(sum(hash({cols}) % 1000000007), 0) "
                    f"FROM {table.name} WHERE source = ? AND valid_to IS NULL",
                    [source],
                ).fetchall()[0]
                rows, total = rows + int(n), (total + int(h)) % 1000000007
            result[source] = (rows, total)
        return result
    finally:
        con.close()


def run_statuses(db: Path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            (int(r[0]), str(r[1]))
            for r in con.execute("SELECT run_id, status FROM runs ORDER BY run_id").fetchall()
        ]
    finally:
        con.close()


def steward_cmd(*args: str) -> list[str]:
    return [*STEWARD, *args, "--config", "steward.yaml"]


def run(base: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "300"}
    return subprocess.run(
        steward_cmd(*args), cwd=base, env=env, capture_output=True, text=True, timeout=300
    )


@dataclass
class Baseline:
    """``work``: where every run happens (stored paths and caches name it, so checksums are
    comparable only at one path); ``saved``: the database and source state holding A."""

    work: Path
    saved: Path
    a: Checksums
    b: Checksums
    b_seconds: float

    def reset(self) -> Path:
        """``work`` back to snapshot A in the database, with org B on disk."""
        for path in self.work.iterdir():
            if path.name.startswith(("s.duckdb", ".s.duckdb")):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        shutil.copy2(self.saved / "s.duckdb", self.work / "s.duckdb")
        shutil.copytree(self.saved / "s.duckdb.state", self.work / "s.duckdb.state")
        return self.work


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    work = tmp_path_factory.mktemp("crash") / "work"
    saved = work.with_name("saved")
    work.mkdir()
    saved.mkdir()
    write_config(work)
    write_org(work, "A")
    first = run(work, "ingest")
    assert first.returncode == 0, first.stderr
    a = checksums(work / "s.duckdb")
    shutil.copy2(work / "s.duckdb", saved / "s.duckdb")
    shutil.copytree(work / "s.duckdb.state", saved / "s.duckdb.state")
    write_org(work, "B")
    started = time.monotonic()
    second = run(work, "ingest")
    b_seconds = time.monotonic() - started
    assert second.returncode == 0, second.stderr
    b = checksums(work / "s.duckdb")
    assert set(a) == set(b) == {"catalog", "codeowners"}
    assert all(a[s] != b[s] for s in a)
    return Baseline(work, saved, a, b, b_seconds)


def kill_during(
    base: Path, args: list[str], when: Callable[[float], bool], *, python: str | None = None
) -> int:
    """Start ``steward ARGS`` (or ``python -c PYTHON``) in its own session, SIGKILL it (only
    it) once ``when(elapsed)`` is true; assert no process of its session survives 5 s. Returns
    its exit status."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "300"}
    proc = subprocess.Popen(
        steward_cmd(*args) if python is None else [sys.executable, "-c", python],
        cwd=base,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        while proc.poll() is None and not when(time.monotonic() - started):
            time.sleep(0.001)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)  # pipes reach EOF: no survivor holds them
        survivors = wait_until_gone(proc.pid, timeout=5)
        assert survivors == [], f"processes alive 5 s after the kill: {survivors}"
    finally:
        for pid in session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.wait()
    return proc.returncode


def check_after_kill(base: Path, baseline: Baseline) -> str:
    db = base / "s.duckdb"
    seen = checksums(db)  # the database opens
    states = {}
    for source, value in seen.items():
        assert value in (baseline.a[source], baseline.b[source]), (source, value)
        states[source] = "A" if value == baseline.a[source] else "B"
    before = run_statuses(db)
    again = run(base, "ingest")
    assert again.returncode == 0, again.stderr
    assert checksums(db) == baseline.b
    after = dict(run_statuses(db))
    for run_id, status in before:
        if status == "running":
            assert after[run_id] == "abandoned", (run_id, after[run_id])
    assert "running" not in after.values()
    return "".join(states[s] for s in sorted(states))


def test_sigkill_at_random_points_of_an_ingest(baseline: Baseline) -> None:
    outcomes: dict[str, int] = {}
    for seed in SEEDS:
        base = baseline.reset()
        delay = random.Random(seed).uniform(0.0, baseline.b_seconds * 1.1)
        kill_during(base, ["ingest"], lambda elapsed, d=delay: elapsed >= d)
        state = check_after_kill(base, baseline)
        outcomes[state] = outcomes.get(state, 0) + 1
    assert sum(outcomes.values()) == len(SEEDS)
    print(f"ingest kills by resulting state (catalog, codeowners): {outcomes}")


@pytest.mark.parametrize("phase", ["wal", "checkpoint"])
def test_sigkill_at_observed_write_phases(baseline: Baseline, phase: str) -> None:
    """``wal``: as soon as the write-ahead log holds data (a load in flight, before or during
    its commit); ``checkpoint``: as soon as the log, having held data, shrinks or goes (the
    checkpoint folding it into the database file)."""
    base = baseline.reset()
    wal = base / "s.duckdb.wal"
    seen = {"size": 0}

    def reached(_: float) -> bool:
        size = wal.stat().st_size if wal.exists() else 0
        if phase == "wal":
            return size > 0
        if size < seen["size"]:
            return True
        seen["size"] = max(seen["size"], size)
        return False

    assert kill_during(base, ["ingest"], reached) == -signal.SIGKILL  # killed in that phase
    check_after_kill(base, baseline)


@dataclass(frozen=True)
class ScorecardState:
    runs: list[tuple[int, int]]
    """(run_id, result_count) of every ``scorecard_runs`` row."""
    visible: dict[int, int]
    """run_id -> results a reader sees for it (``scorecard_result_history``)."""
    latest: list[int]
    """The run ids ``scorecard_results`` shows (the latest run)."""
    scored: set[int]
    """Run ids ``scorecard_score_history`` shows."""
    unfinished: int
    """Raw result rows whose run id has no ``scorecard_runs`` row (no reader sees them)."""

    def assert_whole_runs(self) -> None:
        """A reader sees every stored run whole and nothing else."""
        assert self.visible == dict(self.runs), (self.visible, self.runs)
        assert self.scored <= {r for r, _ in self.runs}
        assert self.latest == ([max(r for r, _ in self.runs)] if self.runs else [])


def scorecard_state(db: Path) -> ScorecardState:
    con = duckdb.connect(str(db), read_only=True)
    try:
        runs = con.execute(
            "SELECT run_id, result_count FROM scorecard_runs ORDER BY run_id"
        ).fetchall()
        visible = con.execute(
            "SELECT run_id, count(*) FROM scorecard_result_history GROUP BY 1"
        ).fetchall()
        latest = con.execute("SELECT DISTINCT run_id FROM scorecard_results").fetchall()
        scored = con.execute("SELECT DISTINCT run_id FROM scorecard_score_history").fetchall()
        unfinished = con.execute(
            "SELECT count(*) FROM scorecard_result_rows WHERE run_id NOT IN "
            "(SELECT run_id FROM scorecard_runs)"
        ).fetchall()[0][0]
        return ScorecardState(
            runs=[(int(a), int(b)) for a, b in runs],
            visible={int(a): int(b) for a, b in visible},
            latest=sorted(int(r[0]) for r in latest),
            scored={int(r[0]) for r in scored},
            unfinished=int(unfinished),
        )
    finally:
        con.close()


# SIGKILLs the run itself once both transactions of its results are committed, before the
# one that makes it visible: the window a random kill rarely hits at this size.
KILL_AFTER_RESULTS = """
import os, signal, sys
import scorecards.engine
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
scorecards.engine._finish_all = killed
from service.cli import app
sys.argv = ["steward", "scorecard", "run", "--config", "steward.yaml"]
app()
"""


def test_sigkill_during_scorecard_runs_stores_no_partial_run(
    baseline: Baseline,
) -> None:
    """After each kill a reader sees the runs stored before, or those and the killed one whole;
    rows the kill left under a run id without its ``scorecard_runs`` row are deleted by the
    next run."""
    tmp_path = baseline.reset()
    db = tmp_path / "s.duckdb"
    first = run(tmp_path, "scorecard", "run")
    assert first.returncode == 0, first.stderr
    started = time.monotonic()
    assert run(tmp_path, "scorecard", "run").returncode == 0
    seconds = time.monotonic() - started
    stored = {0: 0, 1: 0}
    left_rows = 0
    for seed in range(8):
        count_before = len(scorecard_state(db).runs)
        delay = random.Random(100 + seed).uniform(0.0, seconds)
        kill_during(tmp_path, ["scorecard", "run"], lambda e, d=delay: e >= d)
        state = scorecard_state(db)
        state.assert_whole_runs()
        assert len(state.runs) in (count_before, count_before + 1)
        stored[len(state.runs) - count_before] += 1
        left_rows += state.unfinished > 0
    # the kill between the results' commits and the run row, every time
    count_before = len(scorecard_state(db).runs)
    assert kill_during(tmp_path, [], lambda _: False, python=KILL_AFTER_RESULTS) == -9
    state = scorecard_state(db)
    state.assert_whole_runs()
    assert len(state.runs) == count_before
    assert state.unfinished > 0  # the results were committed: only the run row hides them
    again = run(tmp_path, "scorecard", "run")
    assert again.returncode == 0, again.stderr
    state = scorecard_state(db)
    state.assert_whole_runs()
    assert len(state.runs) == count_before + 1
    assert state.unfinished == 0
    print(
        f"scorecard kills: {stored[0]} stored nothing, {stored[1]} stored a whole run, "
        f"{left_rows} left rows of an unfinished run (deleted by the next run)"
    )
