"""Configuration errors through the CLI (issue 15, item 6): exit 2 and one line naming the file,
line and field; nothing recorded in ingest_runs; readers need none of the sources' secrets."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.reliability.helpers import steward

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
)
GOOD = "database: ./s.duckdb\nsources:\n  catalog: {type: catalog_files, roots: [./repos]}\n"


@pytest.fixture()
def base(tmp_path: Path) -> Path:
    (tmp_path / "repos" / "a").mkdir(parents=True)
    (tmp_path / "repos" / "a" / "catalog-info.yaml").write_text(COMPONENT)
    return tmp_path


def one_error_line(result_stderr: str) -> str:
    lines = [line for line in result_stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result_stderr
    assert "Traceback" not in result_stderr
    return lines[0]


CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "steward.yaml:1: the file is empty"),
    "list": (b"- database: x\n", "steward.yaml:1: the top level is a list"),
    "utf8": (b"database: ./s.duckdb\n# caf\xe9\n", "steward.yaml:2: not valid UTF-8 (byte 0xe9)"),
    "db-dir": (b"database: ./repos\n", "steward.yaml:1: database: "),
    "no-root": (
        GOOD.replace("./repos", "./repos, ./gone").encode(),
        "steward.yaml:3: sources.catalog.roots.1: root ",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_exits_2_with_one_line(base: Path, case: str) -> None:
    content, expected = CASES[case]
    (base / "steward.yaml").write_bytes(content)
    result = steward("ingest", "--config", "steward.yaml", cwd=base)
    assert result.returncode == 2
    assert expected in one_error_line(result.stderr)
    assert not (base / "s.duckdb").exists()


def test_missing_config_file(base: Path) -> None:
    result = steward("ingest", "--config", "nope.yaml", cwd=base)
    assert result.returncode == 2
    assert "nope.yaml: config file not found" in one_error_line(result.stderr)


def _no_runs_recorded(db: Path) -> None:
    if db.exists():
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM ingest_runs").fetchall() == [(0,)]
        finally:
            con.close()


def test_unwritable_database_directory(base: Path) -> None:
    (base / "locked").mkdir(mode=0o555)
    (base / "steward.yaml").write_text(GOOD.replace("./s.duckdb", "./locked/data/s.duckdb"))
    result = steward("ingest", "--config", "steward.yaml", cwd=base)
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "steward.yaml:1: database: cannot write the database:" in line
    assert f"{base / 'locked'} is not writable" in line


def test_unwritable_state_dir_leaves_no_running_row(base: Path) -> None:
    (base / "locked").mkdir(mode=0o555)
    (base / "steward.yaml").write_text(GOOD + "state_dir: ./locked/state\n")
    result = steward("ingest", "--config", "steward.yaml", cwd=base)
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "steward.yaml:4: state_dir: cannot write the state directory" in line
    _no_runs_recorded(base / "s.duckdb")


def test_readers_do_not_need_source_secrets(base: Path) -> None:
    (base / "steward.yaml").write_text(GOOD)
    assert steward("ingest", "--config", "steward.yaml", cwd=base).returncode == 0
    (base / "steward.yaml").write_text(
        GOOD + "  pd: {type: pagerduty, token: '${STEWARD_TEST_UNSET_TOKEN}'}\n"
    )
    result = steward("sql", "SELECT count(*) AS n FROM entities", "-c", "steward.yaml", cwd=base)
    assert result.returncode == 0, result.stderr
    assert "1" in result.stdout
    shown = steward("scorecard", "show", "svc", "-c", "steward.yaml", cwd=base)
    assert "STEWARD_TEST_UNSET_TOKEN" not in shown.stderr
    ingest = steward("ingest", "-c", "steward.yaml", cwd=base)
    assert ingest.returncode == 2
    assert "sources.pd.token: environment variable STEWARD_TEST_UNSET_TOKEN is not set" in (
        one_error_line(ingest.stderr)
    )
