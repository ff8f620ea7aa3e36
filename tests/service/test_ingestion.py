"""``steward ingest``'s two phases (issue 15 item 4): sources are collected with the database
closed, then stored; a source found unchanged against a fingerprint that another writer has
since replaced is collected again before it is stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from service.config import load_config
from service.ingestion import collect, ingest, previous_fingerprints, store

HOLDER = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.readline()\n"
)
COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "  description: {desc}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def write(base: Path, desc: str) -> None:
    path = base / "repos" / "a" / "catalog-info.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(COMPONENT.format(desc=desc))


def description(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT description FROM entities").fetchall()
    assert len(rows) == 1
    return str(rows[0][0])


def test_collecting_needs_no_database_while_another_process_holds_it(tmp_path: Path) -> None:
    write(tmp_path, "one")
    (tmp_path / "steward.yaml").write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    config = load_config(tmp_path / "steward.yaml")
    assert ingest(config, scorecards=False).ok
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(config.database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        collection = collect(config)  # another process holds the file read-write
    finally:
        holder.communicate("\n", timeout=30)
    # the fingerprints came from the published snapshot, so nothing was parsed in vain
    assert collection.collected["catalog"].status == "unchanged"
    assert collection.fingerprints == previous_fingerprints(config.database, ["catalog"])
    assert collection.fingerprints["catalog"] is not None


def test_an_unchanged_source_checked_against_an_old_fingerprint_is_collected_again(
    tmp_path: Path,
) -> None:
    write(tmp_path, "one")
    (tmp_path / "steward.yaml").write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
    )
    config = load_config(tmp_path / "steward.yaml")
    assert ingest(config, scorecards=False).ok
    collection = collect(config)  # "one", unchanged since the last run
    assert collection.collected["catalog"].status == "unchanged"

    write(tmp_path, "two")  # meanwhile another writer stores "two"
    assert ingest(config, scorecards=False).ok
    assert description(config.database) == "two"

    write(tmp_path, "one")  # back to what was collected
    run = store(config, collection, scorecards=False)
    (outcome,) = run.outcomes
    assert outcome.status == "ok"  # collected again, not trusted as unchanged
    assert description(config.database) == "one"
