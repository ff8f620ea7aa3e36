"""A full disk during an ingest (issue 15): the write fails, the run is recorded ``failed`` with
its reason, the previous snapshot stays, and the next run (with room again) succeeds.

The disk is "full" for one process only: ``steward ingest`` runs with ``RLIMIT_FSIZE`` just
at 256 KiB (and SIGXFSZ ignored, so a write past it fails with EFBIG, "File too
large", as ENOSPC would) — no tmpfs or root needed."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.reliability.helpers import REPO, STEWARD

pytestmark = pytest.mark.reliability

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{i}\n"
    "  description: {desc}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def write_components(base: Path, start: int, count: int) -> None:
    for i in range(start, start + count):
        path = base / "repos" / f"r{i:04d}" / "catalog-info.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(COMPONENT.format(i=i, desc="d" * 200))


def ingest(base: Path, *, max_file_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit_file_size() -> None:  # in the child, before exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert max_file_bytes is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return subprocess.run(
        [*STEWARD, "ingest", "--config", "steward.yaml"],
        cwd=base,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "400"},
        preexec_fn=None if max_file_bytes is None else limit_file_size,
        capture_output=True,
        text=True,
        timeout=300,
    )


def runs_and_entities(db: Path) -> tuple[list[tuple[str, str | None]], int]:
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT status, message FROM ingest_runs ORDER BY run_id").fetchall()
        (entities,) = con.execute("SELECT count(*) FROM entities").fetchone() or (0,)
    return [(str(s), m) for s, m in runs], int(entities)


def test_a_full_disk_fails_the_run_with_its_reason_and_keeps_the_snapshot(tmp_path: Path) -> None:
    write_components(tmp_path, 0, 50)
    (tmp_path / "steward.yaml").write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    first = ingest(tmp_path)
    assert first.returncode == 0, first.stderr
    db = tmp_path / "s.duckdb"
    snapshot_before = (tmp_path / "s.snapshot.duckdb").read_bytes()

    write_components(tmp_path, 50, 600)  # the new snapshot needs far more than 64 KiB
    # 256 KiB: the load's commit cannot write the WAL, the publish cannot CHECKPOINT
    full = ingest(tmp_path, max_file_bytes=256 * 1024)
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    assert "File too large" in full.stderr
    assert "pipeline step=publish failed" in full.stderr  # reported, not a traceback

    runs, entities = runs_and_entities(db)
    assert entities == 50  # the previous snapshot stays
    assert runs[0] == ("ok", None)
    status, message = runs[-1]
    assert status == "failed", runs
    assert message is not None and "File too large" in message
    assert (tmp_path / "s.snapshot.duckdb").read_bytes() == snapshot_before  # still published

    again = ingest(tmp_path)
    assert again.returncode == 0, again.stderr
    runs, entities = runs_and_entities(db)
    assert entities == 650
    assert runs[-1][0] == "ok"
