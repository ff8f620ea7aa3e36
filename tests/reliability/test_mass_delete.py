"""The mass-delete guard (issue 15, item 1): a run removing more than the allowed share of a
source's entities keeps the previous snapshot and fails, unless --allow-mass-delete."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.guard import MassDeleteGuard
from tests.reliability.helpers import steward

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def make_org(base: Path, count: int, extra_config: str = "") -> None:
    for i in range(count):
        path = base / "repos" / f"svc-{i:02d}" / "catalog-info.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(COMPONENT.format(name=f"svc-{i:02d}"))
    (base / "steward.yaml").write_text(
        "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"
        + extra_config
    )


def remove(base: Path, indexes: range) -> None:
    for i in indexes:
        (base / "repos" / f"svc-{i:02d}" / "catalog-info.yaml").unlink()


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def entity_count(db: Path) -> int:
    return int(str(rows(db, "SELECT count(*) FROM entities")[0][0]))


def test_mass_delete_is_held_until_allowed(tmp_path: Path) -> None:
    make_org(tmp_path, 40)
    assert steward("ingest", "-c", "steward.yaml", cwd=tmp_path).returncode == 0
    db = tmp_path / "s.duckdb"
    assert entity_count(db) == 40
    remove(tmp_path, range(10, 40))  # 30 of 40 = 75%

    held = steward("ingest", "-c", "steward.yaml", cwd=tmp_path)
    assert held.returncode == 1
    assert "would remove 30 of 40 entity_rows (75%)" in held.stderr
    assert "--allow-mass-delete" in held.stderr
    assert entity_count(db) == 40
    status, message = rows(
        db, "SELECT status, message FROM ingest_runs ORDER BY run_id DESC LIMIT 1"
    )[0]
    assert status == "failed" and "would remove 30 of 40" in str(message)

    allowed = steward("ingest", "-c", "steward.yaml", "--allow-mass-delete", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert entity_count(db) == 10


def test_small_deletions_and_configured_share_pass(tmp_path: Path) -> None:
    make_org(tmp_path, 40, "mass_delete: {max_share: 0.8}\n")
    assert steward("ingest", "-c", "steward.yaml", cwd=tmp_path).returncode == 0
    remove(tmp_path, range(5))  # 5 removals: below min_count (10)
    assert steward("ingest", "-c", "steward.yaml", cwd=tmp_path).returncode == 0
    remove(tmp_path, range(5, 35))  # 30 of 35 = 86% > 80%
    assert steward("ingest", "-c", "steward.yaml", cwd=tmp_path).returncode == 1
    remove(tmp_path, range(35, 36))
    (tmp_path / "steward.yaml").write_text(
        (tmp_path / "steward.yaml").read_text().replace("0.8", "0.9")
    )
    assert steward("ingest", "-c", "steward.yaml", cwd=tmp_path).returncode == 0
    assert entity_count(tmp_path / "s.duckdb") == 4


def test_guard_counts_removed_keys_not_net_change() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE entity_rows (ref TEXT, source TEXT, valid_to INTEGER)")
    con.execute("INSERT INTO entity_rows SELECT 'e' || i, 'cat', NULL FROM range(100) t(i)")
    guard = MassDeleteGuard(max_share=0.2, min_count=10)
    renamed = {"entity_rows": {"ref": [f"x{i}" for i in range(100)]}}  # same count, all new
    assert "would remove 100 of 100" in (guard.check(con, "cat", renamed) or "")
    kept = {"entity_rows": {"ref": [f"e{i}" for i in range(80)]}}
    assert guard.check(con, "cat", kept) is None  # exactly 20%: allowed
    assert guard.check(con, "other", {"entity_rows": {"ref": []}}) is None
    assert guard.check(con, "cat", {"problem_rows": {"message": []}}) is None
