"""Configuration errors: each one ConfigError line naming the file, the line and the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog import secrets
from catalog.errors import ConfigError
from service.config import load_config


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    yield
    secrets.forget_all()


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_text("# nothing here\n")
    assert _error(path) == f"{path}:1: the file is empty; it must be a mapping (database:, …)"


def test_top_level_list(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_text("# a list\n- database: x\n")
    assert _error(path).startswith(f"{path}:2: the top level is a list; it must be a mapping")


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_bytes(b"database: x.duckdb\n# caf\xe9\n")
    assert _error(path) == f"{path}:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert "config file not found" in _error(path)


def test_database_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    path = tmp_path / "steward.yaml"
    path.write_text("api: {port: 7008}\ndatabase: ./db\n")
    assert (
        _error(path)
        == f"{path}:2: database: {tmp_path / 'db'} is a directory; name a database file"
    )


def test_secret_with_a_trailing_newline_is_refused_without_printing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PD_TOKEN_TEST", "u+s3cr3t-value\r\n")
    path = tmp_path / "steward.yaml"
    path.write_text("sources:\n  pd:\n    type: pagerduty\n    token: ${PD_TOKEN_TEST}\n")
    message = _error(path)
    assert message.startswith(f"{path}:4: sources.pd.token: contains a control character")
    assert "s3cr3t" not in message


def test_non_ascii_secret_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_TOKEN_TEST", "ghp_s3cr3té")
    path = tmp_path / "steward.yaml"
    path.write_text("sources:\n  gh: {type: github, org: acme, token: '${GH_TOKEN_TEST}'}\n")
    message = _error(path)
    assert message.startswith(f"{path}:2: sources.gh.token: contains a non-ASCII character")
    assert "s3cr3t" not in message


def test_loaded_secrets_are_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PD_TOKEN_TEST", "u+s3cr3t-value")
    path = tmp_path / "steward.yaml"
    path.write_text("sources:\n  pd: {type: pagerduty, token: '${PD_TOKEN_TEST}'}\n")
    load_config(path)
    assert secrets.redact("x u%2Bs3cr3t-value y") == "x *** y"


def test_readers_do_not_need_the_sources_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PD_TOKEN_UNSET", raising=False)
    path = tmp_path / "steward.yaml"
    path.write_text(
        "database: ./s.duckdb\nsources:\n  pd: {type: pagerduty, token: '${PD_TOKEN_UNSET}'}\n"
    )
    assert "PD_TOKEN_UNSET is not set" in _error(path)
    config = load_config(path, sources=False)
    assert config.database == tmp_path / "s.duckdb"
    assert config.source_configs == {}


def test_missing_root_is_an_error_before_any_run(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_text(
        "database: ./s.duckdb\nsources:\n  catalog:\n    type: catalog_files\n"
        "    roots:\n      - ./repos\n      - ./gone\n"
    )
    (tmp_path / "repos").mkdir()
    config = load_config(path)
    with pytest.raises(ConfigError) as err:
        config.check_runnable()
    assert str(err.value) == (
        f"{path}:7: sources.catalog.roots.1: root {tmp_path / 'gone'} does not exist"
    )


def test_database_memory_limit_that_duckdb_would_not_take_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "steward.yaml"
    path.write_text("database: ./x.duckdb\ndatabase_memory_limit: lots\n")
    message = _error(path)
    assert message.startswith(f"{path}:2: database_memory_limit"), message
