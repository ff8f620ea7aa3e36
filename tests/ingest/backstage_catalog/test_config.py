"""The config model, through steward.yaml and the registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from catalog.errors import ConfigError
from ingest.backstage_catalog import BackstageCatalogConfig, BackstageCatalogSource
from ingest.registry import create_source
from service.config import load_config


def write_config(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "steward.yaml"
    path.write_text(
        f"database: ./steward.duckdb\nsources:\n  backstage: {source}\n"
        "allowed_hosts: [backstage.example.com]\n"  # not an official API host
    )
    return path


def test_loads_from_steward_yaml_with_the_token_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTAGE_TOKEN", "tok-123")
    path = write_config(
        tmp_path,
        '{type: backstage_catalog, base_url: "https://backstage.example.com/", '
        'token: "${BACKSTAGE_TOKEN}", filter: ["kind=component"], schedule: {minutes: 30}}',
    )
    config = load_config(path).source_configs["backstage"]
    assert isinstance(config, BackstageCatalogConfig)
    assert config.base_url == "https://backstage.example.com"
    assert config.token is not None and config.token.get_secret_value() == "tok-123"
    assert "tok-123" not in repr(config) and "tok-123" not in str(config.model_dump())
    assert (config.page_size, config.max_pages, config.filter) == (500, 1000, ["kind=component"])
    assert isinstance(create_source(config), BackstageCatalogSource)


def test_unknown_keys_name_file_line_and_field(tmp_path: Path) -> None:
    path = write_config(tmp_path, '{type: backstage_catalog, base_url: "https://b", pagesize: 5}')
    with pytest.raises(ConfigError, match=r"steward\.yaml:3: sources\.backstage\.pagesize"):
        load_config(path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_url", "backstage.example.com", "http"),
        ("base_url", "https://b.example.com/?x=1", "query"),
        ("filter", ["kind=component,"], "expected conditions"),
        ("page_size", 0, "greater than or equal to 1"),
        ("max_pages", 0, "greater than or equal to 1"),
        ("timeout_seconds", 0, "greater than 0"),
    ],
)
def test_invalid_values(field: str, value: object, message: str) -> None:
    values: dict[str, object] = {"type": "backstage_catalog", "base_url": "https://b.example.com"}
    with pytest.raises(ValidationError, match=message):
        BackstageCatalogConfig.model_validate(values | {field: value})
