"""One-shot `steward ingest` beside another holder of the database waits up to --wait seconds,
then exits 3 (issue 15, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.reliability.helpers import REPO, STEWARD

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)
HOLDER = (
    "import sys, time, duckdb\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "con.close()\n"
)


def setup(base: Path) -> None:
    (base / "repos" / "a").mkdir(parents=True)
    (base / "repos" / "a" / "catalog-info.yaml").write_text(COMPONENT)
    (base / "steward.yaml").write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    duckdb.connect(str(base / "s.duckdb")).close()


def hold(base: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(base / "s.duckdb"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def ingest(base: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "400"}
    return subprocess.run(
        [*STEWARD, "ingest", "--config", "steward.yaml", *args],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ingest_waits_for_a_holder_that_lets_go(tmp_path: Path) -> None:
    setup(tmp_path)
    holder = hold(tmp_path, 6.0)
    try:
        result = ingest(tmp_path, "--wait", "30")
    finally:
        holder.communicate()
    assert result.returncode == 0, result.stderr
    assert "waiting up to 30 s" in result.stderr


def test_ingest_gives_up_after_wait_with_exit_3(tmp_path: Path) -> None:
    setup(tmp_path)
    holder = hold(tmp_path, 30.0)
    try:
        started = time.monotonic()
        result = ingest(tmp_path, "--wait", "1.5")
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 3, result.stderr
    assert "is held by another process" in result.stderr
    assert 1.5 <= elapsed < 25


RELEASED_ON_INPUT = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.readline()\n"
    "con.close()\n"
)


def test_ingest_collects_first_and_holds_the_file_only_to_store(tmp_path: Path) -> None:
    setup(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", RELEASED_ON_INPUT, str(tmp_path / "s.duckdb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "400"}
    ingest = subprocess.Popen(
        [*STEWARD, "ingest", "--config", "steward.yaml", "--wait", "60"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert ingest.stderr is not None
    before_wait = []
    for line in ingest.stderr:  # ends by itself: the ingest gives up after 60 s
        before_wait.append(line)
        if "waiting up to" in line:
            break
    # the source was collected (parsed, its state written) while another process held the file
    assert "sources collected; waiting up to 60 s" in "".join(before_wait)
    assert any((tmp_path / "s.duckdb.state" / "catalog").iterdir())
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.communicate(timeout=30)  # closes its pipes
    _, rest = ingest.communicate(timeout=120)
    assert ingest.returncode == 0, rest
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        assert con.execute("SELECT status FROM ingest_runs").fetchall() == [("ok",)]
        assert con.execute("SELECT count(*) FROM entities").fetchall() == [(1,)]
