from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import ConfigError
from ingest.catalog_files import CatalogFilesConfig
from service.config import load_config


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "steward.yaml"
    path.write_text(text)
    return path


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            (
                "database: ./data/s.duckdb\n"
                "sources:\n"
                "  catalog: {type: catalog_files, roots: [./repos, /abs/root]}\n"
            ),
        )
    )
    assert config.database == tmp_path / "data/s.duckdb"
    catalog = config.source_configs["catalog"]
    assert isinstance(catalog, CatalogFilesConfig)
    assert catalog.roots == [tmp_path / "repos", Path("/abs/root")]
    assert config.resolved_state_dir == tmp_path / "data/s.duckdb.state"
    assert config.api.port == 7008


def test_unknown_top_level_key_names_file_line_and_field(tmp_path: Path) -> None:
    path = write_config(tmp_path, "database: x.duckdb\n\ndatabse_typo: 1\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}:3: databse_typo: unknown key"


def test_unknown_source_key_names_its_line(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        (
            "sources:\n"
            "  catalog:\n"
            "    type: catalog_files\n"
            "    roots: [./repos]\n"
            "    max_file_byte: 10\n"
        ),
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}:5: sources.catalog.max_file_byte: unknown key"


def test_bad_value_names_its_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, "api:\n  port: 70000\n")
    with pytest.raises(ConfigError, match=r"steward.yaml:2: api.port: .*less than or equal"):
        load_config(path)


def test_unknown_source_type(tmp_path: Path) -> None:
    path = write_config(tmp_path, "sources:\n  x:\n    type: nope\n")
    with pytest.raises(ConfigError, match=r":3: sources.x.type: unknown source type 'nope'"):
        load_config(path)


def test_env_interpolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_TEST_DB", "from-env.duckdb")
    config = load_config(write_config(tmp_path, "database: ./${STEWARD_TEST_DB}\n"))
    assert config.database == tmp_path / "from-env.duckdb"
    monkeypatch.delenv("STEWARD_UNSET", raising=False)
    fallback = load_config(write_config(tmp_path, "database: ./${STEWARD_UNSET:-fallback}.db\n"))
    assert fallback.database == tmp_path / "fallback.db"
    literal = load_config(write_config(tmp_path, "database: ./$${NOT_A_VAR}.duckdb\n"))
    assert literal.database == tmp_path / "${NOT_A_VAR}.duckdb"


def test_missing_env_var_is_an_error_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_MISSING", raising=False)
    path = write_config(
        tmp_path, "database: x\nreports:\n  ownership_gaps:\n    webhook_url: ${STEWARD_MISSING}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == (
        f"{path}:4: reports.ownership_gaps.webhook_url: "
        "environment variable STEWARD_MISSING is not set"
    )


def test_yaml_syntax_error_in_config(tmp_path: Path) -> None:
    path = write_config(tmp_path, "database: [x\n")
    with pytest.raises(ConfigError, match=r"steward.yaml:\d+: "):
        load_config(path)


def test_config_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path, "database: ./env.duckdb\n")
    monkeypatch.setenv("STEWARD_CONFIG", str(path))
    assert load_config().database == tmp_path / "env.duckdb"


def test_example_config_is_valid() -> None:
    config = load_config(Path(__file__).parents[2] / "examples" / "steward.yaml")
    assert "catalog" in config.source_configs
