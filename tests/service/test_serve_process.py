"""``steward serve`` as a process: SIGTERM during an ingest keeps the last good snapshot; other
processes read the snapshot while it ingests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from catalog.store.snapshot import snapshot_path
from service.config import load_config
from service.steward_service import StewardService

STEWARD = [sys.executable, "-c", "from service.cli import app; app()"]
COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def write_components(root: Path, prefix: str, count: int) -> None:
    for i in range(count):
        repo = root / f"{prefix}{i}"
        repo.mkdir(parents=True, exist_ok=True)
        (repo / "catalog-info.yaml").write_text(COMPONENT.format(name=f"{prefix}{i}"))


def entity_count(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM entities").fetchall()[0][0])
    finally:
        con.close()


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"no {needle!r} within {timeout} s:\n{''.join(lines)}")


@pytest.mark.parametrize("grace", [0, 120])
def test_sigterm_during_an_ingest_keeps_the_last_good_snapshot(tmp_path: Path, grace: int) -> None:
    repos = tmp_path / "repos"
    write_components(repos, "a", 300)
    config = tmp_path / "steward.yaml"
    config.write_text(
        "database: ./s.duckdb\nsources:\n"
        "  catalog: {type: catalog_files, roots: [./repos],"
        " schedule: {seconds: 1, jitter_seconds: 0}}\n"
    )
    subprocess.run([*STEWARD, "ingest", "-c", str(config)], check=True, capture_output=True)
    snapshot = snapshot_path(tmp_path / "s.duckdb")
    assert entity_count(snapshot) == 300
    write_components(repos, "b", 1500)  # the next run parses 1500 new files: seconds

    env = {**os.environ, "STEWARD_API_TOKENS": "t"}
    proc = subprocess.Popen(
        [*STEWARD, "serve", "-c", str(config), "--port", "0", "--stop-grace", str(grace)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        wait_for_line(proc, "ingest source=catalog started", 60)
        before = snapshot.stat()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=grace + 60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    after = snapshot.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert entity_count(snapshot) == 300
    with StewardService(load_config(config)) as svc, svc.reader() as cur:
        status = cur.execute(
            "SELECT status FROM runs WHERE source = 'catalog' ORDER BY run_id DESC LIMIT 1"
        ).fetchall()
        live = cur.execute("SELECT count(*) FROM entities").fetchall()
    if grace == 0:
        assert "abandoned the running ingest" in err
        assert status == [("abandoned",)] and live == [(300,)]
    else:  # finished within the grace: stored, but a stopping service publishes nothing new
        assert "stopped" in err
        assert status == [("ok",)] and live == [(1800,)]


READER = """
import sys, time, duckdb
path, seconds, allowed = sys.argv[1], float(sys.argv[2]), set(map(int, sys.argv[3].split(',')))
reads = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    con = duckdb.connect(path, read_only=True)
    (n, recorded), = con.execute(
        "SELECT (SELECT count(*) FROM entities), (SELECT CAST(record_counts->>'entities' AS INT)"
        " FROM runs WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1)"
    ).fetchall()
    con.close()
    assert n in allowed and n == recorded, (n, recorded)
    reads += 1
print(reads)
"""


def test_other_processes_read_the_snapshot_during_ingests_without_torn_reads(
    tmp_path: Path,
) -> None:
    """A writer loop alternates the catalog between 200 and 400 entities and publishes after
    every run; a reader process opening the snapshot file sees one whole run each time."""
    repos = tmp_path / "repos"
    write_components(repos, "a", 200)
    config = tmp_path / "steward.yaml"
    config.write_text(  # removing half the entities is intended here: lift the mass-delete guard
        "database: ./s.duckdb\nmass_delete: {max_share: 1}\n"
        "sources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    with StewardService(load_config(config)) as svc:
        svc.run_ingest()
        snap = snapshot_path(svc.config.database)
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(snap), "6", "200,400"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        published = 0
        extra = [repos / f"b{i}" for i in range(200)]
        while reader.poll() is None:
            if published % 2 == 0:
                write_components(repos, "b", 200)
            else:
                for repo in extra:
                    (repo / "catalog-info.yaml").unlink()
                    repo.rmdir()
            run = svc.run_pipeline()
            assert run.ok and run.snapshot is not None, run.errors
            published += 1
        out, err = reader.communicate()
    assert reader.returncode == 0, err
    assert int(out) > 5 and published >= 2


def test_reader_threads_during_ingests_never_fail_and_never_see_a_torn_read(
    tmp_path: Path,
) -> None:
    repos = tmp_path / "repos"
    write_components(repos, "a", 200)
    config = tmp_path / "steward.yaml"
    config.write_text(  # removing half the entities is intended here: lift the mass-delete guard
        "database: ./s.duckdb\nmass_delete: {max_share: 1}\n"
        "sources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    query = (
        "SELECT (SELECT count(*) FROM entities), (SELECT CAST(record_counts->>'entities' AS INT)"
        " FROM runs WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1)"
    )
    with StewardService(load_config(config)) as svc:
        svc.run_ingest()
        stop = threading.Event()
        seen: list[tuple[int, int]] = []
        errors: list[BaseException] = []

        def read() -> None:
            while not stop.is_set():
                try:
                    with svc.reader() as cur:
                        seen.append(cur.execute(query).fetchall()[0])
                except BaseException as exc:
                    errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(4)]
        for thread in readers:
            thread.start()
        try:
            for i in range(4):
                if i % 2 == 0:
                    write_components(repos, "b", 200)
                else:
                    for repo in [repos / f"b{j}" for j in range(200)]:
                        (repo / "catalog-info.yaml").unlink()
                        repo.rmdir()
                assert svc.run_pipeline().ok
        finally:
            stop.set()
            for thread in readers:
                thread.join()
    assert not errors
    assert len(seen) > 20
    assert {n for n, _ in seen} == {200, 400}
    assert all(n == recorded for n, recorded in seen)
