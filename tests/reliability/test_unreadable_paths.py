"""What cannot be read keeps its last good snapshot and is an error, never a silent delete
(issue 15, item 1): per file, per directory, per root."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from catalog.store import Store
from ingest.catalog_files import CatalogFilesConfig, CatalogFilesSource
from ingest.runner import run_source
from tests.reliability.helpers import steward

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)


def make_org(base: Path) -> None:
    for root in ("root-a", "root-b"):
        for repo in ("one", "two"):
            path = base / root / repo / "catalog-info.yaml"
            path.parent.mkdir(parents=True)
            path.write_text(COMPONENT.format(name=f"{root}-{repo}"))
    (base / "root-a" / "one" / "CODEOWNERS").write_text("* @acme/team-a\n")
    (base / "steward.yaml").write_text(
        "database: ./s.duckdb\nsources:\n"
        "  catalog: {type: catalog_files, roots: [./root-a, ./root-b]}\n"
        "  codeowners: {type: codeowners, roots: [./root-a, ./root-b]}\n"
    )


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def entity_names(db: Path) -> list[str]:
    return [str(r[0]) for r in query(db, "SELECT name FROM entities ORDER BY name")]


def last_run(db: Path, source: str = "catalog") -> tuple[str, int, str | None]:
    row = query(
        db,
        "SELECT status, error_count, message FROM ingest_runs WHERE source = ? "
        "ORDER BY run_id DESC LIMIT 1",
        [source],
    )[0]
    return str(row[0]), int(str(row[1])), None if row[2] is None else str(row[2])


ALL = ["root-a-one", "root-a-two", "root-b-one", "root-b-two"]


@pytest.fixture()
def org(tmp_path: Path) -> Iterator[Path]:
    make_org(tmp_path)
    first = steward("ingest", "--config", "steward.yaml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert entity_names(tmp_path / "s.duckdb") == ALL
    yield tmp_path
    for path in tmp_path.rglob("*"):  # restore permissions so pytest can clean up
        if not path.is_symlink():
            path.chmod(0o755)


def test_unreadable_file_keeps_its_last_good_entities(org: Path) -> None:
    (org / "root-b" / "two" / "catalog-info.yaml").chmod(0)
    result = steward("ingest", "--config", "steward.yaml", cwd=org)
    assert "root-b/two/catalog-info.yaml" in result.stderr
    assert "Permission denied" in result.stderr
    assert entity_names(org / "s.duckdb") == ALL
    status, errors, _ = last_run(org / "s.duckdb")
    assert (status, errors) == ("ok", 1)


def codeowner_claims(db: Path) -> list[tuple[object, ...]]:
    return query(db, "SELECT subject, owner FROM ownership_claims WHERE role = 'codeowner'")


def test_unreadable_directory_keeps_its_files_last_good_entities(org: Path) -> None:
    db = org / "s.duckdb"
    claims = codeowner_claims(db)
    assert claims == [("component:default/root-a-one", "group:default/team-a")]
    (org / "root-a" / "one").chmod(0)
    result = steward("ingest", "--config", "steward.yaml", cwd=org)
    assert f"directory {org / 'root-a' / 'one'} cannot be read" in result.stderr
    assert "one: repository directory cannot be read; its last good records" in result.stderr
    assert entity_names(db) == ALL
    assert last_run(db)[:2] == ("ok", 1)
    assert last_run(db, "codeowners")[:2] == ("ok", 1)
    assert codeowner_claims(db) == claims
    assert query(db, "SELECT count(*) FROM repositories") == [(4,)]


def test_unreadable_root_fails_the_source_and_keeps_the_snapshot(org: Path) -> None:
    (org / "root-b").chmod(0)
    result = steward("ingest", "--config", "steward.yaml", cwd=org)
    assert result.returncode == 1
    status, _, message = last_run(org / "s.duckdb")
    assert status == "failed"
    assert message is not None and f"root {org / 'root-b'} cannot be read" in message
    assert entity_names(org / "s.duckdb") == ALL


def test_root_that_disappears_fails_the_source_and_keeps_the_snapshot(tmp_path: Path) -> None:
    make_org(tmp_path)
    config = CatalogFilesConfig.model_validate(
        {"type": "catalog_files", "roots": [str(tmp_path / "root-a"), str(tmp_path / "root-b")]}
    )
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        first = run_source(store, "catalog", CatalogFilesSource(config), state_dir=tmp_path / "st")
        assert first.status == "ok"
        shutil.move(tmp_path / "root-b", tmp_path / "elsewhere")
        second = run_source(store, "catalog", CatalogFilesSource(config), state_dir=tmp_path / "st")
    assert second.status == "failed"
    assert second.message is not None and "root-b does not exist" in second.message
    assert entity_names(db) == ALL
